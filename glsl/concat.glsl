// Up to four inputs of a concatenation along an axis: y viewed as [outer, axisLen, inner], input k
// covers axis positions [start[k], start[k] + len[k]). Elements no input of this pass covers come
// from `prev` (the previous pass) when PREV is set. VEC: inner % 4 == 0, one texel per output texel.
uniform int outTexels;
uniform int axisLen;
uniform int inner;
uniform int start[4];
uniform int len[4];
uniform sampler2D x0; uniform int x0Lw;
uniform sampler2D x1; uniform int x1Lw;
uniform sampler2D x2; uniform int x2Lw;
uniform sampler2D x3; uniform int x3Lw;
#if PREV
uniform sampler2D prev; uniform int prevLw;
#endif
out vec4 y;

// Source element of output element e in input k, or -1.
int src(int e, int k) {
  int q = e / inner;
  int i = e - q * inner;
  int o = q / axisLen;
  int a = q - o * axisLen - start[k];
  return a >= 0 && a < len[k] ? (o * len[k] + a) * inner + i : -1;
}

#if VEC
vec4 at4(int e) {
  int s;
  s = src(e, 0); if (s >= 0) return texel(x0, x0Lw, s >> 2);
#if NIN >= 2
  s = src(e, 1); if (s >= 0) return texel(x1, x1Lw, s >> 2);
#endif
#if NIN >= 3
  s = src(e, 2); if (s >= 0) return texel(x2, x2Lw, s >> 2);
#endif
#if NIN >= 4
  s = src(e, 3); if (s >= 0) return texel(x3, x3Lw, s >> 2);
#endif
#if PREV
  return texel(prev, prevLw, e >> 2);
#else
  return vec4(0.0);
#endif
}
#else
float at(int e) {
  int s;
  s = src(e, 0); if (s >= 0) return elem(x0, x0Lw, s);
#if NIN >= 2
  s = src(e, 1); if (s >= 0) return elem(x1, x1Lw, s);
#endif
#if NIN >= 3
  s = src(e, 2); if (s >= 0) return elem(x2, x2Lw, s);
#endif
#if NIN >= 4
  s = src(e, 3); if (s >= 0) return elem(x3, x3Lw, s);
#endif
#if PREV
  return elem(prev, prevLw, e);
#else
  return 0.0;
#endif
}
#endif

void main() {
  int t = outTexel();
  if (t >= outTexels) return;
  int e = t * 4;
#if VEC
  y = at4(e);
#else
  y = vec4(at(e), at(e + 1), at(e + 2), at(e + 3));
#endif
}
