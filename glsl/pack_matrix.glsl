// A flat [rows, cols] tensor as a matrix texture: texel (x, y) = x[y, 4x .. 4x+3], zero past the
// tensor. Matrix textures give matmul_2d.glsl its operands with no address arithmetic per fetch.
uniform int rows;
uniform int cols;
uniform sampler2D x; uniform int xLw;
out vec4 y;

void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  int c0 = p.x * 4;
  vec4 v = vec4(0.0);
  if (p.y < rows) {
    int e = p.y * cols + c0;
    if ((cols & 3) == 0 && c0 < cols) {
      v = texel(x, xLw, e >> 2);
    } else {
      for (int j = 0; j < 4; j++) if (c0 + j < cols) v[j] = elem(x, xLw, e + j);
    }
  }
  y = v;
}
