// C = op(A) · op(B), one R × 4·CB block of C per fragment, written through R·CB render targets (the
// layers of an array texture, layer r·CB + c = rows m0 + r, columns n0 + 4c .. + 3). Per step of four
// k it fetches R texels of A (or R/4 · 4 when A is transposed) and 4·CB texels of B: with R = 4,
// CB = 2, 12 fetches feed 128 multiply-adds. Operands are packed four values of a stored row per
// texel, rows padded to whole texels (the kernel repacks unaligned inputs), K padded with zeros.
// Split K: fragment f computes block f % blocks over k-texels [s·kPer, (s+1)·kPer), s = f / blocks;
// the merge pass adds the S partial sums.
uniform int outTexels;
uniform int blocks;   // block rows × block columns
uniform int nbc;      // block columns
uniform int kt;       // k-texels (K padded / 4)
uniform int kPer;     // k-texels per split
uniform int aRow;     // texels per stored row of A
uniform int bRow;     // texels per stored row of B
uniform sampler2D a; uniform int aLw;
uniform sampler2D b; uniform int bLw;

layout(location = 0) out vec4 o0;
#if R * CB > 1
layout(location = 1) out vec4 o1;
#endif
#if R * CB > 2
layout(location = 2) out vec4 o2;
layout(location = 3) out vec4 o3;
#endif
#if R * CB > 4
layout(location = 4) out vec4 o4;
layout(location = 5) out vec4 o5;
layout(location = 6) out vec4 o6;
layout(location = 7) out vec4 o7;
#endif

#define FA(i) texelFetch(a, ivec2((i) & aMask, (i) >> aLw), 0)
#define FB(i) texelFetch(b, ivec2((i) & bMask, (i) >> bLw), 0)
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

#if TRANS_A
  int ai = 4 * k0 * aRow + (m0 >> 2);
  int aStep = 4 * aRow;
#else
  int ai = m0 * aRow + k0;
  int aStep = 1;
#endif
#if TRANS_B
  int bi = 4 * c0 * bRow + k0;
  int bStep = 1;
#else
  int bi = 4 * k0 * bRow + c0;
  int bStep = 4 * bRow;
#endif

  int aMask = (1 << aLw) - 1, bMask = (1 << bLw) - 1;
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
#if CB > 1
  vec4 c01 = z;
#if R > 1
  vec4 c11 = z;
#endif
#if R > 2
  vec4 c21 = z, c31 = z;
#endif
#endif

  for (int k = k0; k < k1; k++) {
    // rows of op(A) over this step's four k
#if TRANS_A
    mat4 A0 = transpose(mat4(FA(ai), FA(ai + aRow), FA(ai + 2 * aRow), FA(ai + 3 * aRow)));
    vec4 a0 = A0[0], a1 = A0[1], a2 = A0[2], a3 = A0[3];
#if R > 4
    mat4 A1 = transpose(mat4(FA(ai + 1), FA(ai + 1 + aRow), FA(ai + 1 + 2 * aRow), FA(ai + 1 + 3 * aRow)));
    vec4 a4 = A1[0], a5 = A1[1], a6 = A1[2], a7 = A1[3];
#endif
#else
    vec4 a0 = FA(ai);
#if R > 1
    vec4 a1 = FA(ai + aRow);
#endif
#if R > 2
    vec4 a2 = FA(ai + 2 * aRow), a3 = FA(ai + 3 * aRow);
#endif
#if R > 4
    vec4 a4 = FA(ai + 4 * aRow), a5 = FA(ai + 5 * aRow), a6 = FA(ai + 6 * aRow), a7 = FA(ai + 7 * aRow);
#endif
#endif

    // column texel 0 of the block
#if TRANS_B
    mat4 B0 = mat4(FB(bi), FB(bi + bRow), FB(bi + 2 * bRow), FB(bi + 3 * bRow));
#else
    mat4 B0 = mat4(FB(bi), FB(bi + bRow), FB(bi + 2 * bRow), FB(bi + 3 * bRow));
#endif
    MAC(c00, a0, B0);
#if R > 1
    MAC(c10, a1, B0);
#endif
#if R > 2
    MAC(c20, a2, B0); MAC(c30, a3, B0);
#endif
#if R > 4
    MAC(c40, a4, B0); MAC(c50, a5, B0); MAC(c60, a6, B0); MAC(c70, a7, B0);
#endif

#if CB > 1
#if TRANS_B
    int b1 = bi + 4 * bRow;
#else
    int b1 = bi + 1;
#endif
    mat4 B1 = mat4(FB(b1), FB(b1 + bRow), FB(b1 + 2 * bRow), FB(b1 + 3 * bRow));
    MAC(c01, a0, B1);
#if R > 1
    MAC(c11, a1, B1);
#endif
#if R > 2
    MAC(c21, a2, B1); MAC(c31, a3, B1);
#endif
#endif

    ai += aStep;
    bi += bStep;
  }

#if CB == 1
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
