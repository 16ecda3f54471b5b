// Elementwise kernels on the WASM backend (assembly/elementwise.ts).
import { Cast, LogSoftmax, Softmax, Where } from '../../../core/kernels.js';
import type { TensorInfo } from '../../../core/backend.js';
import {
  Abs,
  Add,
  Affine,
  type AffineAttrs,
  BINARY_KERNELS,
  type BinaryKernel,
  Div,
  Equal,
  Exp,
  Greater,
  GreaterEqual,
  Less,
  Log,
  Maximum,
  Minimum,
  Mul,
  Neg,
  PowScalar,
  type PowScalarAttrs,
  Reciprocal,
  Relu,
  Sign,
  Sqrt,
  Square,
  Step,
  Sub,
  UNARY_KERNELS,
  type UnaryKernel,
} from '../../../core/kernels.js';
import { registerKernel } from '../../registry.js';
import { broadcastShapes, broadcastStrides, collapseDims } from '../../../core/broadcast.js';
import { sizeOf } from '../../../core/types.js';
import type { WasmBackend } from '../backend.js';
import { parallelRange } from '../threads.js';

// The op codes of assembly/elementwise.ts's ewUnary and ewBinary.
const UNARY: Record<UnaryKernel, number> = {
  [Neg]: 0,
  [Exp]: 1,
  [Log]: 2,
  [Sqrt]: 3,
  [Relu]: 4,
  [Step]: 5,
  [Abs]: 6,
  [Affine]: 7,
  [PowScalar]: 8,
  [Sign]: 9,
  [Square]: 10,
  [Reciprocal]: 11,
};
const BINARY: Record<BinaryKernel, number> = {
  [Add]: 0,
  [Sub]: 1,
  [Mul]: 2,
  [Div]: 3,
  [Maximum]: 4,
  [Minimum]: 5,
  [Greater]: 6,
  [GreaterEqual]: 7,
  [Equal]: 8,
  [Less]: 9,
};

for (const name of UNARY_KERNELS) {
  const op = UNARY[name];
  registerKernel('wasm', name, ([x], attrs, b) => {
    const be = b as WasmBackend;
    const y = be.out(x.shape.slice());
    const a = attrs as Partial<AffineAttrs & PowScalarAttrs>;
    let p = 0,
      q = 0;
    if (name === Affine) {
      p = a.scale!;
      q = a.shift!;
    }
    if (name === PowScalar) p = a.exponent!;
    // threads: blocks of whole vectors (each element on the path, SIMD or scalar, of one call);
    // memory-bound, so only large tensors (exp, log, pow run scalar and cost more per element)
    const n = sizeOf(x.shape);
    const scalar = name === Exp || name === Log || name === PowScalar || name === Sign || name === Reciprocal;
    parallelRange(be.m, 'ewUnaryRange', [op, be.ptr(x), be.ptr(y), p, q], n, {
      unit: 4,
      scratchBytes: 0,
      scratchOffsets: [],
      work: n * (scalar ? 40 : 8),
      single: () => be.m.exports.ewUnary(op, be.ptr(x), be.ptr(y), n, p, q),
    });
    return [y];
  });
}

// ewBinary's outer counters: scratch of the call (the module keeps no mutable static data)
const COUNTERS = [0, 0, 0, 0, 0, 0];

/** Runs a binary op with broadcasting; shapes are collapsed to as few dims as the kernel needs. */
function binary(be: WasmBackend, op: number, a: TensorInfo, b: TensorInfo, name: string): TensorInfo {
  const shape = broadcastShapes(a.shape, b.shape, name);
  const y = be.out(shape);
  if (sizeOf(shape) === 0) return y;
  const c = collapseDims(shape, [broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape)]);
  if (c.shape.length > 6) throw new Error(`${name}: more than 6 non-collapsible dims`);
  const rank = c.shape.length,
    total = sizeOf(shape);
  const n = rank ? c.shape[rank - 1] : 1;
  // threads: blocks of whole rows, or of whole vectors within rows (rows of a multiple of 4, or
  // one row), so every element takes the path (SIMD or scalar) it takes in one call
  const unit = total / n >= 8 ? n : n % 4 === 0 || total === n ? 4 : n;
  be.withInts([c.shape, c.strides[0], c.strides[1], COUNTERS], ([dims, sa, sb, idx]) =>
    parallelRange(be.m, 'ewBinaryRange', [op, be.ptr(a), be.ptr(b), be.ptr(y), rank, dims, sa, sb], total, {
      unit,
      scratchBytes: 0,
      scratchOffsets: [],
      work: rank ? total * 8 : 0,
      single: () => be.m.exports.ewBinary(op, be.ptr(a), be.ptr(b), be.ptr(y), rank, dims, sa, sb, idx),
    }),
  );
  return y;
}

for (const name of BINARY_KERNELS) {
  const op = BINARY[name];
  registerKernel('wasm', name, ([a, b], _attrs, be) => [binary(be as WasmBackend, op, a, b, name)]);
}

// where(cond, a, b), all of one shape (the op broadcasts first); cond is nonzero-is-true.
registerKernel('wasm', Where, ([c, a, b], _attrs, bk) => {
  const be = bk as WasmBackend;
  const y = be.out(a.shape.slice());
  const n = sizeOf(a.shape);
  const cv = c.dtype === 'int32' ? be.i32(c) : be.f32(c);
  const av = be.f32(a),
    bv = be.f32(b),
    yv = be.f32(y);
  for (let i = 0; i < n; i++) yv[i] = cv[i] !== 0 ? av[i] : bv[i];
  return [y];
});

registerKernel('wasm', Cast, ([x], attrs, bk) => {
  const be = bk as WasmBackend;
  const y = be.out(x.shape.slice(), attrs.dtype);
  const n = sizeOf(x.shape);
  if (x.dtype === attrs.dtype) be.m.u8(be.ptr(y), n * 4).set(be.m.u8(be.ptr(x), n * 4));
  else if (attrs.dtype === 'int32') be.m.exports.ewCastF32ToI32(be.ptr(x), be.ptr(y), n);
  else be.m.exports.ewCastI32ToF32(be.ptr(x), be.ptr(y), n);
  return [y];
});

registerKernel('wasm', Softmax, ([x], _attrs, bk) => softmax(bk as WasmBackend, x, 0));
registerKernel('wasm', LogSoftmax, ([x], _attrs, bk) => softmax(bk as WasmBackend, x, 1));

function softmax(be: WasmBackend, x: TensorInfo, log: number): TensorInfo[] {
  const y = be.out(x.shape.slice());
  const n = x.shape[x.shape.length - 1];
  const m = n ? sizeOf(x.shape) / n : 0;
  // threads: blocks of rows
  parallelRange(be.m, 'ewSoftmaxRowsRange', [be.ptr(x), be.ptr(y), n, log], m, { scratchBytes: 0, scratchOffsets: [], work: 40 * m * n });
  return [y];
}
