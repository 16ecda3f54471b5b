// Repacks a filter w [O, I, KH, KW] as W'[out, kh, kw] with four input channels per texel:
// texel ((out·KH + kh)·KW + kw)·IN4 + ib (MATRIX: one output channel per texture row).
// Plain: out = o, in = i, W'[o, kh, kw, i] = w[o, i, kh, kw].
// FLIP (the input gradient, a convolution with the flipped, transposed filter): out = i, in = o,
// W'[i, kh, kw, o] = w[o, i, KH−1−kh, KW−1−kw]. Missing channels are zero.
uniform int outTexels;
uniform int O; uniform int I; uniform int KH; uniform int KW;
uniform int IN4;
uniform sampler2D w; uniform int wLw;
#include "packed_out.glsl"
out vec4 y;

void main() {
  int t = packedTexel();
  if (t >= outTexels) return;
  int q = t / IN4;
  int ib = t - q * IN4;
  int r = q / KW;
  int kw = q - r * KW;
  int out0 = r / KH;
  int kh = r - out0 * KH;
  vec4 v = vec4(0.0);
  for (int j = 0; j < 4; j++) {
    int in0 = ib * 4 + j;
#if FLIP
    if (in0 < O) v[j] = elem(w, wLw, ((in0 * I + out0) * KH + (KH - 1 - kh)) * KW + (KW - 1 - kw));
#else
    if (in0 < I) v[j] = elem(w, wLw, ((out0 * I + in0) * KH + kh) * KW + kw);
#endif
  }
  y = v;
}
