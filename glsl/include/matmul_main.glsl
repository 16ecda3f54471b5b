// C = op(A) · op(B), one R × 4·CB block of C per fragment, written through R·CB render targets (the
// layers of an array texture, layer r·CB + c = rows m0 + r, columns n0 + 4c .. + 3). Per step of four
// k it fetches R texels of A (or R/4 · 4 when A is transposed) and 4·CB texels of B: with R = 4,
// CB = 2, 12 fetches feed 128 multiply-adds. Operands are stored four values of a row per texel,
// rows padded to whole texels, K padded with zeros: A [M][K/4] (or [K][M/4] transposed), B [K][N/4]
// (or [N][K/4]), read through matrix.glsl: matmul_2d.glsl (MATRIX 1) from matrix textures
// (pack_matrix.glsl) when they fit, so a fetch is at (k, row) with no address arithmetic;
// matmul.glsl (MATRIX 0) on the flat layout otherwise (unaligned operands padded first).
// Split K: fragment f computes block f % blocks over k-texels [s·kPer, (s+1)·kPer), s = f / blocks;
// the merge pass adds the S partial sums.
uniform int outTexels;
uniform int blocks;   // block rows × block columns
uniform int nbc;      // block columns
uniform int kt;       // k-texels (K padded / 4)
uniform int kPer;     // k-texels per split
uniform int aRow;     // texels per stored row of A (MATRIX 0)
uniform int bRow;     // texels per stored row of B (MATRIX 0)
uniform sampler2D a; uniform int aLw;
uniform sampler2D b; uniform int bLw;

#define BC CB
#include "block/targets.glsl"
#include "matrix.glsl"

#define FA(c, r) MTEXEL(a, aMask, aLw, aRow, c, r)
#define FB(c, r) MTEXEL(b, bMask, bLw, bRow, c, r)
#define ROW(i) FA(k, m0 + (i))                   // row m0 + i of A (not transposed)
#if TRANS_B
// rows n of the stored B hold k: (a · M)[nn] = dot(a, B[n0 + nn, k..k+3])
#define MAC(acc, av, M) acc += (av) * (M)
#else
// rows k of the stored B hold n: (M · a) = sum over kk of a[kk] · B[k + kk, n..n+3]
#define MAC(acc, av, M) acc += (M) * (av)
#endif

void main() {
  int f = outTexel();
  if (f >= outTexels) return;
  int s = f / blocks;
  int blk = f - s * blocks;
  int bm = blk / nbc;
  int bn = blk - bm * nbc;
  int m0 = bm * R;
  int c0 = bn * CB;          // first texel column of C
  int k0 = s * kPer;
  int k1 = min(kt, k0 + kPer);
  int am = m0 >> 2;          // texel column of A's rows m0 .. (transposed)
  int bn0 = 4 * c0;          // row of B's column n0 (transposed)
#if !MATRIX
  int aMask = (1 << aLw) - 1, bMask = (1 << bLw) - 1;
#endif

#include "block/zero.glsl"

  for (int k = k0; k < k1; k++) {
    int k4 = 4 * k;
    // rows of op(A) over this step's four k
#if TRANS_A
    mat4 A0 = transpose(mat4(FA(am, k4), FA(am, k4 + 1), FA(am, k4 + 2), FA(am, k4 + 3)));
    vec4 a0 = A0[0], a1 = A0[1], a2 = A0[2], a3 = A0[3];
#if R > 4
    mat4 A1 = transpose(mat4(FA(am + 1, k4), FA(am + 1, k4 + 1), FA(am + 1, k4 + 2), FA(am + 1, k4 + 3)));
    vec4 a4 = A1[0], a5 = A1[1], a6 = A1[2], a7 = A1[3];
#endif
#else
#include "block/rows.glsl"
#endif
    // column texels c0 and c0 + 1 of the block
#if TRANS_B
    mat4 B0 = mat4(FB(k, bn0), FB(k, bn0 + 1), FB(k, bn0 + 2), FB(k, bn0 + 3));
#if CB > 1
    mat4 B1 = mat4(FB(k, bn0 + 4), FB(k, bn0 + 5), FB(k, bn0 + 6), FB(k, bn0 + 7));
#endif
#else
    mat4 B0 = mat4(FB(c0, k4), FB(c0, k4 + 1), FB(c0, k4 + 2), FB(c0, k4 + 3));
#if CB > 1
    mat4 B1 = mat4(FB(c0 + 1, k4), FB(c0 + 1, k4 + 1), FB(c0 + 1, k4 + 2), FB(c0 + 1, k4 + 3));
#endif
#endif
#include "block/mac.glsl"
  }

#include "block/store.glsl"
}
