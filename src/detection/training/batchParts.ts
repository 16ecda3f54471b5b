// A mini-batch split into parts that can be computed on different threads: a part is one image
// with its RoIs (Fast R-CNN) or a block of crops (pre-training). Each part adds the gradient of its
// summed loss (R_i × its mean loss) into the parameters' .grad; the caller divides by the total R,
// which gives exactly the gradient of the mini-batch's mean loss.
import { fastRcnnLoss } from '../model/loss.js';
import { softmaxCrossEntropy } from '../../ops/nn.js';
import { mul } from '../../ops/elementwise.js';
import { engine } from '../../tensor/engine.js';
import { roiLosses, selectHardRois } from './hardMining.js';
import type { FastRCNN } from '../model/fastRcnn.js';

export interface BatchPart {
  /** [n,3,H,W] floats (n = 1 for a detection image). */
  images: Float32Array;
  shape: [number, number, number, number];
  /** [R,5] (batch index, x1, y1, x2, y2) in the part's image pixels. */
  rois: Float32Array;
  labels: Int32Array;
  /** [R,4] normalized targets, or null for pre-training parts (classification only). */
  targets: Float32Array | null;
  /** Online hard example mining: train only this many of the RoIs, the highest-loss ones. */
  hard?: { keep: number; nms: number };
}

export interface PartResult {
  /** Summed (not averaged) loss terms over the part's RoIs. */
  lossSum: number;
  lossClsSum: number;
  lossLocSum: number;
  numRois: number;
  /** Softmax inputs of the RoIs trained on, [R, K+1], and their labels (for accuracy). */
  scores: Float32Array;
  labels: Int32Array;
}

/** Forward and backward of one part; gradients accumulate into .grad (scaled to the summed loss). */
export function partGradients(model: FastRCNN, part: BatchPart, lambda: number): PartResult {
  if (part.labels.length === 0)
    return { lossSum: 0, lossClsSum: 0, lossLocSum: 0, numRois: 0, scores: new Float32Array(0), labels: part.labels };
  let R = part.labels.length,
    partRois = part.rois,
    partLabels = part.labels,
    partTargets = part.targets;
  const out = engine.tidy(() => {
    const x = engine.makeTensor(part.images, part.shape.slice(), 'float32');
    const feats = model.forward(x);
    if (part.hard && part.targets && part.hard.keep < R) {
      // Score every candidate without gradients, keep the hardest (the features stay on the tape).
      const h = part.hard,
        cand = engine.makeTensor(part.rois, [R, 5], 'float32');
      const [cs, bp] = engine.noGrad(() => {
        const o = model.head(model.pool(feats, cand));
        return [o.clsScore.dataSync(), o.bboxPred.dataSync()];
      });
      const losses = roiLosses(cs as Float32Array, bp as Float32Array, part.labels, part.targets, model.numClasses, lambda);
      const sel = selectHardRois(losses, part.rois, h.keep, h.nms);
      R = sel.length;
      partRois = new Float32Array(5 * R);
      partLabels = new Int32Array(R);
      partTargets = new Float32Array(4 * R);
      sel.forEach((i, k) => {
        partRois.set(part.rois.subarray(5 * i, 5 * i + 5), 5 * k);
        partLabels[k] = part.labels[i];
        partTargets!.set(part.targets!.subarray(4 * i, 4 * i + 4), 4 * k);
      });
    }
    const rois = engine.makeTensor(partRois, [R, 5], 'float32');
    const labels = engine.makeTensor(partLabels, [R], 'int32');
    const { clsScore, bboxPred } = model.head(model.pool(feats, rois));
    if (!partTargets) {
      const l = softmaxCrossEntropy(clsScore, labels, 'sum');
      return { loss: l, cls: null, loc: null, clsScore };
    }
    const t = engine.makeTensor(partTargets, [R, 4], 'float32');
    const l = fastRcnnLoss(clsScore, labels, bboxPred, t, { lambda });
    // mean over this part's R → sum, so parts add up to the mini-batch's sum
    return { loss: mul(l.loss, R), cls: l.lossCls, loc: l.lossLoc, clsScore };
  });
  const lossSum = out.loss.item();
  const lossClsSum = out.cls ? out.cls.item() * R : lossSum;
  const lossLocSum = out.loc ? out.loc.item() * R : 0;
  const scores = out.clsScore.dataSync() as Float32Array;
  out.cls?.dispose();
  out.loc?.dispose();
  out.clsScore.dispose();
  if (Number.isFinite(lossSum)) out.loss.backward();
  else engine.tape.clear();
  out.loss.dispose();
  return { lossSum, lossClsSum, lossLocSum, numRois: R, scores, labels: partLabels };
}
