// matmul on the flat layout (an operand too wide or tall for a matrix texture): include/matmul_main.glsl.
#define MATRIX 0
#include "matmul_main.glsl"
