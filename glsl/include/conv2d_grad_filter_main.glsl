// Filter gradient dw[oc, c, kh, kw] = Σ over n, oh, ow of dy[n, oc, oh, ow] · x[n, c, oh·sH − pT + kh,
// ow·sW − pL + kw], over X' (conv_pack_input, four channels per texel) and dy' = dy with rows padded
// to whole texels (four output columns per texel, zeros past OW). A fragment computes R output
// channels × 4·CBV input channels at one (kh, kw), through R·CBV render targets (layer r·CBV + v holds
// channels 4v .. 4v+3 of output channel r), over the column groups g = (n, oh, q) in
// [s·gPer, (s+1)·gPer): split s of the reduction, summed by the merge pass. Per group it fetches R
// texels of dy' and 4·CBV of X': with R = 4, CBV = 2, 12 fetches feed 128 multiply-adds.
// X' is a matrix of one (n, hp) row of Wp·C4 texels per row, dy' one of one (n, oc, oh) row of Q
// texels per row, read through matrix.glsl: conv2d_grad_filter_2d.glsl (MATRIX 1) when both fit a
// texture as matrices, so the fetches along a row of output columns need no address arithmetic;
// conv2d_grad_filter.glsl (MATRIX 0) on the flat layout otherwise.
uniform int outTexels;
uniform int blocks; uniform int CBB;      // channel blocks of 4·CBV
uniform int KH; uniform int KW;
uniform int OC; uniform int OH; uniform int Q;   // Q = texels per dy' row
uniform int G; uniform int gPer;
uniform int Hp; uniform int Wp; uniform int C4;
uniform int strideH; uniform int strideW;
uniform sampler2D x; uniform int xLw;
uniform sampler2D dy; uniform int dyLw;

#define BC CBV
#include "block/targets.glsl"
#include "matrix.glsl"

#define FX(c, r) MTEXEL(x, xMask, xLw, xRow, c, r)
#define FD(c, r) MTEXEL(dy, dMask, dyLw, Q, c, r)
#define ROW(i) FD(qq, dr + (i) * OH)             // dy' of output channel oc0 + i
#define MAC(acc, a, B) acc += (B) * (a)

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
#if !MATRIX
  int xMask = (1 << xLw) - 1, dMask = (1 << dyLw) - 1;
  int xRow = Wp * C4;           // texels per row of X'
#endif

#include "block/zero.glsl"

  while (g < g1) {
    int qEnd = min(Q, q + (g1 - g));
    int dr = (n * OC + oc0) * OH + oh;      // dy' row of output channel oc0
    int xr = n * Hp + oh * strideH + kh;    // X' row
    int xc = xc0 + 4 * q * js;
    for (int qq = q; qq < qEnd; qq++) {
#include "block/rows.glsl"
      mat4 B0 = mat4(FX(xc, xr), FX(xc + js, xr), FX(xc + 2 * js, xr), FX(xc + 3 * js, xr));
#if CBV > 1
      mat4 B1 = mat4(FX(xc + 1, xr), FX(xc + 1 + js, xr), FX(xc + 1 + 2 * js, xr), FX(xc + 1 + 3 * js, xr));
#endif
#include "block/mac.glsl"
      xc += 4 * js;
    }
    g += qEnd - q;
    q = 0;
    oh++;
    if (oh == OH) { oh = 0; n++; }
  }

#include "block/store.glsl"
}
