// Elementwise ops with NumPy broadcasting. A number operand becomes a scalar tensor, except for
// add/sub/mul/div by a number, which use the fused Affine kernel (x*scale + shift).
import {
  Abs,
  Add,
  Affine,
  type AffineAttrs,
  type BinaryKernel,
  BroadcastTo,
  Cast,
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
  Where,
} from '../core/kernels.js';
import { engine } from '../tensor/engine.js';
import { Tensor } from '../tensor/tensor.js';
import { broadcastShapes } from '../core/broadcast.js';
import { type DType, sameShape } from '../core/types.js';
import { scalar } from './creation.js';
import { checkDtype, checkTensor } from './util.js';

type Operand = Tensor | number;

function binary(kernel: BinaryKernel, op: string, a: Operand, b: Operand): Tensor {
  const ta = typeof a === 'number' ? scalar(a) : a;
  const tb = typeof b === 'number' ? scalar(b) : b;
  checkTensor(op, 'a', ta);
  checkTensor(op, 'b', tb);
  checkDtype(op, 'a', ta, 'float32');
  checkDtype(op, 'b', tb, 'float32');
  broadcastShapes(ta.shape, tb.shape, op);
  const [y] = engine.runKernel(kernel, [ta, tb]);
  if (ta !== a) ta.dispose();
  if (tb !== b) tb.dispose();
  return y;
}

type NoAttrUnary =
  | typeof Neg
  | typeof Exp
  | typeof Log
  | typeof Sqrt
  | typeof Relu
  | typeof Step
  | typeof Abs
  | typeof Sign
  | typeof Square
  | typeof Reciprocal;

function unary(kernel: NoAttrUnary, op: string, x: Tensor): Tensor;
function unary(kernel: typeof Affine, op: string, x: Tensor, attrs: AffineAttrs): Tensor;
function unary(kernel: typeof PowScalar, op: string, x: Tensor, attrs: PowScalarAttrs): Tensor;
function unary(
  kernel: NoAttrUnary | typeof Affine | typeof PowScalar,
  op: string,
  x: Tensor,
  attrs?: AffineAttrs | PowScalarAttrs,
): Tensor {
  checkTensor(op, 'x', x);
  checkDtype(op, 'x', x, 'float32');
  return engine.runKernel(kernel, [x], attrs as never)[0];
}

/** x * scale + shift in one pass. */
export function affine(x: Tensor, scale: number, shift = 0): Tensor {
  return unary(Affine, 'affine', x, { scale, shift });
}

export function add(a: Operand, b: Operand): Tensor {
  if (typeof b === 'number' && a instanceof Tensor) return affine(a, 1, b);
  if (typeof a === 'number' && b instanceof Tensor) return affine(b, 1, a);
  return binary(Add, 'add', a, b);
}
export function sub(a: Operand, b: Operand): Tensor {
  if (typeof b === 'number' && a instanceof Tensor) return affine(a, 1, -b);
  if (typeof a === 'number' && b instanceof Tensor) return affine(b, -1, a);
  return binary(Sub, 'sub', a, b);
}
export function mul(a: Operand, b: Operand): Tensor {
  if (typeof b === 'number' && a instanceof Tensor) return affine(a, b, 0);
  if (typeof a === 'number' && b instanceof Tensor) return affine(b, a, 0);
  return binary(Mul, 'mul', a, b);
}
export function div(a: Operand, b: Operand): Tensor {
  if (typeof b === 'number' && a instanceof Tensor) return affine(a, 1 / b, 0);
  return binary(Div, 'div', a, b);
}
export function maximum(a: Operand, b: Operand): Tensor {
  return binary(Maximum, 'maximum', a, b);
}
export function minimum(a: Operand, b: Operand): Tensor {
  return binary(Minimum, 'minimum', a, b);
}
/** 1 where a > b else 0 (float32, not differentiable). */
export function greater(a: Operand, b: Operand): Tensor {
  return binary(Greater, 'greater', a, b);
}
export function greaterEqual(a: Operand, b: Operand): Tensor {
  return binary(GreaterEqual, 'greaterEqual', a, b);
}
export function less(a: Operand, b: Operand): Tensor {
  return binary(Less, 'less', a, b);
}
export function equal(a: Operand, b: Operand): Tensor {
  return binary(Equal, 'equal', a, b);
}

export function neg(x: Tensor): Tensor {
  return unary(Neg, 'neg', x);
}
export function exp(x: Tensor): Tensor {
  return unary(Exp, 'exp', x);
}
export function log(x: Tensor): Tensor {
  return unary(Log, 'log', x);
}
export function sqrt(x: Tensor): Tensor {
  return unary(Sqrt, 'sqrt', x);
}
export function square(x: Tensor): Tensor {
  return unary(Square, 'square', x);
}
export function abs(x: Tensor): Tensor {
  return unary(Abs, 'abs', x);
}
export function sign(x: Tensor): Tensor {
  return unary(Sign, 'sign', x);
}
export function reciprocal(x: Tensor): Tensor {
  return unary(Reciprocal, 'reciprocal', x);
}
export function relu(x: Tensor): Tensor {
  return unary(Relu, 'relu', x);
}
/** 1 where x > 0 else 0 (the derivative of relu). */
export function step(x: Tensor): Tensor {
  return unary(Step, 'step', x);
}
/** x ** exponent for a scalar exponent. */
export function pow(x: Tensor, exponent: number): Tensor {
  if (!Number.isFinite(exponent)) throw new Error(`pow: exponent must be finite, got ${exponent}`);
  return unary(PowScalar, 'pow', x, { exponent });
}

/** cond ? a : b, elementwise with broadcasting; cond is nonzero-is-true (float32 or int32). */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const temps: Tensor[] = [];
  const asTensor = (v: Operand) => {
    if (typeof v !== 'number') return v;
    const t = scalar(v);
    temps.push(t);
    return t;
  };
  const ta = asTensor(a),
    tb = asTensor(b);
  checkTensor('where', 'cond', cond);
  checkTensor('where', 'a', ta);
  checkTensor('where', 'b', tb);
  const shape = broadcastShapes(broadcastShapes(cond.shape, ta.shape, 'where'), tb.shape, 'where');
  const bc = (t: Tensor) => {
    if (sameShape(t.shape, shape)) return t;
    const r = engine.runKernel(BroadcastTo, [t], { shape })[0];
    temps.push(r);
    return r;
  };
  const [y] = engine.runKernel(Where, [bc(cond), bc(ta), bc(tb)]);
  for (const t of temps) t.dispose();
  return y;
}

export function cast(x: Tensor, dtype: DType): Tensor {
  checkTensor('cast', 'x', x);
  if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`cast: unknown dtype '${dtype}'`);
  return engine.runKernel(Cast, [x], { dtype })[0];
}
