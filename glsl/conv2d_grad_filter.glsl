// conv2d_grad_filter on the flat layout (X' or dy' too large for a matrix texture):
// include/conv2d_grad_filter_main.glsl.
#define MATRIX 0
#include "conv2d_grad_filter_main.glsl"
