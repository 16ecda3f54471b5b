// Reductions over axes (all axes when none are given).
import { Affine, ArgMax, Max, Min, Sum } from '../core/kernels.js';
import { engine } from '../tensor/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import { sizeOf } from '../core/types.js';
import { checkDtype, checkTensor, normAxis } from './util.js';

function axesOf(op: string, x: Tensor, axis?: number | number[]): number[] {
  if (axis === undefined) return x.shape.map((_, i) => i);
  const list = typeof axis === 'number' ? [axis] : axis;
  return [...new Set(list.map((a) => normAxis(op, a, x.rank)))];
}

function reduce(kernel: typeof Sum | typeof Max | typeof Min, op: string, x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  checkTensor(op, 'x', x);
  checkDtype(op, 'x', x, 'float32');
  return engine.runKernel(kernel, [x], { axes: axesOf(op, x, axis), keepDims })[0];
}

export function sum(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  return reduce(Sum, 'sum', x, axis, keepDims);
}
export function max(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  if (x.size === 0) throw new Error('max: empty tensor');
  return reduce(Max, 'max', x, axis, keepDims);
}
export function min(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  if (x.size === 0) throw new Error('min: empty tensor');
  return reduce(Min, 'min', x, axis, keepDims);
}

export function mean(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  const axes = axesOf('mean', x, axis);
  const n = sizeOf(axes.map((a) => x.shape[a]));
  const s = sum(x, axes, keepDims);
  const m = engine.runKernel(Affine, [s], { scale: 1 / n, shift: 0 })[0];
  s.dispose();
  return m;
}

/** Index of the first maximum along `axis` (int32). */
export function argMax(x: Tensor, axis = -1): Tensor {
  checkTensor('argMax', 'x', x);
  checkDtype('argMax', 'x', x, 'float32');
  const a = normAxis('argMax', axis, x.rank);
  if (x.shape[a] === 0) throw new Error('argMax: empty axis');
  return engine.runKernel(ArgMax, [x], { axis: a })[0];
}
