// The R × BC accumulators of the block (see block/targets.glsl), zeroed.
vec4 z = vec4(0.0);
vec4 c00 = z;
#if R > 1
vec4 c10 = z;
#endif
#if R > 2
vec4 c20 = z, c30 = z;
#endif
#if R > 4
vec4 c40 = z, c50 = z, c60 = z, c70 = z;
#endif
#if BC > 1
vec4 c01 = z;
#if R > 1
vec4 c11 = z;
#endif
#if R > 2
vec4 c21 = z, c31 = z;
#endif
#endif
