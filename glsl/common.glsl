// Shared by every fragment program (prepended after the defines). A tensor is a sampler plus the
// log2 of its texture width: element e is component e & 3 of texel e >> 2, texel t sits at
// (t & (width - 1), t >> lw). See src/backends/webgl/layout.ts.
precision highp float;
precision highp int;
precision highp sampler2D;
precision highp sampler2DArray;

vec4 texel(sampler2D s, int lw, int t) {
  return texelFetch(s, ivec2(t & ((1 << lw) - 1), t >> lw), 0);
}
float elem(sampler2D s, int lw, int e) {
  return texel(s, lw, e >> 2)[e & 3];
}
vec4 texelL(sampler2DArray s, int lw, int t, int layer) {
  return texelFetch(s, ivec3(t & ((1 << lw) - 1), t >> lw, layer), 0);
}

uniform int outLw;
/** Index of the output texel this fragment writes. */
int outTexel() {
  ivec2 c = ivec2(gl_FragCoord.xy);
  return (c.y << outLw) | c.x;
}

vec4 select4(vec4 no, vec4 yes, bvec4 c) {
  return vec4(c.x ? yes.x : no.x, c.y ? yes.y : no.y, c.z ? yes.z : no.z, c.w ? yes.w : no.w);
}
