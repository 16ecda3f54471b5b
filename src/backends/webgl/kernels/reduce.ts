// Reductions on WebGL: reduced axes are taken in contiguous runs from the innermost, each run a
// [outer, r, inner] reduction done in passes of at most `chunk` values per output (glsl/reduce.glsl),
// so no fragment loops over a whole large tensor. Softmax = row max, row sum of exp(x - max), one
// elementwise pass.
import { ArgMax, LogSoftmax, Max, Min, Softmax, Sum } from '../../../core/kernels.js';
import { reductionRuns } from '../../../core/reduction.js';
import type { TensorInfo } from '../../../core/backend.js';
import { registerKernel } from '../../registry.js';
import { sizeOf, stridesOf } from '../../../core/types.js';
import type { WebGLBackend } from '../backend.js';
import { elementwise } from './elementwise.js';

type ReduceOp = 'OP_SUM' | 'OP_MAX' | 'OP_MIN';
const INIT: Record<ReduceOp, string> = {
  OP_SUM: 'vec4(0.0)',
  OP_MAX: 'vec4(-intBitsToFloat(0x7f800000))',
  OP_MIN: 'vec4(intBitsToFloat(0x7f800000))',
};

/** Values per output of one pass. */
function chunkOf(r: number): number {
  if (r <= 512) return r;
  return Math.max(64, Math.ceil(Math.sqrt(r) / 4) * 4);
}

/** x [outer, r, inner] -> [outer, inner] (as a flat tensor of `outShape`). `shift` (inner == 1): exp(x - shift[o]). */
function reduceRun(
  be: WebGLBackend,
  x: TensorInfo,
  outer: number,
  r: number,
  inner: number,
  op: ReduceOp,
  outShape: number[],
  shift?: TensorInfo,
): TensorInfo {
  if (r === 0 || outer * inner === 0) return elementwise(be, outShape, 'float32', INIT[op], []);
  let cur = x,
    curR = r,
    first = true;
  for (;;) {
    const chunk = chunkOf(curR);
    const rOut = Math.ceil(curR / chunk);
    const mode = inner % 4 === 0 ? 1 : inner === 1 && curR % 4 === 0 && chunk % 4 === 0 ? 2 : 0;
    const useShift = first && shift;
    const y = be.out(rOut === 1 ? outShape : [outer, rOut, inner]);
    const n = outer * rOut * inner;
    be.run({
      program: 'reduce',
      defines: { RED: ['OP_SUM', 'OP_MAX', 'OP_MIN'].indexOf(op), MODE: mode, SHIFT: useShift ? 1 : 0 },
      inputs: useShift ? { x: cur, shift: shift! } : { x: cur },
      uniforms: { r: curR, rOut, inner, chunk },
      output: be.texOf(y),
      texels: Math.ceil(n / 4),
      cost: mode ? chunk : 4 * chunk,
    });
    if (cur !== x) be.decRef(cur.dataId);
    cur = y;
    curR = rOut;
    first = false;
    if (rOut === 1) return cur;
  }
}

function reduce(be: WebGLBackend, x: TensorInfo, axes: number[], op: ReduceOp, keepDims: boolean): TensorInfo {
  const { runs, keptShape, finalShape } = reductionRuns(x.shape, axes);
  let cur = x;
  for (const { outer, r, inner, shape } of runs) {
    const y = reduceRun(be, cur, outer, r, inner, op, shape);
    if (cur !== x) be.decRef(cur.dataId);
    cur = y;
  }
  if (cur === x) cur = elementwise(be, x.shape.slice(), 'float32', 'A', [{ t: x, strides: stridesOf(x.shape) }]); // no axes: copy
  return { dataId: cur.dataId, shape: keepDims ? keptShape : finalShape, dtype: 'float32' };
}

registerKernel('webgl', Sum, ([x], { axes, keepDims }, bk) => [reduce(bk as WebGLBackend, x, axes, 'OP_SUM', !!keepDims)]);
registerKernel('webgl', Max, ([x], { axes, keepDims }, bk) => [reduce(bk as WebGLBackend, x, axes, 'OP_MAX', !!keepDims)]);
registerKernel('webgl', Min, ([x], { axes, keepDims }, bk) => [reduce(bk as WebGLBackend, x, axes, 'OP_MIN', !!keepDims)]);

registerKernel('webgl', ArgMax, ([x], { axis }, bk) => {
  const be = bk as WebGLBackend;
  const shape = x.shape.filter((_, k) => k !== axis);
  const y = be.out(shape, 'int32');
  const n = sizeOf(shape);
  if (!n) return [y];
  be.run({
    program: 'arg_max',
    inputs: { x },
    uniforms: { r: x.shape[axis], inner: sizeOf(x.shape.slice(axis + 1)) },
    output: be.texOf(y),
    texels: Math.ceil(n / 4),
    cost: 4 * x.shape[axis],
  });
  return [y];
});

function softmax(be: WebGLBackend, x: TensorInfo, log: boolean): TensorInfo {
  const n = x.shape[x.shape.length - 1];
  const m = n ? sizeOf(x.shape) / n : 0;
  if (!m || !n) return be.out(x.shape.slice());
  const mx = reduceRun(be, x, m, n, 1, 'OP_MAX', [m, 1]);
  const s = reduceRun(be, x, m, n, 1, 'OP_SUM', [m, 1], mx);
  const row = { strides: [1, 0] };
  const y = elementwise(be, [m, n], 'float32', log ? 'A - B - log(C)' : 'exp(A - B) / C', [
    { t: x, strides: [n, 1] },
    { t: mx, ...row },
    { t: s, ...row },
  ]);
  be.decRef(mx.dataId);
  be.decRef(s.dataId);
  return { ...y, shape: x.shape.slice() };
}

registerKernel('webgl', Softmax, ([x], _attrs, bk) => [softmax(bk as WebGLBackend, x, false)]);
registerKernel('webgl', LogSoftmax, ([x], _attrs, bk) => [softmax(bk as WebGLBackend, x, true)]);
