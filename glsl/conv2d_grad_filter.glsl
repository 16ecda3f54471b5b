// Filter gradient dw[oc, c, kh, kw] = Σ over n, oh, ow of dy[n, oc, oh, ow] · x[n, c, oh·sH − pT + kh,
// ow·sW − pL + kw], over X' (conv_pack_input, four channels per texel) and dy' = dy with rows padded
// to whole texels (four output columns per texel, zeros past OW). A fragment computes R output
// channels × 4·CBV input channels at one (kh, kw), through R·CBV render targets (layer r·CBV + v holds
// channels 4v .. 4v+3 of output channel r), over the column groups g = (n, oh, q) in
// [s·gPer, (s+1)·gPer): split s of the reduction, summed by the merge pass. Per group it fetches R
// texels of dy' and 4·CBV of X': with R = 4, CBV = 2, 12 fetches feed 128 multiply-adds.
uniform int outTexels;
uniform int blocks; uniform int CBB;      // channel blocks of 4·CBV
uniform int KH; uniform int KW;
uniform int OC; uniform int OH; uniform int Q;   // Q = texels per dy' row
uniform int G; uniform int gPer;
uniform int Hp; uniform int Wp; uniform int C4;
uniform int strideH; uniform int strideW;
uniform sampler2D x; uniform int xLw;
uniform sampler2D dy; uniform int dyLw;

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

#define FX(i) texelFetch(x, ivec2((i) & xMask, (i) >> xLw), 0)
#define FD(i) texelFetch(dy, ivec2((i) & dMask, (i) >> dyLw), 0)

void main() {
  int f = outTexel();
  if (f >= outTexels) return;
  int xMask = (1 << xLw) - 1, dMask = (1 << dyLw) - 1;
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
  int dPlane = OH * Q;          // texels per (n, oc) plane of dy'

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
    int di = (n * OC + oc0) * dPlane + oh * Q + q;
    int xi = ((n * Hp + oh * strideH + kh) * Wp + 4 * q * strideW + kw) * C4 + cbb * CBV;
    for (int qq = q; qq < qEnd; qq++) {
      vec4 d0 = FD(di);
#if R > 1
      vec4 d1 = FD(di + dPlane);
#endif
#if R > 2
      vec4 d2 = FD(di + 2 * dPlane), d3 = FD(di + 3 * dPlane);
#endif
#if R > 4
      vec4 d4 = FD(di + 4 * dPlane), d5 = FD(di + 5 * dPlane), d6 = FD(di + 6 * dPlane), d7 = FD(di + 7 * dPlane);
#endif
      mat4 X0 = mat4(FX(xi), FX(xi + js), FX(xi + 2 * js), FX(xi + 3 * js));
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
      mat4 X1 = mat4(FX(xi + 1), FX(xi + 1 + js), FX(xi + 1 + 2 * js), FX(xi + 1 + 3 * js));
      c01 += X1 * d0;
#if R > 1
      c11 += X1 * d1;
#endif
#if R > 2
      c21 += X1 * d2; c31 += X1 * d3;
#endif
#endif
      di++;
      xi += 4 * js;
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
