// Gradient rules of matmul, conv2d, max pooling, softmax and instance norm.
import { Conv2D, InstanceNorm, LogSoftmax, MatMul, MaxPool2D, Softmax } from '../core/kernels.js';
import { registerGradient } from '../autograd/registry.js';
import { conv2dBackpropFilter, conv2dBackpropInput, exp, instanceNormGrad, matMul, maxPool2dGrad, mul, sub, sum } from './ops.js';

export function registerNnGradients(): void {
  // C = op(A)·op(B): dA = dy·op(B)ᵀ (transposed back if A was), dB = op(A)ᵀ·dy (likewise).
  registerGradient(MatMul, ([dy], { inputs: [a, b], needs }, { transA, transB }) => [
    needs?.[0] === false ? null : transA ? matMul(b, dy!, transB, true) : matMul(dy!, b, false, !transB),
    needs?.[1] === false ? null : transB ? matMul(dy!, a, true, transA) : matMul(a, dy!, !transA, false),
  ]);

  // The input gradient is skipped when nothing needs it (the image into conv1).
  registerGradient(Conv2D, ([dy], { inputs: [x, w, bias], needs }, { stride, pad }) => [
    needs?.[0] === false ? null : conv2dBackpropInput(dy!, w, x.shape, stride, pad),
    needs?.[1] === false ? null : conv2dBackpropFilter(x, dy!, w.shape, stride, pad),
    ...(bias ? [needs?.[2] === false ? null : sum(dy!, [0, 2, 3])] : []),
  ]);

  registerGradient(MaxPool2D, ([dy], { inputs: [x], outputs: [, argmax] }, attrs) => [maxPool2dGrad(dy!, argmax, x.shape, attrs)]);

  // y = softmax(x): dx = y ⊙ (dy − Σ dy⊙y)
  registerGradient(Softmax, ([dy], { outputs: [y] }) => [mul(y, sub(dy!, sum(mul(dy!, y), -1, true)))]);
  // y = logSoftmax(x): dx = dy − softmax(x)·Σ dy
  registerGradient(LogSoftmax, ([dy], { outputs: [y] }) => [sub(dy!, mul(exp(y), sum(dy!, -1, true)))]);

  // Instance norm: one fused kernel from the forward's saved mean and 1/std; dx is skipped when unneeded.
  registerGradient(InstanceNorm, ([dy], { inputs: [x, gamma], outputs: [, mean, inv], needs }) => {
    if (!dy) return [null, null, null];
    const needDx = needs?.[0] !== false;
    const g = instanceNormGrad(dy, x, gamma, mean, inv, needDx);
    return needDx ? g : [null, ...g];
  });
}
