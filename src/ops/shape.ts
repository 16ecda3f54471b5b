// Shape ops: reshape, transpose, slice, concat, gather rows, broadcastTo, pad.
import { BroadcastTo, Concat, GatherRows, Pad, Reshape, ScatterAddRows, Slice, Transpose } from '../core/kernels.js';
import { engine } from '../tensor/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import { broadcastShapes } from '../core/broadcast.js';
import { sameShape, shapeStr, sizeOf } from '../core/types.js';
import { checkDtype, checkTensor, normAxis } from './util.js';

/** Same values, new shape (one dim may be -1). Shares the bytes. */
export function reshape(x: Tensor, shape: number[]): Tensor {
  checkTensor('reshape', 'x', x);
  const s = shape.slice();
  const neg = s.indexOf(-1);
  if (neg >= 0) {
    const rest = sizeOf(s.filter((_, i) => i !== neg));
    if (s.indexOf(-1, neg + 1) >= 0 || rest === 0 || x.size % rest !== 0) {
      throw new Error(`reshape: cannot reshape ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
    }
    s[neg] = x.size / rest;
  }
  if (s.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(s) !== x.size) {
    throw new Error(`reshape: cannot reshape ${shapeStr(x.shape)} (${x.size} elements) to ${shapeStr(shape)}`);
  }
  return engine.runKernel(Reshape, [x], { shape: s })[0];
}

/** Collapses all dims after the first: [N, ...] -> [N, prod(...)]. */
export function flatten(x: Tensor): Tensor {
  return reshape(x, [x.shape[0], -1]);
}

export function transpose(x: Tensor, perm?: number[]): Tensor {
  checkTensor('transpose', 'x', x);
  const p = perm ?? x.shape.map((_, i) => x.rank - 1 - i);
  if (p.length !== x.rank || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) {
    throw new Error(`transpose: perm ${JSON.stringify(perm)} is not a permutation of the axes of ${shapeStr(x.shape)}`);
  }
  return engine.runKernel(Transpose, [x], { perm: p })[0];
}

/** x[begin : begin+size] per axis; size -1 means to the end. */
export function slice(x: Tensor, begin: number[], size?: number[]): Tensor {
  checkTensor('slice', 'x', x);
  if (begin.length !== x.rank || (size && size.length !== x.rank)) {
    throw new Error(`slice: begin ${JSON.stringify(begin)} / size ${JSON.stringify(size)} do not match rank ${x.rank}`);
  }
  const sz = x.shape.map((d, i) => (size === undefined || size[i] === -1 ? d - begin[i] : size[i]));
  x.shape.forEach((d, i) => {
    if (!Number.isInteger(begin[i]) || begin[i] < 0 || sz[i] < 0 || begin[i] + sz[i] > d) {
      throw new Error(`slice: begin ${JSON.stringify(begin)} size ${JSON.stringify(sz)} out of bounds for ${shapeStr(x.shape)}`);
    }
  });
  return engine.runKernel(Slice, [x], { begin: begin.slice(), size: sz })[0];
}

export function concat(xs: Tensor[], axis = 0): Tensor {
  if (!xs.length) throw new Error('concat: no tensors');
  xs.forEach((x, i) => checkTensor('concat', `xs[${i}]`, x));
  const a = normAxis('concat', axis, xs[0].rank);
  for (const x of xs) {
    if (x.rank !== xs[0].rank || x.dtype !== xs[0].dtype || x.shape.some((d, i) => i !== a && d !== xs[0].shape[i])) {
      throw new Error(`concat: shapes ${xs.map((t) => t.dtype + shapeStr(t.shape)).join(', ')} do not match outside axis ${a}`);
    }
  }
  if (xs.length === 1) return reshape(xs[0], xs[0].shape);
  return engine.runKernel(Concat, xs, { axis: a })[0];
}

export function stack(xs: Tensor[], axis = 0): Tensor {
  const expanded = xs.map((x) => reshape(x, [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)]));
  const y = concat(expanded, axis);
  expanded.forEach((t) => t.dispose());
  return y;
}

/** Rows of x (axis 0) picked by int32 indices, in the indices' order (repeats allowed). */
export function gather(x: Tensor, indices: Tensor | number[]): Tensor {
  checkTensor('gather', 'x', x);
  const idx = Array.isArray(indices) ? engine.makeTensor(Int32Array.from(indices), [indices.length], 'int32') : indices;
  checkTensor('gather', 'indices', idx);
  checkDtype('gather', 'indices', idx, 'int32');
  if (x.rank < 1) throw new Error('gather: x must have rank >= 1');
  const v = idx.dataSync();
  for (let i = 0; i < v.length; i++) {
    if (v[i] < 0 || v[i] >= x.shape[0])
      throw new Error(`gather: index ${v[i]} at ${i} is outside [0, ${x.shape[0]}) for ${shapeStr(x.shape)}`);
  }
  const [flat] = engine.runKernel(GatherRows, [x, idx]);
  if (idx !== indices) idx.dispose();
  if (idx.rank === 1) return flat;
  const y = reshape(flat, [...idx.shape, ...x.shape.slice(1)]);
  flat.dispose();
  return y;
}

/**
 * y[numRows, ...] = Σ of the rows x[i] with indices[i] = row: the gradient of gather (indices are
 * int32, m of them in [0, numRows), as gather checked them).
 */
export function scatterAddRows(x: Tensor, indices: Tensor, numRows: number): Tensor {
  checkTensor('scatterAddRows', 'x', x);
  checkTensor('scatterAddRows', 'indices', indices);
  checkDtype('scatterAddRows', 'indices', indices, 'int32');
  if (indices.size !== x.shape[0]) {
    throw new Error(`scatterAddRows: indices ${shapeStr(indices.shape)} must hold ${x.shape[0]} rows for x ${shapeStr(x.shape)}`);
  }
  return engine.runKernel(ScatterAddRows, [x, indices], { numRows })[0];
}

export function broadcastTo(x: Tensor, shape: number[]): Tensor {
  checkTensor('broadcastTo', 'x', x);
  const s = broadcastShapes(x.shape, shape, 'broadcastTo');
  if (!sameShape(s, shape)) {
    throw new Error(`broadcastTo: ${shapeStr(x.shape)} cannot be broadcast to ${shapeStr(shape)}`);
  }
  return engine.runKernel(BroadcastTo, [x], { shape: shape.slice() })[0];
}

/** Zero padding: paddings[i] = [before, after]. */
export function pad(x: Tensor, paddings: [number, number][]): Tensor {
  checkTensor('pad', 'x', x);
  if (paddings.length !== x.rank || paddings.some((p) => p.length !== 2 || p.some((v) => !Number.isInteger(v) || v < 0))) {
    throw new Error(`pad: paddings ${JSON.stringify(paddings)} do not fit ${shapeStr(x.shape)}`);
  }
  return engine.runKernel(Pad, [x], { paddings })[0];
}
