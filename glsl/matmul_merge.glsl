// C[m, n] from matmul.glsl's block layers: the sum over the S split-K partials of layer
// (m % R)·CB + (n/4) % CB at texel s·blocks + (m / R)·nbc + n / (4·CB). VEC (N % 4 == 0): one texel
// per output texel. BIAS adds bias[n].
uniform int outTexels;
uniform int n;        // columns of C
uniform int blocks;
uniform int nbc;
uniform int splits;
uniform sampler2DArray parts; uniform int partsLw;
#if BIAS
uniform sampler2D bias; uniform int biasLw;
#endif
out vec4 y;

vec4 partial(int m, int nt) {
  int bn = nt / CB;
  int layer = (m % R) * CB + (nt - bn * CB);
  int t = (m / R) * nbc + bn;
  vec4 acc = vec4(0.0);
  for (int s = 0; s < splits; s++) acc += texelL(parts, partsLw, t + s * blocks, layer);
  return acc;
}

void main() {
  int t = outTexel();
  if (t >= outTexels) return;
  int e = t * 4;
#if VEC
  int m = e / n;
  int col = e - m * n;
  y = partial(m, col >> 2);
#if BIAS
  y += texel(bias, biasLw, col >> 2);
#endif
#else
  vec4 v;
  for (int c = 0; c < 4; c++) {
    int m = (e + c) / n;
    int col = e + c - m * n;
    v[c] = partial(m, col >> 2)[col & 3];
#if BIAS
    v[c] += elem(bias, biasLw, col);
#endif
  }
  y = v;
#endif
}
