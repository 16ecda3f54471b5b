// Elementwise kernels on WebGL (glsl/elementwise.glsl): unary, binary with broadcasting, where, cast,
// and the strided reads behind transpose/slice/broadcastTo. Each input gets the cheapest read mode
// its strides allow (same layout, aligned texel, splat, one element per component, constant).
import { Cast, Where } from '../../../core/kernels.js';
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
import { type DType, sizeOf, stridesOf } from '../../../core/types.js';
import type { WebGLBackend } from '../backend.js';

const MODE = { SAME: 0, VEC: 1, SPLAT: 2, GEN: 3, CONST: 4 } as const;

/** An input read with element strides given per output dim, from an element offset. */
export interface Operand {
  t: TensorInfo;
  strides: number[];
  offset?: number;
}

const pad6 = (a: number[]) => [...a, ...new Array(6 - a.length).fill(0)];

function modeOf(dims: number[], s: number[], offset: number): number {
  const last = dims.length - 1;
  const contiguous = stridesOf(dims);
  if (offset === 0 && s.every((v, i) => v === contiguous[i])) return MODE.SAME;
  if (s.every((v) => v === 0)) return MODE.CONST;
  if (dims[last] % 4 === 0 && s[last] === 1 && offset % 4 === 0 && s.slice(0, last).every((v) => v % 4 === 0)) return MODE.VEC;
  if (dims[last] % 4 === 0 && s[last] === 0) return MODE.SPLAT;
  return MODE.GEN;
}

/**
 * y[outShape] = op(inputs...) where `op` is a GLSL expression of vec4 A, B, C (and the uniforms p0,
 * p1), each input read through its strides.
 */
export function elementwise(
  be: WebGLBackend,
  outShape: number[],
  dtype: DType,
  op: string,
  operands: Operand[],
  p0 = 0,
  p1 = 0,
): TensorInfo {
  const y = be.out(outShape, dtype);
  const n = sizeOf(outShape);
  if (n === 0) return y;
  const c = collapseDims(outShape, [stridesOf(outShape), ...operands.map((o) => o.strides)]);
  let dims = c.shape,
    strides = c.strides.slice(1);
  if (!dims.length) {
    dims = [1];
    strides = strides.map(() => [0]);
  }
  if (dims.length > 6) throw new Error(`webgl elementwise: more than 6 non-collapsible dims in ${JSON.stringify(outShape)}`);
  const defines: Record<string, string | number> = { NIN: operands.length, RANK: dims.length, 'OP(A,B,C)': `(${op})` };
  const uniforms: Record<string, number | number[]> = { uDims: pad6(dims), p0, p1 };
  const inputs: Record<string, TensorInfo> = {};
  operands.forEach((o, k) => {
    const name = 'abc'[k];
    const off = o.offset ?? 0;
    defines['MODE_' + name.toUpperCase()] = modeOf(dims, strides[k], off);
    inputs[name] = o.t;
    uniforms[name + 'Str'] = pad6(strides[k]);
    uniforms[name + 'Off'] = off;
  });
  be.run({ program: 'elementwise', defines, inputs, uniforms, output: be.texOf(y), texels: Math.ceil(n / 4), cost: 4 * operands.length });
  return y;
}

/** Reads `x` as `outShape` with broadcasting. */
function bcast(x: TensorInfo, outShape: number[]): Operand {
  return { t: x, strides: broadcastStrides(x.shape, outShape) };
}

const UNARY: Record<UnaryKernel, string> = {
  [Neg]: '-A',
  [Exp]: 'exp(A)',
  [Log]: 'log(A)',
  [Sqrt]: 'sqrt(A)',
  [Relu]: 'reluOf(A)',
  [Step]: 'vec4(greaterThan(A, vec4(0.0)))',
  [Abs]: 'abs(A)',
  [Affine]: 'A * p0 + p1',
  [PowScalar]: 'powOf(A, p0)',
  [Sign]: 'signOf(A)',
  [Square]: 'A * A',
  [Reciprocal]: '1.0 / A',
};
const BINARY: Record<BinaryKernel, string> = {
  [Add]: 'A + B',
  [Sub]: 'A - B',
  [Mul]: 'A * B',
  [Div]: 'A / B',
  [Maximum]: 'maxOf(A, B)',
  [Minimum]: 'minOf(A, B)',
  [Greater]: 'vec4(greaterThan(A, B))',
  [GreaterEqual]: 'vec4(greaterThanEqual(A, B))',
  [Equal]: 'vec4(equal(A, B))',
  [Less]: 'vec4(lessThan(A, B))',
};

for (const name of UNARY_KERNELS) {
  const op = UNARY[name];
  registerKernel('webgl', name, ([x], attrs, b) => {
    const a = attrs as Partial<AffineAttrs & PowScalarAttrs>;
    let p0 = 0,
      p1 = 0;
    if (name === Affine) {
      p0 = a.scale!;
      p1 = a.shift!;
    }
    if (name === PowScalar) p0 = a.exponent!;
    return [elementwise(b as WebGLBackend, x.shape.slice(), 'float32', op, [bcast(x, x.shape)], p0, p1)];
  });
}

for (const name of BINARY_KERNELS) {
  const op = BINARY[name];
  registerKernel('webgl', name, ([a, b], _attrs, bk) => {
    const shape = broadcastShapes(a.shape, b.shape, name);
    return [elementwise(bk as WebGLBackend, shape, 'float32', op, [bcast(a, shape), bcast(b, shape)])];
  });
}

// where(cond, a, b), all of one shape (the op broadcasts first); cond is nonzero-is-true.
registerKernel('webgl', Where, ([c, a, b], _attrs, bk) => [
  elementwise(bk as WebGLBackend, a.shape.slice(), 'float32', 'select4(C, B, notEqual(A, vec4(0.0)))', [
    bcast(c, a.shape),
    bcast(a, a.shape),
    bcast(b, a.shape),
  ]),
]);

// int32 values are stored as floats: to int32 truncates toward zero (NaN -> 0), to float32 copies.
registerKernel('webgl', Cast, ([x], { dtype }, bk) => [
  elementwise(bk as WebGLBackend, x.shape.slice(), dtype, dtype === 'int32' && x.dtype !== 'int32' ? 'truncOf(A)' : 'A', [
    bcast(x, x.shape),
  ]),
]);
