// One pass of a reduction of x viewed as [outer, r, inner] to y [outer, rOut, inner]:
// y[o, q, i] = OP over k in [q * chunk, min(r, (q + 1) * chunk)) of x[(o * r + k) * inner + i].
// RED 0 sum / 1 max / 2 min (max and min propagate NaN). MODE 0: one element per component;
// 1 (INNER4, inner % 4 == 0): a texel per step for four neighbouring outputs;
// 2 (ROW4, inner == 1, r and chunk % 4 == 0): each output reads its run four at a time.
// SHIFT (inner == 1): each value v becomes exp(v - shift[o]) first (softmax's sum of exponentials).
uniform int outTexels;
uniform int r;
uniform int rOut;
uniform int inner;
uniform int chunk;
uniform sampler2D x; uniform int xLw;
#if SHIFT
uniform sampler2D shift; uniform int shiftLw;
#endif
out vec4 y;

#if RED == 0
#define INIT 0.0
vec4 comb(vec4 acc, vec4 v) { return acc + v; }
#elif RED == 1
#define INIT -intBitsToFloat(0x7f800000)
vec4 comb(vec4 acc, vec4 v) {
  bvec4 g = greaterThan(v, acc), n = isnan(v);
  return select4(acc, v, bvec4(g.x || n.x, g.y || n.y, g.z || n.z, g.w || n.w));
}
#else
#define INIT intBitsToFloat(0x7f800000)
vec4 comb(vec4 acc, vec4 v) {
  bvec4 g = lessThan(v, acc), n = isnan(v);
  return select4(acc, v, bvec4(g.x || n.x, g.y || n.y, g.z || n.z, g.w || n.w));
}
#endif
float comb1(float acc, float v) { return comb(vec4(acc), vec4(v)).x; }
float fold(vec4 v) { return comb1(comb1(comb1(v.x, v.y), v.z), v.w); }

#if MODE == 1
void main() {
  int t = outTexel();
  if (t >= outTexels) return;
  int e = t * 4;
  int p = e / inner;
  int i = e - p * inner;
  int o = p / rOut;
  int q = p - o * rOut;
  int k0 = q * chunk, k1 = min(r, k0 + chunk);
  int base = (o * r * inner + i) >> 2, step = inner >> 2;
  vec4 acc = vec4(INIT);
  for (int k = k0; k < k1; k++) acc = comb(acc, texel(x, xLw, base + k * step));
  y = acc;
}
#else
float at(int e) {
  int p = e / inner;
  int i = e - p * inner;
  int o = p / rOut;
  int q = p - o * rOut;
  int k0 = q * chunk, k1 = min(r, k0 + chunk);
#if SHIFT
  float s = elem(shift, shiftLw, o);
#endif
#if MODE == 2
  vec4 acc = vec4(INIT);
  int base = (o * r) >> 2;
  for (int k = k0 >> 2; k < (k1 >> 2); k++) {
    vec4 v = texel(x, xLw, base + k);
#if SHIFT
    v = exp(v - s);
#endif
    acc = comb(acc, v);
  }
  return fold(acc);
#else
  float acc = INIT;
  for (int k = k0; k < k1; k++) {
    float v = elem(x, xLw, (o * r + k) * inner + i);
#if SHIFT
    v = exp(v - s);
#endif
    acc = comb1(acc, v);
  }
  return acc;
#endif
}
#include "main_at.glsl"
#endif
