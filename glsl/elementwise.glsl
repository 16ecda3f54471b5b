// y = OP(a, b, c): up to three inputs, each read per output texel in one of five ways (MODE_A/B/C):
//   0 SAME  the input has y's layout: texel t
//   1 VEC   the four elements are one aligned texel of the input, at (broadcast index) / 4
//   2 SPLAT the four elements are one input element (broadcast along y's last dim)
//   3 GEN   one element per component (transposes, odd broadcasts, slices)
//   4 CONST all strides 0: one element
// The broadcast index of output element e: its coordinates in the collapsed output shape uDims[RANK]
// times the input's element strides, plus the input's offset.
uniform int outTexels;
uniform int uDims[6];
uniform float p0;
uniform float p1;
out vec4 y;

int offsetOf(int e, int str[6], int off) {
  int o = off;
  for (int d = RANK - 1; d >= 0; d--) {
    int n = uDims[d];
    int q = e / n;
    o += (e - q * n) * str[d];
    e = q;
  }
  return o;
}

#if NIN >= 1
uniform sampler2D a; uniform int aLw; uniform int aStr[6]; uniform int aOff;
vec4 readA(int t) {
#if MODE_A == 0
  return texel(a, aLw, t);
#elif MODE_A == 1
  return texel(a, aLw, offsetOf(t * 4, aStr, aOff) >> 2);
#elif MODE_A == 2
  return vec4(elem(a, aLw, offsetOf(t * 4, aStr, aOff)));
#elif MODE_A == 3
  int e = t * 4;
  return vec4(elem(a, aLw, offsetOf(e, aStr, aOff)), elem(a, aLw, offsetOf(e + 1, aStr, aOff)),
              elem(a, aLw, offsetOf(e + 2, aStr, aOff)), elem(a, aLw, offsetOf(e + 3, aStr, aOff)));
#else
  return vec4(elem(a, aLw, aOff));
#endif
}
#endif

#if NIN >= 2
uniform sampler2D b; uniform int bLw; uniform int bStr[6]; uniform int bOff;
vec4 readB(int t) {
#if MODE_B == 0
  return texel(b, bLw, t);
#elif MODE_B == 1
  return texel(b, bLw, offsetOf(t * 4, bStr, bOff) >> 2);
#elif MODE_B == 2
  return vec4(elem(b, bLw, offsetOf(t * 4, bStr, bOff)));
#elif MODE_B == 3
  int e = t * 4;
  return vec4(elem(b, bLw, offsetOf(e, bStr, bOff)), elem(b, bLw, offsetOf(e + 1, bStr, bOff)),
              elem(b, bLw, offsetOf(e + 2, bStr, bOff)), elem(b, bLw, offsetOf(e + 3, bStr, bOff)));
#else
  return vec4(elem(b, bLw, bOff));
#endif
}
#endif

#if NIN >= 3
uniform sampler2D c; uniform int cLw; uniform int cStr[6]; uniform int cOff;
vec4 readC(int t) {
#if MODE_C == 0
  return texel(c, cLw, t);
#elif MODE_C == 1
  return texel(c, cLw, offsetOf(t * 4, cStr, cOff) >> 2);
#elif MODE_C == 2
  return vec4(elem(c, cLw, offsetOf(t * 4, cStr, cOff)));
#elif MODE_C == 3
  int e = t * 4;
  return vec4(elem(c, cLw, offsetOf(e, cStr, cOff)), elem(c, cLw, offsetOf(e + 1, cStr, cOff)),
              elem(c, cLw, offsetOf(e + 2, cStr, cOff)), elem(c, cLw, offsetOf(e + 3, cStr, cOff)));
#else
  return vec4(elem(c, cLw, cOff));
#endif
}
#endif

// Element-wise helpers the OP expressions use (NaN rules follow the WASM kernels).
vec4 reluOf(vec4 x) { return select4(vec4(0.0), x, greaterThan(x, vec4(0.0))); }
vec4 maxOf(vec4 x, vec4 z) {
  bvec4 ge = greaterThanEqual(x, z), n = isnan(x);
  return select4(z, x, bvec4(ge.x || n.x, ge.y || n.y, ge.z || n.z, ge.w || n.w));
}
vec4 minOf(vec4 x, vec4 z) {
  bvec4 le = lessThanEqual(x, z), n = isnan(x);
  return select4(z, x, bvec4(le.x || n.x, le.y || n.y, le.z || n.z, le.w || n.w));
}
float powOf1(float x, float p) {
  if (p == 0.0) return 1.0;
  float r = pow(abs(x), p);
  if (x == 0.0) r = p > 0.0 ? 0.0 : intBitsToFloat(0x7f800000);
  if (x < 0.0) {
    if (floor(p) != p) return intBitsToFloat(0x7fc00000);
    if (mod(p, 2.0) == 1.0) r = -r;
  }
  return r;
}
vec4 powOf(vec4 x, float p) { return vec4(powOf1(x.x, p), powOf1(x.y, p), powOf1(x.z, p), powOf1(x.w, p)); }
vec4 signOf(vec4 x) { return vec4(greaterThan(x, vec4(0.0))) - vec4(lessThan(x, vec4(0.0))); }
vec4 truncOf(vec4 x) { return select4(trunc(x), vec4(0.0), isnan(x)); }

void main() {
  int t = outTexel();
  if (t >= outTexels) return;
#if NIN == 0
  y = OP(vec4(0.0), vec4(0.0), vec4(0.0));
#elif NIN == 1
  vec4 A = readA(t);
  y = OP(A, A, A);
#elif NIN == 2
  vec4 A = readA(t), B = readB(t);
  y = OP(A, B, B);
#else
  vec4 A = readA(t), B = readB(t), C = readC(t);
  y = OP(A, B, C);
#endif
}
