// The flat layout (src/backends/webgl/layout.ts): a tensor is a sampler plus the log2 `lw` of its
// texture width; element e is component e & 3 of texel e >> 2, texel t sits at (t & (width − 1),
// t >> lw). Guarded because common.glsl, prepended to every fragment program at run time, has it.
#ifndef TEXEL_GLSL
#define TEXEL_GLSL
vec4 texel(sampler2D s, int lw, int t) {
  return texelFetch(s, ivec2(t & ((1 << lw) - 1), t >> lw), 0);
}
float elem(sampler2D s, int lw, int e) {
  return texel(s, lw, e >> 2)[e & 3];
}
vec4 texelL(sampler2DArray s, int lw, int t, int layer) {
  return texelFetch(s, ivec3(t & ((1 << lw) - 1), t >> lw, layer), 0);
}
#endif
