// C = op(A) · op(B) over matrix textures (pack_matrix.glsl: one matrix row per texture row, four
// values per texel), so a fetch is texelFetch at (k, row) with no address arithmetic: the fast path
// of matmul.glsl (same blocks, render targets, split K and merge pass), used when the operands fit
// in a texture. Stored A is [M][K/4] (or [K][M/4] transposed), B [K][N/4] (or [N][K/4]).
uniform int outTexels;
uniform int blocks;   // block rows × block columns
uniform int nbc;      // block columns
uniform int kt;       // k-texels (K padded / 4)
uniform int kPer;     // k-texels per split
uniform sampler2D a;
uniform sampler2D b;

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

#define F(s, x, y) texelFetch(s, ivec2(x, y), 0)
#if TRANS_B
#define MAC(acc, av, M) acc += (av) * (M)
#else
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
  int am = m0 >> 2;
#endif
#if TRANS_B
  int bn0 = 4 * c0;
#endif

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
    int k4 = 4 * k;
#if TRANS_A
    mat4 A0 = transpose(mat4(F(a, am, k4), F(a, am, k4 + 1), F(a, am, k4 + 2), F(a, am, k4 + 3)));
    vec4 a0 = A0[0], a1 = A0[1], a2 = A0[2], a3 = A0[3];
#if R > 4
    mat4 A1 = transpose(mat4(F(a, am + 1, k4), F(a, am + 1, k4 + 1), F(a, am + 1, k4 + 2), F(a, am + 1, k4 + 3)));
    vec4 a4 = A1[0], a5 = A1[1], a6 = A1[2], a7 = A1[3];
#endif
#else
    vec4 a0 = F(a, k, m0);
#if R > 1
    vec4 a1 = F(a, k, m0 + 1);
#endif
#if R > 2
    vec4 a2 = F(a, k, m0 + 2), a3 = F(a, k, m0 + 3);
#endif
#if R > 4
    vec4 a4 = F(a, k, m0 + 4), a5 = F(a, k, m0 + 5), a6 = F(a, k, m0 + 6), a7 = F(a, k, m0 + 7);
#endif
#endif

#if TRANS_B
    mat4 B0 = mat4(F(b, k, bn0), F(b, k, bn0 + 1), F(b, k, bn0 + 2), F(b, k, bn0 + 3));
#else
    mat4 B0 = mat4(F(b, c0, k4), F(b, c0, k4 + 1), F(b, c0, k4 + 2), F(b, c0, k4 + 3));
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
    mat4 B1 = mat4(F(b, k, bn0 + 4), F(b, k, bn0 + 5), F(b, k, bn0 + 6), F(b, k, bn0 + 7));
#else
    mat4 B1 = mat4(F(b, c0 + 1, k4), F(b, c0 + 1, k4 + 1), F(b, c0 + 1, k4 + 2), F(b, c0 + 1, k4 + 3));
#endif
    MAC(c01, a0, B1);
#if R > 1
    MAC(c11, a1, B1);
#endif
#if R > 2
    MAC(c21, a2, B1); MAC(c31, a3, B1);
#endif
#endif
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
