// The detector's losses: smooth-L1 (the paper's eq. 3) and the multi-task loss of eq. 1.
import { engine } from '../tensor/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import { shapeStr } from '../tensor/types.js';
import { mean, sum } from './reduce.js';
import { add, mul } from './elementwise.js';
import { softmaxCrossEntropy, type Reduction } from './nn.js';
import { checkDtype, checkRank, checkTensor } from './util.js';

export { roiPool, roiPoolWithArgmax, roiAlign, type RoiPoolOptions, type RoiAlignOptions } from './roi.js';

export interface SmoothL1Options { beta?: number; reduction?: Reduction }

/** 0.5·d²/β where |d| < β, else |d| − 0.5·β, with d = input − target (β = 0 is plain L1). */
export function smoothL1(input: Tensor, target: Tensor, opts: SmoothL1Options = {}): Tensor {
  const op = 'smoothL1';
  checkTensor(op, 'input', input); checkTensor(op, 'target', target);
  checkDtype(op, 'input', input, 'float32'); checkDtype(op, 'target', target, 'float32');
  if (input.shape.length !== target.shape.length || input.shape.some((d, i) => d !== target.shape[i])) {
    throw new Error(`${op}: input ${shapeStr(input.shape)} and target ${shapeStr(target.shape)} differ in shape`);
  }
  const beta = opts.beta ?? 1;
  if (!(Number.isFinite(beta) && beta >= 0)) throw new Error(`${op}: beta must be finite and >= 0, got ${beta}`);
  const reduction = opts.reduction ?? 'mean';
  if (!['none', 'sum', 'mean'].includes(reduction)) throw new Error(`${op}: unknown reduction '${reduction}'`);
  const [l] = engine.runKernel('SmoothL1', [input, target], { beta });
  if (reduction === 'none') return l;
  const r = reduction === 'sum' ? sum(l) : mean(l);
  l.dispose();
  return r;
}

export interface FastRcnnLossOptions { lambda?: number; beta?: number }
export interface FastRcnnLoss { lossCls: Tensor; lossLoc: Tensor; loss: Tensor }

/**
 * L = L_cls + λ·L_loc (eq. 1): mean cross-entropy over the R RoIs, plus (1/R)·Σ over foreground RoIs
 * (label u ≥ 1) of smooth-L1 on the 4 outputs of bboxPred for class u only.
 */
export function fastRcnnLoss(clsScore: Tensor, labels: Tensor, bboxPred: Tensor, bboxTargets: Tensor, opts: FastRcnnLossOptions = {}): FastRcnnLoss {
  const op = 'fastRcnnLoss';
  checkTensor(op, 'clsScore', clsScore); checkTensor(op, 'labels', labels);
  checkTensor(op, 'bboxPred', bboxPred); checkTensor(op, 'bboxTargets', bboxTargets);
  checkRank(op, 'clsScore', clsScore, 2); checkDtype(op, 'labels', labels, 'int32');
  const [R, K1] = clsScore.shape;
  if (labels.rank !== 1 || labels.shape[0] !== R) throw new Error(`${op}: labels ${shapeStr(labels.shape)} must be [${R}]`);
  if (bboxPred.rank !== 2 || bboxPred.shape[0] !== R || bboxPred.shape[1] !== 4 * K1) {
    throw new Error(`${op}: bboxPred ${shapeStr(bboxPred.shape)} must be [${R},${4 * K1}] for clsScore ${shapeStr(clsScore.shape)}`);
  }
  if (bboxTargets.rank !== 2 || bboxTargets.shape[0] !== R || bboxTargets.shape[1] !== 4) {
    throw new Error(`${op}: bboxTargets ${shapeStr(bboxTargets.shape)} must be [${R},4]`);
  }
  const lambda = opts.lambda ?? 1;
  if (!Number.isFinite(lambda) || lambda < 0) throw new Error(`${op}: lambda must be finite and >= 0, got ${lambda}`);
  // Spread each foreground RoI's targets into its class's 4 columns, with a 0/1 weight mask (the
  // original implementation's bbox_inside_weights), so one smooth-L1 over [R, 4(K+1)] does it.
  const lab = labels.dataSync(), t = bboxTargets.dataSync();
  const wide = new Float32Array(R * 4 * K1), mask = new Float32Array(R * 4 * K1);
  for (let i = 0; i < R; i++) {
    const u = lab[i];
    if (!(u >= 0 && u < K1)) throw new Error(`${op}: label ${u} of RoI ${i} is outside [0, ${K1})`);
    if (u < 1) continue;
    for (let k = 0; k < 4; k++) { wide[i * 4 * K1 + 4 * u + k] = t[i * 4 + k]; mask[i * 4 * K1 + 4 * u + k] = 1; }
  }
  return engine.tidy(() => {
    const lossCls = softmaxCrossEntropy(clsScore, labels, 'mean');
    const tw = engine.makeTensor(wide, [R, 4 * K1], 'float32'), mw = engine.makeTensor(mask, [R, 4 * K1], 'float32');
    const lossLoc = mul(sum(mul(smoothL1(bboxPred, tw, { beta: opts.beta ?? 1, reduction: 'none' }), mw)), 1 / Math.max(R, 1));
    const loss = lambda === 1 ? add(lossCls, lossLoc) : add(lossCls, mul(lossLoc, lambda));
    return { lossCls, lossLoc, loss };
  });
}
