// Smooth-L1 (the paper's eq. 3), the localization loss of src/detection/loss.ts.
import { SmoothL1, SmoothL1Grad } from '../core/kernels.js';
import { engine } from '../tensor/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import { sameShape, shapeStr } from '../core/types.js';
import { mean, sum } from './reduce.js';
import type { Reduction } from './nn.js';
import { checkDtype, checkTensor } from './util.js';

export interface SmoothL1Options {
  beta?: number;
  reduction?: Reduction;
}

/** 0.5·d²/β where |d| < β, else |d| − 0.5·β, with d = input − target (β = 0 is plain L1). */
export function smoothL1(input: Tensor, target: Tensor, opts: SmoothL1Options = {}): Tensor {
  const op = 'smoothL1';
  checkTensor(op, 'input', input);
  checkTensor(op, 'target', target);
  checkDtype(op, 'input', input, 'float32');
  checkDtype(op, 'target', target, 'float32');
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(`${op}: input ${shapeStr(input.shape)} and target ${shapeStr(target.shape)} differ in shape`);
  }
  const beta = opts.beta ?? 1;
  if (!(Number.isFinite(beta) && beta >= 0)) throw new Error(`${op}: beta must be finite and >= 0, got ${beta}`);
  const reduction = opts.reduction ?? 'mean';
  if (!['none', 'sum', 'mean'].includes(reduction)) throw new Error(`${op}: unknown reduction '${reduction}'`);
  const [l] = engine.runKernel(SmoothL1, [input, target], { beta });
  if (reduction === 'none') return l;
  const r = reduction === 'sum' ? sum(l) : mean(l);
  l.dispose();
  return r;
}

/** The input gradient of the elementwise smooth-L1 for upstream dy (the target's is its negation). */
export function smoothL1Grad(dy: Tensor, input: Tensor, target: Tensor, beta: number): Tensor {
  const op = 'smoothL1Grad';
  checkTensor(op, 'dy', dy);
  checkTensor(op, 'input', input);
  checkTensor(op, 'target', target);
  return engine.runKernel(SmoothL1Grad, [dy, input, target], { beta })[0];
}
