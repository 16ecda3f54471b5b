// Shared by every fragment program (prepended after the defines by program_cache.ts): precision, the
// flat layout's addressing and the output texel. Snippets for some programs only are in include/.
#include "precision.glsl"
#include "texel.glsl"

uniform int outLw;
/** Index of the output texel this fragment writes. */
int outTexel() {
  ivec2 c = ivec2(gl_FragCoord.xy);
  return (c.y << outLw) | c.x;
}

vec4 select4(vec4 no, vec4 yes, bvec4 c) {
  return vec4(c.x ? yes.x : no.x, c.y ? yes.y : no.y, c.z ? yes.z : no.z, c.w ? yes.w : no.w);
}
