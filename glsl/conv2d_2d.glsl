// conv2d.glsl over matrix textures: X' with one (n, hp) row of Wp·C4 texels per texture row, W'
// with one output channel of KH·KW·C4 texels per texture row, so every fetch is texelFetch at
// (column, row) with the row fixed per filter row and the column the loop counter plus a constant.
// Same blocks, render targets and merge pass as conv2d.glsl (used when X' and W' fit a texture).
uniform int outTexels;
uniform int OH; uniform int OWB; uniform int OCB;
uniform int Hp; uniform int C4;
uniform int KH; uniform int KW;
uniform int strideH; uniform int strideW;
uniform sampler2D x;
uniform sampler2D w;

layout(location = 0) out vec4 o0;
#if R * PB > 1
layout(location = 1) out vec4 o1;
#endif
#if R * PB > 2
layout(location = 2) out vec4 o2;
layout(location = 3) out vec4 o3;
#endif
#if R * PB > 4
layout(location = 4) out vec4 o4;
layout(location = 5) out vec4 o5;
layout(location = 6) out vec4 o6;
layout(location = 7) out vec4 o7;
#endif

#define FX(c, r) texelFetch(x, ivec2(c, r), 0)
#define FW(c, r) texelFetch(w, ivec2(c, r), 0)

void main() {
  int f = outTexel();
  if (f >= outTexels) return;
  int q = f / OWB;
  int owb = f - q * OWB;
  int r = q / OH;
  int oh = q - r * OH;
  int n = r / OCB;
  int ocb = r - n * OCB;

  int kwc = KW * C4;                       // texels per filter row
  int js = strideW * C4;                   // texels between neighbouring output columns in X'
  int x0 = owb * 4 * PB * js;              // X' column of the block's first output column
  int row0 = n * Hp + oh * strideH;        // X' row of filter row 0
  int oc0 = ocb * R;

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
#if PB > 1
  vec4 c01 = z;
#if R > 1
  vec4 c11 = z;
#endif
#if R > 2
  vec4 c21 = z, c31 = z;
#endif
#endif

  for (int kh = 0; kh < KH; kh++) {
    int xr = row0 + kh;
    int wc = kh * kwc;
    int xc = x0;
    for (int u = 0; u < kwc; u++) {
      vec4 w0 = FW(wc, oc0);
#if R > 1
      vec4 w1 = FW(wc, oc0 + 1);
#endif
#if R > 2
      vec4 w2 = FW(wc, oc0 + 2), w3 = FW(wc, oc0 + 3);
#endif
#if R > 4
      vec4 w4 = FW(wc, oc0 + 4), w5 = FW(wc, oc0 + 5), w6 = FW(wc, oc0 + 6), w7 = FW(wc, oc0 + 7);
#endif
      mat4 X0 = mat4(FX(xc, xr), FX(xc + js, xr), FX(xc + 2 * js, xr), FX(xc + 3 * js, xr));
      c00 += w0 * X0;
#if R > 1
      c10 += w1 * X0;
#endif
#if R > 2
      c20 += w2 * X0; c30 += w3 * X0;
#endif
#if R > 4
      c40 += w4 * X0; c50 += w5 * X0; c60 += w6 * X0; c70 += w7 * X0;
#endif
#if PB > 1
      int x1 = xc + 4 * js;
      mat4 X1 = mat4(FX(x1, xr), FX(x1 + js, xr), FX(x1 + 2 * js, xr), FX(x1 + 3 * js, xr));
      c01 += w0 * X1;
#if R > 1
      c11 += w1 * X1;
#endif
#if R > 2
      c21 += w2 * X1; c31 += w3 * X1;
#endif
#endif
      xc++;
      wc++;
    }
  }

#if PB == 1
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
