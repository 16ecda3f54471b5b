// How well a set of proposals covers the ground truth: recall at IoU thresholds (a ground-truth box is
// recalled when some proposal overlaps it with IoU >= t), the paper's average best overlap (ABO), and
// the mean number of boxes per image. Boxes are VOC pixel-inclusive (x1, y1, x2, y2): areas use +1.
import { boxPairIou } from '../data/boxes.js';

/** For each ground-truth box, its best IoU with any proposal (0 when there are none; no IoU below 0 counts). */
export function bestOverlaps(proposals: ArrayLike<number>, gt: ArrayLike<number>): Float64Array {
  checkFlat(proposals, 'proposals');
  checkFlat(gt, 'ground truth');
  const np = proposals.length / 4,
    ng = gt.length / 4;
  const best = new Float64Array(ng);
  for (let g = 0; g < ng; g++) {
    let m = 0;
    for (let p = 0; p < np; p++) {
      const o = boxPairIou(gt, g, proposals, p);
      if (o > m) m = o;
    }
    best[g] = m;
  }
  return best;
}

export interface RecallImage {
  /** Proposals, flat [n*4]. */
  proposals: ArrayLike<number>;
  /** Ground-truth boxes, flat [m*4]. */
  gt: ArrayLike<number>;
}

export interface RecallReport {
  images: number;
  groundTruth: number;
  /** Recall per threshold, in the order of `thresholds`. */
  thresholds: number[];
  recall: number[];
  /** Mean over ground-truth boxes of the best IoU (the paper's ABO, pooled over the dataset). */
  averageBestOverlap: number;
  meanBoxesPerImage: number;
}

/**
 * Recall over a dataset, pooled over all ground-truth boxes (the usual definition: recalled boxes /
 * all boxes), at each IoU threshold (default 0.5 and 0.7), plus ABO and mean proposals per image.
 * `maxBoxes` optionally keeps only each image's first (best ranked) proposals.
 */
export function datasetRecall(images: RecallImage[], thresholds: number[] = [0.5, 0.7], maxBoxes?: number): RecallReport {
  const hits = thresholds.map(() => 0);
  let gtCount = 0,
    boxes = 0,
    overlapSum = 0;
  for (const im of images) {
    let props = im.proposals;
    if (maxBoxes !== undefined && props.length > 4 * maxBoxes) props = Array.prototype.slice.call(props, 0, 4 * maxBoxes);
    boxes += props.length / 4;
    const best = bestOverlaps(props, im.gt);
    gtCount += best.length;
    for (const o of best) {
      overlapSum += o;
      thresholds.forEach((t, k) => {
        if (o >= t) hits[k]++;
      });
    }
  }
  return {
    images: images.length,
    groundTruth: gtCount,
    thresholds: thresholds.slice(),
    recall: hits.map((h) => (gtCount ? h / gtCount : 0)),
    averageBestOverlap: gtCount ? overlapSum / gtCount : 0,
    meanBoxesPerImage: images.length ? boxes / images.length : 0,
  };
}

function checkFlat(a: ArrayLike<number>, what: string): void {
  if (a.length % 4 !== 0) throw new Error(`recall: ${what} must be a flat [n*4] array, got length ${a.length}`);
}
