// Gradient rules of the elementwise kernels (written with ops, so they run on any backend).
import { broadcastedAxes } from '../core/broadcast.js';
import {
  Abs,
  Add,
  Affine,
  Cast,
  Div,
  Exp,
  Log,
  Maximum,
  Minimum,
  Mul,
  Neg,
  PowScalar,
  Reciprocal,
  Relu,
  Sign,
  Sqrt,
  Square,
  Step,
  Sub,
  Where,
} from '../core/kernels.js';
import type { Tensor } from '../tensor/tensor.js';
import { affine, div, greaterEqual, lessEqualMask, mul, neg, pow, reshape, sign, step, sum, where, zerosLike } from './ops.js';
import { registerGradient } from '../autograd/registry.js';

/** Sums a broadcast gradient back down to `shape`. */
export function unbroadcast(dy: Tensor, shape: number[]): Tensor {
  const axes = broadcastedAxes(shape, dy.shape);
  if (!axes.length) return dy.shape.length === shape.length ? dy : reshape(dy, shape);
  const s = sum(dy, axes, true);
  return reshape(s, shape);
}

export function registerElementwiseGradients(): void {
  registerGradient(Add, ([dy], { inputs: [a, b] }) => [unbroadcast(dy!, a.shape), unbroadcast(dy!, b.shape)]);
  registerGradient(Sub, ([dy], { inputs: [a, b] }) => [unbroadcast(dy!, a.shape), unbroadcast(neg(dy!), b.shape)]);
  registerGradient(Mul, ([dy], { inputs: [a, b] }) => [unbroadcast(mul(dy!, b), a.shape), unbroadcast(mul(dy!, a), b.shape)]);
  registerGradient(Div, ([dy], { inputs: [a, b] }) => [
    unbroadcast(div(dy!, b), a.shape),
    unbroadcast(neg(div(mul(dy!, a), mul(b, b))), b.shape),
  ]);
  registerGradient(Maximum, ([dy], { inputs: [a, b] }) => {
    const m = greaterEqual(a, b); // ties go to a
    return [unbroadcast(mul(dy!, m), a.shape), unbroadcast(mul(dy!, affine(m, -1, 1)), b.shape)];
  });
  registerGradient(Minimum, ([dy], { inputs: [a, b] }) => {
    const m = lessEqualMask(a, b);
    return [unbroadcast(mul(dy!, m), a.shape), unbroadcast(mul(dy!, affine(m, -1, 1)), b.shape)];
  });

  registerGradient(Neg, ([dy]) => [neg(dy!)]);
  registerGradient(Exp, ([dy], { outputs: [y] }) => [mul(dy!, y)]);
  registerGradient(Log, ([dy], { inputs: [x] }) => [div(dy!, x)]);
  registerGradient(Sqrt, ([dy], { outputs: [y] }) => [div(dy!, affine(y, 2))]);
  registerGradient(Square, ([dy], { inputs: [x] }) => [mul(dy!, affine(x, 2))]);
  registerGradient(Abs, ([dy], { inputs: [x] }) => [mul(dy!, sign(x))]);
  registerGradient(Reciprocal, ([dy], { inputs: [x] }) => [neg(div(dy!, mul(x, x)))]);
  registerGradient(Relu, ([dy], { inputs: [x] }) => [mul(dy!, step(x))]);
  registerGradient(Affine, ([dy], _s, { scale }) => [affine(dy!, scale)]);
  registerGradient(PowScalar, ([dy], { inputs: [x] }, { exponent }) => [mul(dy!, affine(pow(x, exponent - 1), exponent))]);
  registerGradient(Step, ([dy]) => [zerosLike(dy!)]);
  registerGradient(Sign, ([dy]) => [zerosLike(dy!)]);
  registerGradient(Where, ([dy], { inputs: [c, a, b] }) => [
    null,
    unbroadcast(where(c, dy!, 0), a.shape),
    unbroadcast(where(c, 0, dy!), b.shape),
  ]);
  registerGradient(Cast, ([dy], { inputs: [x] }) => [x.dtype === 'float32' ? mul(dy!, 1) : null]);
}
