// Convolution as an implicit GEMM over the repacked input X' (conv_pack_input) and filter W'
// (conv_pack_filter), both four channels per texel. A fragment computes R output channels × 4·PB
// neighbouring output columns of one output row, through R·PB render targets (layer r·PB + p holds
// columns 4p .. 4p+3 of channel r). Per step of four input channels it fetches 4·PB texels of X' and
// R of W': with R = 4, PB = 2, 12 fetches feed 128 multiply-adds. The columns past OW compute
// garbage that the merge pass never reads.
// X' is a matrix of one (n, hp) row of Wp·C4 texels per row, W' one of one output channel of
// KH·KW·C4 texels per row, read through matrix.glsl: conv2d_2d.glsl (MATRIX 1) when both fit a
// texture as matrices, so along a filter row the fetch column is the loop counter plus a constant;
// conv2d.glsl (MATRIX 0) on the flat layout otherwise.
uniform int outTexels;
uniform int OH; uniform int OWB; uniform int OCB;
uniform int Hp; uniform int Wp; uniform int C4;
uniform int KH; uniform int KW;
uniform int strideH; uniform int strideW;
uniform sampler2D x; uniform int xLw;
uniform sampler2D w; uniform int wLw;

#define BC PB
#include "block/targets.glsl"
#include "matrix.glsl"

#define FX(c, r) MTEXEL(x, xMask, xLw, xRow, c, r)
#define FW(c, r) MTEXEL(w, wMask, wLw, wRow, c, r)
#define ROW(i) FW(wc, oc0 + (i))                 // filter of output channel oc0 + i
#define MAC(acc, a, B) acc += (a) * (B)

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
#if !MATRIX
  int xMask = (1 << xLw) - 1, wMask = (1 << wLw) - 1;
  int xRow = Wp * C4, wRow = KH * kwc;     // texels per row of X' and of W'
#endif

#include "block/zero.glsl"

  for (int kh = 0; kh < KH; kh++) {
    int xr = row0 + kh;
    int wc = kh * kwc;
    int xc = x0;
    for (int u = 0; u < kwc; u++) {
#include "block/rows.glsl"
      mat4 B0 = mat4(FX(xc, xr), FX(xc + js, xr), FX(xc + 2 * js, xr), FX(xc + 3 * js, xr));
#if PB > 1
      int x1 = xc + 4 * js;
      mat4 B1 = mat4(FX(x1, xr), FX(x1 + js, xr), FX(x1 + 2 * js, xr), FX(x1 + 3 * js, xr));
#endif
#include "block/mac.glsl"
      xc++;
      wc++;
    }
  }

#include "block/store.glsl"
}
