// y[o, i] = the first k maximizing x[(o * r + k) * inner + i] (NaN wins, as in the WASM kernel);
// written as a float (int32 tensors hold their values as floats).
uniform int outTexels;
uniform int r;
uniform int inner;
uniform sampler2D x; uniform int xLw;
out vec4 y;

float at(int e) {
  int o = e / inner;
  int i = e - o * inner;
  int base = o * r * inner + i;
  float best = elem(x, xLw, base);
  int bi = 0;
  for (int k = 1; k < r; k++) {
    float v = elem(x, xLw, base + k * inner);
    if (v > best || (isnan(v) && !isnan(best))) { best = v; bi = k; }
  }
  return float(bi);
}

#include "main_at.glsl"
