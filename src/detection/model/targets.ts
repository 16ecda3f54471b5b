// Bounding-box regression targets (the paper's §2.3, R-CNN's parameterization) and their
// normalization. Targets are encoded for every RoI whose best overlap reaches bboxThresh, then
// normalized per class to zero mean / unit variance over the training RoIs (the original roidb.py
// add_bbox_regression_targets), or by fixed means/stds. At save time the normalization is folded
// into bboxPred (w' = w·std, b' = b·std + mean), so a saved model predicts raw deltas and inference
// needs no training statistics.
import { encodeBoxes } from './wasm/boxes.js';

/** Per-class means and stds, [(K+1)·4] each (row k = class k; row 0, background, is 0 / 1). */
export interface BboxStats {
  means: Float32Array;
  stds: Float32Array;
}

/**
 * Targets [n·4] (dx, dy, dw, dh) mapping each RoI onto its assigned ground-truth box; rows of RoIs
 * with label 0 are left 0.
 */
export function computeTargets(rois: Float32Array, gtForRoi: Float32Array, labels: ArrayLike<number>): Float32Array {
  const n = labels.length;
  if (rois.length !== 4 * n || gtForRoi.length !== 4 * n)
    throw new Error(`computeTargets: ${rois.length / 4} RoIs, ${gtForRoi.length / 4} boxes, ${n} labels`);
  const t = encodeBoxes(rois, gtForRoi);
  for (let i = 0; i < n; i++) if (labels[i] === 0) t.fill(0, 4 * i, 4 * i + 4);
  return t;
}

/**
 * Means and stds per class over every foreground RoI of the training set (the original's
 * sums / squared sums with EPS in the counts). A class never seen, or a component with zero
 * variance, gets std 1 so normalizing never divides by zero.
 */
export function computeBboxStats(sets: Iterable<{ targets: ArrayLike<number>; labels: ArrayLike<number> }>, numClasses: number): BboxStats {
  const count = new Float64Array(numClasses),
    sum = new Float64Array(4 * numClasses),
    sq = new Float64Array(4 * numClasses);
  for (const { targets, labels } of sets) {
    for (let i = 0; i < labels.length; i++) {
      const c = labels[i];
      if (c <= 0) continue;
      count[c]++;
      for (let k = 0; k < 4; k++) {
        const v = targets[4 * i + k];
        sum[4 * c + k] += v;
        sq[4 * c + k] += v * v;
      }
    }
  }
  const means = new Float32Array(4 * numClasses),
    stds = new Float32Array(4 * numClasses).fill(1);
  for (let c = 1; c < numClasses; c++) {
    if (!count[c]) continue;
    for (let k = 0; k < 4; k++) {
      const m = sum[4 * c + k] / count[c];
      const v = sq[4 * c + k] / count[c] - m * m;
      means[4 * c + k] = m;
      stds[4 * c + k] = v > 1e-12 ? Math.sqrt(v) : 1;
    }
  }
  return { means, stds };
}

/** The same means/stds for every class (py-faster-rcnn's BBOX_NORMALIZE_MEANS/STDS); background 0 / 1. */
export function fixedBboxStats(numClasses: number, means: ArrayLike<number>, stds: ArrayLike<number>): BboxStats {
  const m = new Float32Array(4 * numClasses),
    s = new Float32Array(4 * numClasses).fill(1);
  for (let c = 1; c < numClasses; c++)
    for (let k = 0; k < 4; k++) {
      m[4 * c + k] = means[k];
      s[4 * c + k] = stds[k];
    }
  return { means: m, stds: s };
}

/** Identity normalization (means 0, stds 1). */
export function identityBboxStats(numClasses: number): BboxStats {
  return { means: new Float32Array(4 * numClasses), stds: new Float32Array(4 * numClasses).fill(1) };
}

/** (t − mean_c) / std_c for each foreground row, in place; background rows stay 0. */
export function normalizeTargets(targets: Float32Array, labels: ArrayLike<number>, stats: BboxStats): Float32Array {
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (c <= 0) continue;
    for (let k = 0; k < 4; k++) targets[4 * i + k] = (targets[4 * i + k] - stats.means[4 * c + k]) / stats.stds[4 * c + k];
  }
  return targets;
}

/** Normalized predictions [R, 4(K+1)] back to raw deltas: d·std + mean per column (in place). */
export function unnormalizeDeltas(deltas: Float32Array, stats: BboxStats): Float32Array {
  const w = stats.means.length;
  if (deltas.length % w !== 0) throw new Error(`unnormalizeDeltas: ${deltas.length} values are not rows of ${w}`);
  for (let i = 0; i < deltas.length; i += w) for (let j = 0; j < w; j++) deltas[i + j] = deltas[i + j] * stats.stds[j] + stats.means[j];
  return deltas;
}

/**
 * Folds the normalization into bboxPred's parameters: weight [4(K+1), D] rows scaled by std, bias
 * b·std + mean. Returns new arrays (the inputs are not changed).
 */
export function foldBboxStats(weight: Float32Array, bias: Float32Array, stats: BboxStats): { weight: Float32Array; bias: Float32Array } {
  const rows = stats.means.length;
  if (bias.length !== rows || weight.length % rows !== 0) {
    throw new Error(`foldBboxStats: bbox_pred has ${bias.length} outputs, the statistics ${rows}`);
  }
  const D = weight.length / rows;
  const w = new Float32Array(weight.length),
    b = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const s = stats.stds[r];
    for (let j = 0; j < D; j++) w[r * D + j] = weight[r * D + j] * s;
    b[r] = bias[r] * s + stats.means[r];
  }
  return { weight: w, bias: b };
}
