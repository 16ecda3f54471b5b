// Reductions on the WASM backend, one [outer, r, inner] kernel call per run of reduced axes
// (src/tensor/reduction.ts), on the kernel threads by blocks of outer indices when large enough.
import { ArgMax, Max, Min, Sum } from '../../../core/kernels.js';
import type { TensorInfo } from '../../../core/backend.js';
import { registerKernel } from '../../registry.js';
import { reductionRuns } from '../../../core/reduction.js';
import { sizeOf } from '../../../core/types.js';
import type { WasmBackend } from '../backend.js';
import { parallelRange } from '../threads.js';

function reduce(be: WasmBackend, x: TensorInfo, axes: number[], op: number, keepDims: boolean): TensorInfo {
  const { runs, keptShape, finalShape } = reductionRuns(x.shape, axes);
  let cur = x;
  for (const { outer, r, inner, shape } of runs) {
    const y = be.out(shape);
    if (r === 0) be.m.exports.ewFill(be.ptr(y), sizeOf(shape), op === 0 ? 0 : op === 1 ? 0xff800000 | 0 : 0x7f800000);
    // threads: blocks of outer indices (a full reduction, outer 1, stays on one thread)
    else
      parallelRange(be.m, 'ewReduceRange', [op, be.ptr(cur), be.ptr(y), r, inner], outer, {
        scratchBytes: 0,
        scratchOffsets: [],
        work: 4 * outer * r * inner,
      });
    if (cur !== x) be.decRef(cur.dataId);
    cur = y;
  }
  if (cur === x) {
    // no axes: copy
    const y = be.out(x.shape.slice());
    be.m.u8(be.ptr(y), sizeOf(x.shape) * 4).set(be.m.u8(be.ptr(x), sizeOf(x.shape) * 4));
    cur = y;
  }
  return { dataId: cur.dataId, shape: keepDims ? keptShape : finalShape, dtype: 'float32' };
}

registerKernel('wasm', Sum, ([x], { axes, keepDims }, bk) => [reduce(bk as WasmBackend, x, axes, 0, !!keepDims)]);
registerKernel('wasm', Max, ([x], { axes, keepDims }, bk) => [reduce(bk as WasmBackend, x, axes, 1, !!keepDims)]);
registerKernel('wasm', Min, ([x], { axes, keepDims }, bk) => [reduce(bk as WasmBackend, x, axes, 2, !!keepDims)]);

registerKernel('wasm', ArgMax, ([x], { axis }, bk) => {
  const be = bk as WasmBackend;
  const shape = x.shape.filter((_, k) => k !== axis);
  const y = be.out(shape, 'int32');
  be.m.exports.ewArgMax(be.ptr(x), be.ptr(y), sizeOf(x.shape.slice(0, axis)), x.shape[axis], sizeOf(x.shape.slice(axis + 1)));
  return [y];
});
