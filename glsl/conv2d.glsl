// conv2d on the flat layout (X' or W' too large for a matrix texture): include/conv2d_main.glsl.
#define MATRIX 0
#include "conv2d_main.glsl"
