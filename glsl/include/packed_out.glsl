// The output texel of a repacking program (conv_pack_input, conv_pack_filter) in its target: the
// flat layout, or with MATRIX a matrix texture of rowTexels texels per row, texel t at
// (t % rowTexels, t / rowTexels).
#if MATRIX
uniform int rowTexels;
int packedTexel() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  return p.y * rowTexels + p.x;
}
#else
int packedTexel() { return outTexel(); }
#endif
