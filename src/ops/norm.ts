// Instance normalization as one fused op (forward and backward are single WASM kernels), replacing a
// composition of ~10 elementwise and reduction ops. A backend without the fused kernel (WebGL) runs
// the composition itself instead of falling back to WASM: dense ops stay on the GPU, where a fallback
// would read every activation back twice per layer.
import { InstanceNorm, InstanceNormGrad } from '../core/kernels.js';
import { engine } from '../tensor/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import { shapeStr } from '../core/types.js';
import { add, mul, reciprocal, sqrt, square, sub } from './elementwise.js';
import { mean } from './reduce.js';
import { reshape } from './shape.js';
import { checkDtype, checkRank, checkTensor } from './util.js';

export interface InstanceNormOptions {
  /** Added to the variance before the square root (default 1e-5); finite and > 0. */
  eps?: number;
}

/**
 * Per image and channel over H×W: y = (x − mean) / sqrt(var + eps) · gamma[c] + beta[c], with the
 * biased variance. x is [N,C,H,W], gamma and beta are [C]; differentiable in all three.
 */
export function instanceNorm(x: Tensor, gamma: Tensor, beta: Tensor, opts: InstanceNormOptions = {}): Tensor {
  const op = 'instanceNorm';
  checkTensor(op, 'x', x);
  checkTensor(op, 'gamma', gamma);
  checkTensor(op, 'beta', beta);
  checkDtype(op, 'x', x, 'float32');
  checkDtype(op, 'gamma', gamma, 'float32');
  checkDtype(op, 'beta', beta, 'float32');
  checkRank(op, 'x', x, 4);
  const C = x.shape[1];
  for (const [name, t] of [
    ['gamma', gamma],
    ['beta', beta],
  ] as const) {
    if (t.rank !== 1 || t.shape[0] !== C) {
      throw new Error(`${op}: '${name}' must be [${C}] for x ${shapeStr(x.shape)}, got ${shapeStr(t.shape)}`);
    }
  }
  const eps = opts.eps ?? 1e-5;
  if (typeof eps !== 'number' || !(Number.isFinite(eps) && eps > 0)) throw new Error(`${op}: eps must be finite and > 0, got ${eps}`);
  if (!engine.hasKernel(InstanceNorm)) return composed(x, gamma, beta, eps);
  const [y, m, inv] = engine.runKernel(InstanceNorm, [x, gamma, beta], { eps });
  m.dispose();
  inv.dispose(); // the tape keeps its own references for the backward
  return y;
}

/**
 * The gradient of instanceNorm from the forward's saved mean and 1/std: [dx, dgamma, dbeta], or
 * [dgamma, dbeta] without dx when `needDx` is false (the image into the first layer).
 */
export function instanceNormGrad(dy: Tensor, x: Tensor, gamma: Tensor, mean: Tensor, invStd: Tensor, needDx: boolean): Tensor[] {
  const op = 'instanceNormGrad';
  checkTensor(op, 'dy', dy);
  checkTensor(op, 'x', x);
  checkTensor(op, 'gamma', gamma);
  checkTensor(op, 'mean', mean);
  checkTensor(op, 'invStd', invStd);
  return engine.runKernel(InstanceNormGrad, [dy, x, gamma, mean, invStd], { needDx });
}

/** The same from dense ops; the mean is corrected by the residual of a second pass (large offsets). */
function composed(x: Tensor, gamma: Tensor, beta: Tensor, eps: number): Tensor {
  return engine.tidy(() => {
    const C = x.shape[1];
    const d = sub(x, mean(x, [2, 3], true));
    const xc = sub(d, mean(d, [2, 3], true));
    const inv = reciprocal(sqrt(add(mean(square(xc), [2, 3], true), eps)));
    return add(mul(mul(xc, inv), reshape(gamma, [1, C, 1, 1])), reshape(beta, [1, C, 1, 1]));
  });
}
