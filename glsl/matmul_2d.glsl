// matmul over matrix textures (pack_matrix.glsl; the operands fit a texture): include/matmul_main.glsl.
#define MATRIX 1
#include "matmul_main.glsl"
