// Reductions on the WASM backend. Reduced axes are taken in contiguous runs from the innermost, each
// run a [outer, r, inner] reduction, so sums over NCHW's (0,2,3) need no transpose.
import type { TensorInfo } from '../../backend.js';
import { registerKernel } from '../../registry.js';
import { sizeOf } from '../../../tensor/types.js';
import type { WasmBackend } from '../backend.js';

function reduce(be: WasmBackend, x: TensorInfo, axes: number[], op: number, keepDims: boolean): TensorInfo {
  const sorted = [...new Set(axes)].sort((a, b) => a - b);
  let cur = x;
  let shape = x.shape.slice(); // running shape with reduced dims set to 1
  let i = sorted.length - 1;
  while (i >= 0) {
    let j = i;
    while (j > 0 && sorted[j - 1] === sorted[j] - 1) j--;
    const a = sorted[j], b = sorted[i];
    const outer = sizeOf(shape.slice(0, a)), r = sizeOf(shape.slice(a, b + 1)), inner = sizeOf(shape.slice(b + 1));
    const next = shape.map((d, k) => (k >= a && k <= b ? 1 : d));
    const y = be.out(next);
    if (r === 0) be.m.exports.ewFill(be.ptr(y), sizeOf(next), op === 0 ? 0 : (op === 1 ? 0xff800000 | 0 : 0x7f800000));
    else be.m.exports.ewReduce(op, be.ptr(cur), be.ptr(y), outer, r, inner);
    if (cur !== x) be.decRef(cur.dataId);
    cur = y; shape = next;
    i = j - 1;
  }
  if (cur === x) { // no axes: copy
    const y = be.out(x.shape.slice());
    be.m.u8(be.ptr(y), sizeOf(x.shape) * 4).set(be.m.u8(be.ptr(x), sizeOf(x.shape) * 4));
    cur = y;
  }
  const finalShape = keepDims ? shape : shape.filter((_, k) => !sorted.includes(k));
  return { dataId: cur.dataId, shape: finalShape, dtype: 'float32' };
}

registerKernel('wasm', 'Sum', ([x], { axes, keepDims }, bk) => [reduce(bk as WasmBackend, x, axes, 0, !!keepDims)]);
registerKernel('wasm', 'Max', ([x], { axes, keepDims }, bk) => [reduce(bk as WasmBackend, x, axes, 1, !!keepDims)]);
registerKernel('wasm', 'Min', ([x], { axes, keepDims }, bk) => [reduce(bk as WasmBackend, x, axes, 2, !!keepDims)]);

registerKernel('wasm', 'ArgMax', ([x], { axis }, bk) => {
  const be = bk as WasmBackend;
  const shape = x.shape.filter((_, k) => k !== axis);
  const y = be.out(shape, 'int32');
  be.m.exports.ewArgMax(be.ptr(x), be.ptr(y), sizeOf(x.shape.slice(0, axis)), x.shape[axis], sizeOf(x.shape.slice(axis + 1)));
  return [y];
});
