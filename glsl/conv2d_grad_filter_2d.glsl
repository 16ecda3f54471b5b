// conv2d_grad_filter over matrix textures (X' and dy' fit a texture as matrices):
// include/conv2d_grad_filter_main.glsl.
#define MATRIX 1
#include "conv2d_grad_filter_main.glsl"
