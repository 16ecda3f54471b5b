// Vertex shader of max_pool_scatter: point i is dy element i, placed on the texel of dx that holds
// the input element its window chose (plane·H·W + argmax); empty windows (argmax −1) fall outside.
#include "precision.glsl"
#include "texel.glsl"
uniform int outLw;
uniform int outRows;
uniform int HW;       // input elements per plane
uniform int OHW;      // outputs per plane
uniform sampler2D dy; uniform int dyLw;
uniform sampler2D arg; uniform int argLw;
flat out int comp;
flat out float value;

void main() {
  int i = gl_VertexID;
  int a = int(elem(arg, argLw, i));
  value = elem(dy, dyLw, i);
  int e = (i / OHW) * HW + a;
  comp = e & 3;
  int t = e >> 2;
  vec2 px = vec2(float(t & ((1 << outLw) - 1)), float(t >> outLw)) + 0.5;
  vec2 size = vec2(float(1 << outLw), float(outRows));
  gl_Position = a < 0 ? vec4(2.0, 2.0, 0.0, 1.0) : vec4(px / size * 2.0 - 1.0, 0.0, 1.0);
  gl_PointSize = 1.0;
}
