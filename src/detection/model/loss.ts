// The Fast R-CNN multi-task loss (the paper's eq. 1): softmax cross-entropy over the RoIs' classes
// plus smooth-L1 on the box regression of the true class, the loss of the head in ./model.ts.
import { engine } from '../../tensor/engine.js';
import type { Tensor } from '../../tensor/tensor.js';
import { shapeStr } from '../../core/types.js';
import { add, mul } from '../../ops/elementwise.js';
import { softmaxCrossEntropy } from '../../ops/nn.js';
import { sum } from '../../ops/reduce.js';
import { smoothL1 } from '../../ops/smoothL1.js';
import { checkDtype, checkRank, checkTensor } from '../../ops/util.js';

export interface FastRcnnLossOptions {
  lambda?: number;
  beta?: number;
}
export interface FastRcnnLoss {
  lossCls: Tensor;
  lossLoc: Tensor;
  loss: Tensor;
}

/**
 * L = L_cls + λ·L_loc (eq. 1): mean cross-entropy over the R RoIs, plus (1/R)·Σ over foreground RoIs
 * (label u ≥ 1) of smooth-L1 on the 4 outputs of bboxPred for class u only.
 */
export function fastRcnnLoss(
  clsScore: Tensor,
  labels: Tensor,
  bboxPred: Tensor,
  bboxTargets: Tensor,
  opts: FastRcnnLossOptions = {},
): FastRcnnLoss {
  const op = 'fastRcnnLoss';
  checkTensor(op, 'clsScore', clsScore);
  checkTensor(op, 'labels', labels);
  checkTensor(op, 'bboxPred', bboxPred);
  checkTensor(op, 'bboxTargets', bboxTargets);
  checkRank(op, 'clsScore', clsScore, 2);
  checkDtype(op, 'labels', labels, 'int32');
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
  const lab = labels.dataSync(),
    t = bboxTargets.dataSync();
  const wide = new Float32Array(R * 4 * K1),
    mask = new Float32Array(R * 4 * K1);
  for (let i = 0; i < R; i++) {
    const u = lab[i];
    if (!(u >= 0 && u < K1)) throw new Error(`${op}: label ${u} of RoI ${i} is outside [0, ${K1})`);
    if (u < 1) continue;
    for (let k = 0; k < 4; k++) {
      wide[i * 4 * K1 + 4 * u + k] = t[i * 4 + k];
      mask[i * 4 * K1 + 4 * u + k] = 1;
    }
  }
  return engine.tidy(() => {
    const lossCls = softmaxCrossEntropy(clsScore, labels, 'mean');
    const tw = engine.makeTensor(wide, [R, 4 * K1], 'float32'),
      mw = engine.makeTensor(mask, [R, 4 * K1], 'float32');
    const lossLoc = mul(sum(mul(smoothL1(bboxPred, tw, { beta: opts.beta ?? 1, reduction: 'none' }), mw)), 1 / Math.max(R, 1));
    const loss = lambda === 1 ? add(lossCls, lossLoc) : add(lossCls, mul(lossLoc, lambda));
    return { lossCls, lossLoc, loss };
  });
}
