// Fragment side of the max-pool gradient scatter (max_pool_scatter_vs.glsl): adds dy into one
// component of its dx texel; float blending sums the windows that chose the same element.
flat in int comp;
flat in float value;
out vec4 dx;

void main() {
  vec4 v = vec4(0.0);
  v[comp] = value;
  dx = v;
}
