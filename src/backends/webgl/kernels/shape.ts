// Data-movement kernels on WebGL: strided reads (transpose, slice, broadcastTo) through the
// elementwise program, and pad, concat, gather/scatter of rows. Reshape shares the texture.
import { BroadcastTo, Concat, GatherRows, Pad, Reshape, ScatterAddRows, Slice, Transpose } from '../../../core/kernels.js';
import type { TensorInfo } from '../../../core/backend.js';
import { registerKernel } from '../../registry.js';
import { broadcastStrides } from '../../../core/broadcast.js';
import { sizeOf, stridesOf } from '../../../core/types.js';
import type { Tex } from '../texture_pool.js';
import type { WebGLBackend } from '../backend.js';
import { elementwise } from './elementwise.js';

const pad6 = (a: number[]) => [...a, ...new Array(6 - a.length).fill(0)];

registerKernel('webgl', Transpose, ([x], { perm }, bk) => {
  const s = stridesOf(x.shape);
  return [
    elementwise(
      bk as WebGLBackend,
      perm.map((p: number) => x.shape[p]),
      x.dtype,
      'A',
      [{ t: x, strides: perm.map((p: number) => s[p]) }],
    ),
  ];
});

registerKernel('webgl', Slice, ([x], { begin, size }, bk) => {
  const s = stridesOf(x.shape);
  const offset = begin.reduce((o: number, b: number, i: number) => o + b * s[i], 0);
  return [elementwise(bk as WebGLBackend, size.slice(), x.dtype, 'A', [{ t: x, strides: s, offset }])];
});

registerKernel('webgl', BroadcastTo, ([x], { shape }, bk) => [
  elementwise(bk as WebGLBackend, shape.slice(), x.dtype, 'A', [{ t: x, strides: broadcastStrides(x.shape, shape) }]),
]);

registerKernel('webgl', Reshape, ([x], { shape }, bk) => {
  bk.incRef(x.dataId);
  return [{ dataId: x.dataId, shape: shape.slice(), dtype: x.dtype }];
});

/** Zero padding of x by paddings[d] = [before, after] (also the repacking step of other kernels). */
export function padTensor(be: WebGLBackend, x: TensorInfo, paddings: number[][]): TensorInfo {
  const shape = x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
  const n = sizeOf(shape);
  if (n === 0) return be.out(shape, x.dtype);
  if (sizeOf(x.shape) === 0) return elementwise(be, shape, x.dtype, 'vec4(0.0)', []);
  const y = be.out(shape, x.dtype);
  if (shape.length > 6) throw new Error('webgl pad: rank above 6');
  const rank = Math.max(1, shape.length);
  const dims = shape.length ? shape : [1];
  be.run({
    program: 'pad',
    defines: { RANK: rank },
    inputs: { x },
    uniforms: {
      uDims: pad6(dims),
      lo: pad6(paddings.map((p) => p[0])),
      hi: pad6(paddings.map((p, i) => p[0] + x.shape[i])),
      xStr: pad6(stridesOf(x.shape)),
    },
    output: be.texOf(y),
    texels: Math.ceil(n / 4),
    cost: 4 * rank,
  });
  return y;
}

registerKernel('webgl', Pad, ([x], { paddings }, bk) => [padTensor(bk as WebGLBackend, x, paddings)]);

registerKernel('webgl', Concat, (xs, { axis }, bk) => {
  const be = bk as WebGLBackend;
  const shape = xs[0].shape.slice();
  shape[axis] = xs.reduce((n, x) => n + x.shape[axis], 0);
  const n = sizeOf(shape);
  const y = be.out(shape, xs[0].dtype);
  if (n === 0) return [y];
  const inner = sizeOf(shape.slice(axis + 1));
  const parts: { x: TensorInfo; start: number }[] = [];
  let start = 0;
  for (const x of xs) {
    if (sizeOf(x.shape)) parts.push({ x, start });
    start += x.shape[axis];
  }
  // four inputs per pass; later passes copy the earlier ones through `prev`
  let prev: Tex | null = null;
  for (let i = 0; i < parts.length; i += 4) {
    const group = parts.slice(i, i + 4);
    const last = i + 4 >= parts.length;
    const target = last ? be.texOf(y) : be.temp(n);
    const inputs: Record<string, any> = {};
    group.forEach((p, k) => {
      inputs['x' + k] = p.x;
    });
    if (prev) inputs.prev = prev;
    be.run({
      program: 'concat',
      defines: { NIN: group.length, PREV: prev ? 1 : 0, VEC: inner % 4 === 0 ? 1 : 0 },
      inputs,
      uniforms: {
        axisLen: shape[axis],
        inner,
        start: [0, 1, 2, 3].map((k) => group[k]?.start ?? 0),
        len: [0, 1, 2, 3].map((k) => group[k]?.x.shape[axis] ?? 0),
      },
      output: target,
      texels: Math.ceil(n / 4),
      cost: 4 * group.length,
    });
    if (prev) be.releaseTemp(prev);
    prev = last ? null : target;
  }
  return [y];
});

// Rows of x by index (axis 0); indices checked by the op.
registerKernel('webgl', GatherRows, ([x, idx], _attrs, bk) => {
  const be = bk as WebGLBackend;
  const m = sizeOf(idx.shape),
    rowLen = sizeOf(x.shape.slice(1));
  const y = be.out([m, ...x.shape.slice(1)], x.dtype);
  if (!m || !rowLen) return [y];
  be.run({
    program: 'gather_rows',
    defines: { VEC: rowLen % 4 === 0 ? 1 : 0 },
    inputs: { x, idx },
    uniforms: { rowLen },
    output: be.texOf(y),
    texels: Math.ceil((m * rowLen) / 4),
    cost: 8,
  });
  return [y];
});

// y[numRows, ...] = sum of the rows x[i] with idx[i] = row (the gradient of GatherRows).
registerKernel('webgl', ScatterAddRows, ([x, idx], { numRows }, bk) => {
  const be = bk as WebGLBackend;
  const m = sizeOf(idx.shape),
    rowLen = sizeOf(x.shape.slice(1));
  const shape = [numRows, ...x.shape.slice(1)];
  if (!m) return [elementwise(be, shape, 'float32', 'vec4(0.0)', [])];
  const y = be.out(shape);
  if (!sizeOf(shape)) return [y];
  be.run({
    program: 'scatter_add_rows',
    defines: { VEC: rowLen % 4 === 0 ? 1 : 0 },
    inputs: { x, idx },
    uniforms: { rowLen, m },
    output: be.texOf(y),
    texels: Math.ceil((numRows * rowLen) / 4),
    cost: m * 2,
  });
  return [y];
});
