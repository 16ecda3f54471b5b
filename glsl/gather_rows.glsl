// y[i, :] = x[idx[i], :] for rows of rowLen elements; VEC: rowLen % 4 == 0.
uniform int outTexels;
uniform int rowLen;
uniform sampler2D x; uniform int xLw;
uniform sampler2D idx; uniform int idxLw;
out vec4 y;

int src(int e) {
  int i = e / rowLen;
  int r = int(elem(idx, idxLw, i));
  return r * rowLen + (e - i * rowLen);
}

void main() {
  int t = outTexel();
  if (t >= outTexels) return;
  int e = t * 4;
#if VEC
  y = texel(x, xLw, src(e) >> 2);
#else
  y = vec4(elem(x, xLw, src(e)), elem(x, xLw, src(e + 1)), elem(x, xLw, src(e + 2)), elem(x, xLw, src(e + 3)));
#endif
}
