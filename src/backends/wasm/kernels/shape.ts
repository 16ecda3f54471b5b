// Data-movement kernels on the WASM backend: one strided copy serves transpose, slice and broadcast.
import { BroadcastTo, Concat, GatherRows, Pad, Reshape, ScatterAddRows, Slice, Transpose } from '../../../core/kernels.js';
import type { TensorInfo } from '../../../core/backend.js';
import { registerKernel } from '../../registry.js';
import { broadcastStrides, collapseDims } from '../../../core/broadcast.js';
import { sizeOf, stridesOf } from '../../../core/types.js';
import type { WasmBackend } from '../backend.js';

/** y (contiguous, `shape`) = x read with element strides `strides` from element offset `offset`. */
function stridedCopy(be: WasmBackend, x: TensorInfo, shape: number[], strides: number[], offset: number, dtype = x.dtype): TensorInfo {
  const y = be.out(shape, dtype);
  if (sizeOf(shape) === 0) return y;
  const c = collapseDims(shape, [strides, stridesOf(shape)]);
  if (c.shape.length > 6) throw new Error('strided copy: more than 6 non-collapsible dims');
  // the last array: ewStridedCopy's counters (scratch of the call, not static memory)
  be.withInts([c.shape, c.strides[0], [0, 0, 0, 0, 0, 0]], ([dims, sx, idx]) =>
    be.m.exports.ewStridedCopy(be.ptr(x) + offset * 4, be.ptr(y), c.shape.length, dims, sx, idx),
  );
  return y;
}

registerKernel('wasm', Transpose, ([x], { perm }, bk) => {
  const s = stridesOf(x.shape);
  return [
    stridedCopy(
      bk as WasmBackend,
      x,
      perm.map((p: number) => x.shape[p]),
      perm.map((p: number) => s[p]),
      0,
    ),
  ];
});

registerKernel('wasm', Slice, ([x], { begin, size }, bk) => {
  const s = stridesOf(x.shape);
  const offset = begin.reduce((o: number, b: number, i: number) => o + b * s[i], 0);
  return [stridedCopy(bk as WasmBackend, x, size.slice(), s, offset)];
});

registerKernel('wasm', BroadcastTo, ([x], { shape }, bk) => [
  stridedCopy(bk as WasmBackend, x, shape.slice(), broadcastStrides(x.shape, shape), 0),
]);

// Pad with zeros: paddings[i] = [before, after]. Copies x into the interior of a zeroed output.
registerKernel('wasm', Pad, ([x], { paddings }, bk) => {
  const be = bk as WasmBackend;
  const shape = x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
  const y = be.out(shape, x.dtype);
  be.m.exports.ewFill(be.ptr(y), sizeOf(shape), 0);
  if (sizeOf(x.shape) === 0) return [y];
  const ys = stridesOf(shape);
  const offset = paddings.reduce((o: number, p: number[], i: number) => o + p[0] * ys[i], 0);
  // write x through y's strides: walk rows of x's last dim
  const xv = x.dtype === 'int32' ? be.i32(x) : be.f32(x);
  const yv = x.dtype === 'int32' ? be.i32(y) : be.f32(y);
  const xs = stridesOf(x.shape);
  const last = x.shape.length - 1;
  const rows = sizeOf(x.shape) / x.shape[last];
  for (let r = 0; r < rows; r++) {
    let rem = r * x.shape[last],
      dst = offset;
    for (let d = 0; d < last; d++) {
      const i = Math.floor(rem / xs[d]);
      rem -= i * xs[d];
      dst += i * ys[d];
    }
    yv.set(xv.subarray(r * x.shape[last], (r + 1) * x.shape[last]), dst);
  }
  return [y];
});

registerKernel('wasm', Concat, (xs, { axis }, bk) => {
  const be = bk as WasmBackend;
  const shape = xs[0].shape.slice();
  shape[axis] = xs.reduce((n, x) => n + x.shape[axis], 0);
  const y = be.out(shape, xs[0].dtype);
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const yv = be.m.u8(be.ptr(y), sizeOf(shape) * 4);
  let col = 0;
  for (const x of xs) {
    const w = x.shape[axis] * inner * 4;
    const xv = be.m.u8(be.ptr(x), sizeOf(x.shape) * 4);
    for (let o = 0; o < outer; o++) yv.set(xv.subarray(o * w, (o + 1) * w), o * shape[axis] * inner * 4 + col);
    col += w;
  }
  return [y];
});

// Rows of x by index (axis 0); indices checked by the op.
registerKernel('wasm', GatherRows, ([x, idx], _attrs, bk) => {
  const be = bk as WasmBackend;
  const m = sizeOf(idx.shape);
  const shape = [m, ...x.shape.slice(1)];
  const y = be.out(shape, x.dtype);
  be.m.exports.ewGatherRows(be.ptr(x), be.ptr(idx), be.ptr(y), m, sizeOf(x.shape.slice(1)));
  return [y];
});

// y[numRows, ...] zeroed, then y[idx[i]] += x[i]  (the gradient of GatherRows)
registerKernel('wasm', ScatterAddRows, ([x, idx], { numRows }, bk) => {
  const be = bk as WasmBackend;
  const shape = [numRows, ...x.shape.slice(1)];
  const y = be.out(shape);
  be.m.exports.ewFill(be.ptr(y), sizeOf(shape), 0);
  be.m.exports.ewScatterAddRows(be.ptr(x), be.ptr(idx), be.ptr(y), sizeOf(idx.shape), sizeOf(x.shape.slice(1)));
  return [y];
});

// Reshape shares the bytes: a new reference to the same data, not a copy.
registerKernel('wasm', Reshape, ([x], { shape }, bk) => {
  bk.incRef(x.dataId);
  return [{ dataId: x.dataId, shape: shape.slice(), dtype: x.dtype }];
});
