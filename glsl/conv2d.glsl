// Convolution as an implicit GEMM over the repacked input X' (conv_pack_input) and filter W'
// (conv_pack_filter), both four channels per texel. A fragment computes R output channels × 4·PB
// neighbouring output columns of one output row, through R·PB render targets (layer r·PB + p holds
// columns 4p .. 4p+3 of channel r). Per step of four input channels it fetches 4·PB texels of X' and
// R of W': with R = 4, PB = 2, 12 fetches feed 128 multiply-adds. The columns past OW compute
// garbage that the merge pass never reads.
uniform int outTexels;
uniform int OH; uniform int OWB; uniform int OCB;
uniform int Hp; uniform int Wp; uniform int C4;
uniform int KH; uniform int KW;
uniform int strideH; uniform int strideW;
uniform sampler2D x; uniform int xLw;
uniform sampler2D w; uniform int wLw;

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

#define FX(i) texelFetch(x, ivec2((i) & xMask, (i) >> xLw), 0)
#define FW(i) texelFetch(w, ivec2((i) & wMask, (i) >> wLw), 0)

void main() {
  int f = outTexel();
  if (f >= outTexels) return;
  int xMask = (1 << xLw) - 1, wMask = (1 << wLw) - 1;
  int q = f / OWB;
  int owb = f - q * OWB;
  int r = q / OH;
  int oh = q - r * OH;
  int n = r / OCB;
  int ocb = r - n * OCB;

  int kwc = KW * C4;                       // texels per filter row
  int wRow = KH * kwc;                     // texels per output channel of W'
  int js = strideW * C4;                   // texels between neighbouring output columns in X'
  int xRow = Wp * C4;
  int xi0 = ((n * Hp + oh * strideH) * Wp + owb * 4 * PB * strideW) * C4;
  int wi0 = ocb * R * wRow;

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
    int xi = xi0 + kh * xRow;
    int wi = wi0 + kh * kwc;
    for (int u = 0; u < kwc; u++) {
      vec4 w0 = FW(wi);
#if R > 1
      vec4 w1 = FW(wi + wRow);
#endif
#if R > 2
      vec4 w2 = FW(wi + 2 * wRow), w3 = FW(wi + 3 * wRow);
#endif
#if R > 4
      vec4 w4 = FW(wi + 4 * wRow), w5 = FW(wi + 5 * wRow), w6 = FW(wi + 6 * wRow), w7 = FW(wi + 7 * wRow);
#endif
      mat4 X0 = mat4(FX(xi), FX(xi + js), FX(xi + 2 * js), FX(xi + 3 * js));
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
      int x1 = xi + 4 * js;
      mat4 X1 = mat4(FX(x1), FX(x1 + js), FX(x1 + 2 * js), FX(x1 + 3 * js));
      c01 += w0 * X1;
#if R > 1
      c11 += w1 * X1;
#endif
#if R > 2
      c21 += w2 * X1; c31 += w3 * X1;
#endif
#endif
      xi++;
      wi++;
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
