// y[r, :] = sum of x[i, :] over the m rows i with idx[i] == r (rows of rowLen elements).
// Each output element scans the indices; VEC: rowLen % 4 == 0, one texel of x per match.
uniform int outTexels;
uniform int rowLen;
uniform int m;
uniform sampler2D x; uniform int xLw;
uniform sampler2D idx; uniform int idxLw;
out vec4 y;

#if VEC
void main() {
  int t = outTexel();
  if (t >= outTexels) return;
  int e = t * 4;
  int r = e / rowLen;
  int j = e - r * rowLen;
  vec4 acc = vec4(0.0);
  for (int i0 = 0; i0 < m; i0 += 4) {
    vec4 ids = texel(idx, idxLw, i0 >> 2);
    for (int k = 0; k < 4; k++) {
      if (i0 + k < m && int(ids[k]) == r) acc += texel(x, xLw, ((i0 + k) * rowLen + j) >> 2);
    }
  }
  y = acc;
}
#else
float at(int e) {
  int r = e / rowLen;
  int j = e - r * rowLen;
  float acc = 0.0;
  for (int i0 = 0; i0 < m; i0 += 4) {
    vec4 ids = texel(idx, idxLw, i0 >> 2);
    for (int k = 0; k < 4; k++) {
      if (i0 + k < m && int(ids[k]) == r) acc += elem(x, xLw, (i0 + k) * rowLen + j);
    }
  }
  return acc;
}
#include "main_at.glsl"
#endif
