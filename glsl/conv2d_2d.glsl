// conv2d over matrix textures (X' and W' fit a texture as matrices): include/conv2d_main.glsl.
#define MATRIX 1
#include "conv2d_main.glsl"
