// conv2d_grad_filter.glsl over matrix textures: X' with one (n, hp) row of Wp·C4 texels per texture
// row, dy' with one (n, oc, oh) row of Q texels (four output columns each, zero past OW) per texture
// row, so the fetches along a row of output columns need no address arithmetic. Same blocks, render
// targets, splits and merge pass (used when X' and dy' fit a texture).
uniform int outTexels;
uniform int blocks; uniform int CBB;      // channel blocks of 4·CBV
uniform int KH; uniform int KW;
uniform int OC; uniform int OH; uniform int Q;
uniform int G; uniform int gPer;
uniform int Hp; uniform int C4;
uniform int strideH; uniform int strideW;
uniform sampler2D x;
uniform sampler2D dy;

layout(location = 0) out vec4 o0;
#if R * CBV > 1
layout(location = 1) out vec4 o1;
#endif
#if R * CBV > 2
layout(location = 2) out vec4 o2;
layout(location = 3) out vec4 o3;
#endif
#if R * CBV > 4
layout(location = 4) out vec4 o4;
layout(location = 5) out vec4 o5;
layout(location = 6) out vec4 o6;
layout(location = 7) out vec4 o7;
#endif

#define FX(c, r) texelFetch(x, ivec2(c, r), 0)
#define FD(c, r) texelFetch(dy, ivec2(c, r), 0)

void main() {
  int f = outTexel();
  if (f >= outTexels) return;
  int s = f / blocks;
  int b = f - s * blocks;
  int t = b / CBB;
  int cbb = b - t * CBB;
  int t2 = t / KW;
  int kw = t - t2 * KW;
  int ocb = t2 / KH;
  int kh = t2 - ocb * KH;
  int oc0 = ocb * R;

  int g = s * gPer;
  int g1 = min(G, g + gPer);
  int rowsPerImage = OH * Q;
  int n = g / rowsPerImage;
  int rem = g - n * rowsPerImage;
  int oh = rem / Q;
  int q = rem - oh * Q;

  int js = strideW * C4;        // texels between neighbouring output columns in X'
  int xc0 = kw * C4 + cbb * CBV;

  vec4 z = vec4(0.0);
  vec4 c00 = z;
#if R > 1
  vec4 c10 = z;
#endif
#if R > 2
  vec4 c20 = z, c30 = z;
#endif
#if R > 4
  vec4 c40 = z, c50 = z, c60 = z, c70 = z;
#endif
#if CBV > 1
  vec4 c01 = z;
#if R > 1
  vec4 c11 = z;
#endif
#if R > 2
  vec4 c21 = z, c31 = z;
#endif
#endif

  while (g < g1) {
    int qEnd = min(Q, q + (g1 - g));
    int dr = (n * OC + oc0) * OH + oh;      // dy' row of output channel oc0
    int xr = n * Hp + oh * strideH + kh;    // X' row
    int xc = xc0 + 4 * q * js;
    for (int qq = q; qq < qEnd; qq++) {
      vec4 d0 = FD(qq, dr);
#if R > 1
      vec4 d1 = FD(qq, dr + OH);
#endif
#if R > 2
      vec4 d2 = FD(qq, dr + 2 * OH), d3 = FD(qq, dr + 3 * OH);
#endif
#if R > 4
      vec4 d4 = FD(qq, dr + 4 * OH), d5 = FD(qq, dr + 5 * OH), d6 = FD(qq, dr + 6 * OH), d7 = FD(qq, dr + 7 * OH);
#endif
      mat4 X0 = mat4(FX(xc, xr), FX(xc + js, xr), FX(xc + 2 * js, xr), FX(xc + 3 * js, xr));
      c00 += X0 * d0;
#if R > 1
      c10 += X0 * d1;
#endif
#if R > 2
      c20 += X0 * d2; c30 += X0 * d3;
#endif
#if R > 4
      c40 += X0 * d4; c50 += X0 * d5; c60 += X0 * d6; c70 += X0 * d7;
#endif
#if CBV > 1
      mat4 X1 = mat4(FX(xc + 1, xr), FX(xc + 1 + js, xr), FX(xc + 1 + 2 * js, xr), FX(xc + 1 + 3 * js, xr));
      c01 += X1 * d0;
#if R > 1
      c11 += X1 * d1;
#endif
#if R > 2
      c21 += X1 * d2; c31 += X1 * d3;
#endif
#endif
      xc += 4 * js;
    }
    g += qEnd - q;
    q = 0;
    oh++;
    if (oh == OH) { oh = 0; n++; }
  }

#if CBV == 1
  o0 = c00;
#if R > 1
  o1 = c10;
#endif
#if R > 2
  o2 = c20; o3 = c30;
#endif
#if R > 4
  o4 = c40; o5 = c50; o6 = c60; o7 = c70;
#endif
#else
  o0 = c00; o1 = c01;
#if R > 1
  o2 = c10; o3 = c11;
#endif
#if R > 2
  o4 = c20; o5 = c21; o6 = c30; o7 = c31;
#endif
#endif
}
