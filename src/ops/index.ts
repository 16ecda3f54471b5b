// All public ops. (The backward kernels' ops, used by the gradient rules in src/gradients/, stay out
// of the public API.)
export * from './creation.js';
export * from './elementwise.js';
export * from './reduce.js';
export { reshape, flatten, transpose, slice, concat, stack, gather, broadcastTo, pad } from './shape.js';
export * from './matmul.js';
export { conv2d, maxPool2d, type Conv2dOptions, type MaxPool2dOptions } from './conv.js';
export * from './nn.js';
export { roiPool, roiPoolWithArgmax, roiAlign, type RoiPoolOptions, type RoiAlignOptions } from './roi.js';
export { smoothL1, type SmoothL1Options } from './smoothL1.js';
export { instanceNorm, type InstanceNormOptions } from './norm.js';
