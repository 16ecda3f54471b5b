// Operands stored as matrices of texels (the packed operands of conv2d, conv2d_grad_filter and
// matmul): MTEXEL(s, mask, lw, rowLen, c, r) is texel c of row r. MATRIX 1 (the *_2d programs): a
// matrix texture, one matrix row per texture row, read at (c, r) with no address arithmetic.
// MATRIX 0: the flat layout (texel.glsl), texel r·rowLen + c; mask = texture width − 1, which the
// caller computes once rather than per fetch. Only MATRIX 0 reads mask, lw and rowLen.
#if MATRIX
#define MTEXEL(s, mask, lw, rowLen, c, r) texelFetch(s, ivec2(c, r), 0)
#else
#define MTEXEL(s, mask, lw, rowLen, c, r) texelAt(s, mask, lw, (r) * (rowLen) + (c))
vec4 texelAt(sampler2D s, int mask, int lw, int t) { return texelFetch(s, ivec2(t & mask, t >> lw), 0); }
#endif
