// highp everywhere: tensors are float32 and texel indices need 32-bit ints (sampler2DArray has no
// default precision in either stage).
precision highp float;
precision highp int;
precision highp sampler2D;
precision highp sampler2DArray;
