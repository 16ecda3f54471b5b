// y = x placed at offset lo[] inside zeros: y[k] = x[k - lo] where lo <= k < hi on every dim.
uniform int outTexels;
uniform int uDims[6];
uniform int lo[6];
uniform int hi[6];
uniform int xStr[6];
uniform sampler2D x; uniform int xLw;
out vec4 y;

float at(int e) {
  int o = 0;
  bool inside = true;
  for (int d = RANK - 1; d >= 0; d--) {
    int n = uDims[d];
    int q = e / n;
    int k = e - q * n;
    e = q;
    inside = inside && k >= lo[d] && k < hi[d];
    o += (k - lo[d]) * xStr[d];
  }
  return inside ? elem(x, xLw, o) : 0.0;
}

#include "main_at.glsl"
