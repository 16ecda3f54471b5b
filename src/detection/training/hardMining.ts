// Online hard example mining (Shrivastava, Gupta and Girshick, CVPR 2016), an option beside the
// paper's random RoI sampling: each image's sampler draws more candidates than it trains on, a
// forward pass without gradients scores them all, and only the ones with the highest loss (after NMS
// among the candidates by loss, so one hard region does not fill the batch with near copies) are
// trained on. The cost is the extra RoI pooling and head forward on the candidates.
import { nms } from '../model/wasm/nms.js';

/**
 * Per-RoI loss as trained: softmax cross-entropy plus lambda × smooth-L1 (sigma 1) of the true
 * class's four deltas against the normalized targets (foreground only).
 */
export function roiLosses(
  clsScore: ArrayLike<number>,
  bboxPred: ArrayLike<number>,
  labels: ArrayLike<number>,
  targets: ArrayLike<number>,
  K1: number,
  lambda: number,
): Float64Array {
  const R = labels.length,
    out = new Float64Array(R);
  for (let i = 0; i < R; i++) {
    let m = -Infinity;
    for (let k = 0; k < K1; k++) m = Math.max(m, clsScore[i * K1 + k]);
    let s = 0;
    for (let k = 0; k < K1; k++) s += Math.exp(clsScore[i * K1 + k] - m);
    const u = labels[i];
    let loss = m + Math.log(s) - clsScore[i * K1 + u];
    if (u > 0) {
      for (let j = 0; j < 4; j++) {
        const d = Math.abs(bboxPred[i * 4 * K1 + 4 * u + j] - targets[4 * i + j]);
        loss += lambda * (d < 1 ? 0.5 * d * d : d - 0.5);
      }
    }
    out[i] = loss;
  }
  return out;
}

/**
 * Indices of the `keep` hardest RoIs: NMS over the RoI boxes ([R,5] rows, batch index first) ranked
 * by loss at `nmsThresh` (1 = none), then, if fewer survive, the suppressed ones by loss.
 */
export function selectHardRois(losses: ArrayLike<number>, rois: ArrayLike<number>, keep: number, nmsThresh: number): number[] {
  const R = losses.length;
  if (keep >= R) return Array.from({ length: R }, (_, i) => i);
  const boxes = new Float32Array(4 * R),
    scores = new Float32Array(R);
  for (let i = 0; i < R; i++) {
    for (let j = 0; j < 4; j++) boxes[4 * i + j] = rois[5 * i + 1 + j];
    scores[i] = losses[i];
  }
  const picked = Array.from(nmsThresh < 1 ? nms(boxes, scores, nmsThresh) : []);
  const taken = new Set(picked);
  if (picked.length < keep) {
    const rest = Array.from({ length: R }, (_, i) => i)
      .filter((i) => !taken.has(i))
      .sort((a, b) => losses[b] - losses[a] || a - b);
    picked.push(...rest.slice(0, keep - picked.length));
  }
  return picked.slice(0, keep);
}
