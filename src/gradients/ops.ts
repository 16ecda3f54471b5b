// The ops the gradient rules are written with (one import point for the rules), including the
// backward kernels' ops that the public API does not export.
export * from '../ops/elementwise.js';
export * from '../ops/reduce.js';
export * from '../ops/shape.js';
export * from '../ops/matmul.js';
export * from '../ops/creation.js';
export * from '../ops/nn.js';
export { conv2dBackpropFilter, conv2dBackpropInput, maxPool2dGrad } from '../ops/conv.js';
export { instanceNormGrad } from '../ops/norm.js';
export { roiAlignGrad, roiPoolGrad } from '../ops/roi.js';
export { smoothL1Grad } from '../ops/smoothL1.js';
import { greater } from '../ops/elementwise.js';
import { affine } from '../ops/elementwise.js';
import type { Tensor } from '../tensor/tensor.js';
/** 1 where a <= b (ties to a) else 0. */
export function lessEqualMask(a: Tensor, b: Tensor): Tensor {
  const g = greater(a, b);
  const m = affine(g, -1, 1);
  g.dispose();
  return m;
}
