// PASCAL VOC average precision, as the official devkit (and py-faster-rcnn's voc_eval) computes it:
// detections of one class ranked by score (stable: equal scores keep input order); each is matched
// to the single best-overlapping ground truth of its image (IoU with +1 pixel areas); IoU >= 0.5
// (by default) with a not-yet-matched box is a true positive, with an already-matched one a false
// positive, with a "difficult" one ignored (neither). AP is the 11-point interpolated precision
// (VOC2007, thresholds exactly k/10) or the area under the monotone precision envelope (VOC2010+).
import { boxPairIou } from '../data/boxes.js';

export type ImageId = number | string;

export interface VocDetections {
  imageIds: ArrayLike<ImageId>;
  scores: ArrayLike<number>;
  /** [n, 4] (x1, y1, x2, y2), pixel-inclusive */
  boxes: ArrayLike<number>;
}

export interface VocGroundTruth {
  imageIds: ArrayLike<ImageId>;
  /** [m, 4] */
  boxes: ArrayLike<number>;
  /** per box; difficult boxes are neither required nor penalized */
  difficult?: ArrayLike<boolean | number>;
}

export interface VocApOptions {
  /** Overlap needed for a match (default 0.5). */
  iouThreshold?: number;
  /** 11-point VOC2007 AP (default true, the Fast R-CNN paper's metric); false: all-point (VOC2010+). */
  use07Metric?: boolean;
  /** Require IoU > threshold instead of >= (the devkit uses >=). */
  strictIou?: boolean;
  /** 11-point thresholds: exactly k/10 (default) or numpy's arange(0, 1.1, 0.1) values
   * (0.30000000000000004, ... as some ports use). */
  elevenPointThresholds?: 'exact' | 'numpy_arange';
}

export interface VocApResult {
  /** AP by the selected metric */
  ap: number;
  /** 11-point (VOC2007) AP */
  ap07: number;
  /** all-point (VOC2010+) AP */
  apAllPoint: number;
  /** number of non-difficult ground-truth boxes */
  npos: number;
  /** detection indices by rank */
  order: Int32Array;
  /** per rank: +1 true positive, -1 false positive, 0 ignored (matched a difficult box) */
  labels: Int8Array;
  /** per rank: cumulative TP / npos */
  recall: Float64Array;
  /** per rank: cumulative TP / (TP + FP); NaN while both are 0 (only ignored detections so far) */
  precision: Float64Array;
}

function fail(msg: string): never {
  throw new Error(`vocAp: ${msg}`);
}

/** 11-point interpolated AP: mean over t of the best precision at recall >= t (0 if none). */
export function ap11Point(recall: ArrayLike<number>, precision: ArrayLike<number>, thresholds: 'exact' | 'numpy_arange' = 'exact'): number {
  let ap = 0;
  for (let k = 0; k <= 10; k++) {
    const t = thresholds === 'exact' ? k / 10 : k * 0.1; // k * 0.1 is numpy's arange value
    let p = 0;
    for (let i = 0; i < recall.length; i++) if (recall[i] >= t && precision[i] > p) p = precision[i];
    ap += p / 11;
  }
  return ap;
}

/** All-point AP: area under the precision envelope (max precision at any higher recall). */
export function apAllPoint(recall: ArrayLike<number>, precision: ArrayLike<number>): number {
  const n = recall.length;
  const mrec = new Float64Array(n + 2),
    mpre = new Float64Array(n + 2);
  mrec[n + 1] = 1;
  for (let i = 0; i < n; i++) {
    mrec[i + 1] = recall[i];
    mpre[i + 1] = Number.isNaN(precision[i]) ? 0 : precision[i];
  }
  for (let i = n; i >= 0; i--) mpre[i] = Math.max(mpre[i], mpre[i + 1]);
  let ap = 0;
  for (let i = 0; i <= n; i++) if (mrec[i + 1] !== mrec[i]) ap += (mrec[i + 1] - mrec[i]) * mpre[i + 1];
  return ap;
}

/** AP of one class. */
export function vocAp(detections: VocDetections, groundTruth: VocGroundTruth, opts: VocApOptions = {}): VocApResult {
  const thr = opts.iouThreshold ?? 0.5;
  if (!Number.isFinite(thr) || thr < 0) fail(`iouThreshold must be a finite number >= 0, got ${thr}`);
  const n = detections.scores.length;
  if (detections.imageIds.length !== n) fail(`detections: ${detections.imageIds.length} image ids for ${n} scores`);
  if (detections.boxes.length !== 4 * n) fail(`detections: boxes must be [${n}, 4], got ${detections.boxes.length} values`);
  const m = groundTruth.imageIds.length;
  if (groundTruth.boxes.length !== 4 * m) fail(`groundTruth: boxes must be [${m}, 4], got ${groundTruth.boxes.length} values`);
  if (groundTruth.difficult && groundTruth.difficult.length !== m)
    fail(`groundTruth: ${groundTruth.difficult.length} difficult flags for ${m} boxes`);
  for (let i = 0; i < n; i++) if (Number.isNaN(detections.scores[i])) fail(`detections: score ${i} is NaN`);

  // Ground truth per image.
  const gtByImage = new Map<ImageId, number[]>();
  let npos = 0;
  for (let j = 0; j < m; j++) {
    const id = groundTruth.imageIds[j];
    let list = gtByImage.get(id);
    if (!list) {
      list = [];
      gtByImage.set(id, list);
    }
    list.push(j);
    if (!groundTruth.difficult?.[j]) npos++;
  }
  const matched = new Uint8Array(m);

  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => detections.scores[b] - detections.scores[a] || a - b);
  const labels = new Int8Array(n),
    recall = new Float64Array(n),
    precision = new Float64Array(n);
  let tp = 0,
    fp = 0;
  for (let r = 0; r < n; r++) {
    const d = order[r];
    const gts = gtByImage.get(detections.imageIds[d]) ?? [];
    let best = -Infinity,
      jmax = -1;
    for (const j of gts) {
      const o = boxPairIou(detections.boxes, d, groundTruth.boxes, j);
      if (o > best) {
        best = o;
        jmax = j;
      }
    }
    const hit = jmax >= 0 && (opts.strictIou ? best > thr : best >= thr);
    let label: number;
    if (!hit) label = -1;
    else if (groundTruth.difficult?.[jmax]) label = 0;
    else if (!matched[jmax]) {
      matched[jmax] = 1;
      label = 1;
    } else label = -1;
    labels[r] = label;
    if (label === 1) tp++;
    else if (label === -1) fp++;
    recall[r] = tp / npos;
    precision[r] = tp / (tp + fp);
  }
  const ap07 = ap11Point(recall, precision, opts.elevenPointThresholds);
  const apAll = apAllPoint(recall, precision);
  return { ap: (opts.use07Metric ?? true) ? ap07 : apAll, ap07, apAllPoint: apAll, npos, order, labels, recall, precision };
}

export interface VocMapResult {
  /** mean AP over the classes (by the selected metric) */
  map: number;
  aps: number[];
  perClass: VocApResult[];
}

/** mAP: the mean of vocAp over classes, each with its own detections and ground truth. */
export function vocMap(
  classes: readonly { detections: VocDetections; groundTruth: VocGroundTruth }[],
  opts: VocApOptions = {},
): VocMapResult {
  if (classes.length === 0) fail('vocMap needs at least one class');
  const perClass = classes.map((c) => vocAp(c.detections, c.groundTruth, opts));
  const aps = perClass.map((r) => r.ap);
  return { map: aps.reduce((a, b) => a + b, 0) / aps.length, aps, perClass };
}
