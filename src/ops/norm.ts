// Instance normalization as one fused op (forward and backward are single WASM kernels), replacing a
// composition of ~10 elementwise and reduction ops.
import { engine } from '../tensor/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import { shapeStr } from '../tensor/types.js';
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
  checkTensor(op, 'x', x); checkTensor(op, 'gamma', gamma); checkTensor(op, 'beta', beta);
  checkDtype(op, 'x', x, 'float32'); checkDtype(op, 'gamma', gamma, 'float32'); checkDtype(op, 'beta', beta, 'float32');
  checkRank(op, 'x', x, 4);
  const C = x.shape[1];
  for (const [name, t] of [['gamma', gamma], ['beta', beta]] as const) {
    if (t.rank !== 1 || t.shape[0] !== C) {
      throw new Error(`${op}: '${name}' must be [${C}] for x ${shapeStr(x.shape)}, got ${shapeStr(t.shape)}`);
    }
  }
  const eps = opts.eps ?? 1e-5;
  if (typeof eps !== 'number' || !(Number.isFinite(eps) && eps > 0)) throw new Error(`${op}: eps must be finite and > 0, got ${eps}`);
  const [y, mean, inv] = engine.runKernel('InstanceNorm', [x, gamma, beta], { eps });
  mean.dispose(); inv.dispose(); // the tape keeps its own references for the backward
  return y;
}
