// Training data for Fast R-CNN: the "roidb" (per image: ground truth + proposals, best overlaps,
// classes and regression targets; flipped copies for augmentation) and the hierarchical mini-batch
// (the paper's §2.3: N images, R/N RoIs from each). Images are scaled so the short side is one of the
// training scales (long side capped), mean-subtracted and divided by the pixel std.
import { flipBoxesFlat } from '../../data/boxes.js';
import type { Box, RgbImage } from '../../data/types.js';
import { colourJitter, jitterColourPlanes, permuteChannelPlanes } from '../../data/transforms.js';
import type { Rng } from '../../util/random.js';
import type { FastRcnnConfig } from '../model/config.js';
import { boxIou } from '../model/wasm/boxes.js';
import { cleanProposals, imageBlob } from '../model/input.js';
import { sampleRois } from '../model/sampleRois.js';
import type { BatchPart } from './batchParts.js';
import { type BboxStats, computeBboxStats, computeTargets, fixedBboxStats, identityBboxStats, normalizeTargets } from '../model/targets.js';

/** One training image as the network sees it (a flipped image is its own entry). */
export interface RoidbEntry {
  id: string;
  imagePath: string;
  width: number;
  height: number;
  flipped: boolean;
  /** Ground-truth boxes first, then proposals: [n·4], original image pixels (flipped when `flipped`). */
  boxes: Float32Array;
  numGt: number;
  /** Best IoU of each box with a ground-truth box, and that box's class (1..K; 0 when no ground truth). */
  maxOverlaps: Float32Array;
  maxClasses: Int32Array;
  /** Regression targets [n·4] (normalized once the statistics are known); 0 for boxes below bboxThresh. */
  targets: Float32Array;
  /** Class of each target row (0 = no target). */
  targetLabels: Int32Array;
}

export interface TrainRecord {
  id: string;
  imagePath: string;
  width: number;
  height: number;
  objects: { name: string; box: Box; difficult: boolean }[];
}

/**
 * The roidb entry of one image: ground truth (difficult objects left out unless useDifficult) and
 * proposals, overlaps, classes and raw targets (assigned box of each RoI, encoded).
 */
export function roidbEntry(
  rec: TrainRecord,
  proposals: ArrayLike<number>,
  classes: string[],
  cfg: FastRcnnConfig,
  flipped = false,
): RoidbEntry {
  const t = cfg.train;
  const objs = rec.objects.filter((o) => t.useDifficult || !o.difficult);
  const gt = new Float32Array(objs.flatMap((o) => o.box));
  const gtCls = objs.map((o) => {
    const c = classes.indexOf(o.name);
    if (c < 0) throw new Error(`${rec.id}: object class '${o.name}' is not in the class list`);
    return c + 1;
  });
  const props = cleanProposals(proposals, rec.width, rec.height, t.maxProposals);
  const boxes = new Float32Array(gt.length + props.length);
  boxes.set(gt);
  boxes.set(props, gt.length);
  if (flipped) flipBoxesFlat(boxes, rec.width, boxes);
  const n = boxes.length / 4,
    g = gt.length / 4;
  const maxOverlaps = new Float32Array(n),
    maxClasses = new Int32Array(n),
    assigned = new Int32Array(n).fill(-1);
  if (g > 0 && n > 0) {
    const iou = boxIou(boxes, boxes.subarray(0, 4 * g)); // [n, g]
    for (let i = 0; i < n; i++) {
      let best = -1,
        bo = 0;
      for (let j = 0; j < g; j++) {
        const o = iou[i * g + j];
        if (o > bo) {
          bo = o;
          best = j;
        }
      }
      maxOverlaps[i] = bo;
      if (best >= 0) {
        maxClasses[i] = gtCls[best];
        assigned[i] = best;
      }
    }
    // A ground-truth box is its own best match even when two coincide.
    for (let j = 0; j < g; j++) {
      maxOverlaps[j] = 1;
      maxClasses[j] = gtCls[j];
      assigned[j] = j;
    }
  }
  const targetLabels = new Int32Array(n);
  const gtFor = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    if (assigned[i] < 0 || maxOverlaps[i] < t.bboxThresh) continue;
    targetLabels[i] = maxClasses[i];
    gtFor.set(boxes.subarray(4 * assigned[i], 4 * assigned[i] + 4), 4 * i);
  }
  const targets = n ? computeTargets(boxes, gtFor, targetLabels) : new Float32Array(0);
  return {
    id: rec.id,
    imagePath: rec.imagePath,
    width: rec.width,
    height: rec.height,
    flipped,
    boxes,
    numGt: g,
    maxOverlaps,
    maxClasses,
    targets,
    targetLabels,
  };
}

/** Whether sampling can draw any RoI from the entry (an image with no ground truth has no background either when bgThreshLo > 0). */
function hasSampleableRois(e: RoidbEntry, cfg: FastRcnnConfig): boolean {
  const t = cfg.train;
  for (let i = 0; i < e.maxOverlaps.length; i++) {
    const o = e.maxOverlaps[i];
    if (o >= t.fgThresh || (o < t.bgThreshHi && o >= t.bgThreshLo)) return true;
  }
  return false;
}

export interface Roidb {
  entries: RoidbEntry[];
  stats: BboxStats;
  warnings: string[];
}

/**
 * All training entries (each image, and its mirror image when useFlipped), with targets normalized
 * by the statistics the config asks for. Images with no RoI at all are left out with a warning.
 */
export function buildRoidb(
  records: TrainRecord[],
  proposals: Map<string, ArrayLike<number>>,
  classes: string[],
  cfg: FastRcnnConfig,
): Roidb {
  const warnings: string[] = [];
  const entries: RoidbEntry[] = [];
  for (const rec of records) {
    const p = proposals.get(rec.id);
    if (!p) warnings.push(`${rec.id}: no proposals, training on its ground-truth boxes only`);
    for (const flipped of cfg.train.useFlipped ? [false, true] : [false]) {
      const e = roidbEntry(rec, p ?? [], classes, cfg, flipped);
      if (!hasSampleableRois(e, cfg)) {
        if (!flipped)
          warnings.push(
            `${rec.id}: no RoI is foreground (IoU >= ${cfg.train.fgThresh}) or background (IoU in [${cfg.train.bgThreshLo}, ${cfg.train.bgThreshHi})), image skipped`,
          );
        continue;
      }
      entries.push(e);
    }
  }
  if (!entries.length) throw new Error('buildRoidb: no training image has any RoI (no ground truth and no proposals)');
  const K1 = classes.length + 1;
  const mode = cfg.train.bboxNormalize;
  const stats =
    mode === 'computed'
      ? computeBboxStats(
          entries.map((e) => ({ targets: e.targets, labels: e.targetLabels })),
          K1,
        )
      : mode === 'fixed'
        ? fixedBboxStats(K1, cfg.train.bboxMeans, cfg.train.bboxStds)
        : identityBboxStats(K1);
  for (const e of entries) normalizeTargets(e.targets, e.targetLabels, stats);
  return { entries, stats, warnings };
}

/**
 * The mini-batch of the given entries as one part per image (typed arrays, no tensors): a random
 * training scale per image, R/N sampled RoIs per image (batch index 0 within the part).
 */
export function minibatchParts(
  entries: RoidbEntry[],
  cfg: FastRcnnConfig,
  rng: Rng,
  loadImage: (e: RoidbEntry) => RgbImage,
): (BatchPart & { scale: number; numFg: number })[] {
  const t = cfg.train;
  const perImage = t.batchSize / t.imsPerBatch,
    hm = t.hardMining;
  const samplerCfg = {
    roisPerImage: hm.candidates > 0 ? hm.candidates : perImage,
    fgFraction: t.fgFraction,
    fgThresh: t.fgThresh,
    bgThreshHi: t.bgThreshHi,
    bgThreshLo: t.bgThreshLo,
  };
  const hard = hm.candidates > 0 ? { keep: perImage, nms: hm.nms } : undefined;
  return entries.map((e) => {
    const shortSide = t.scales[rng.int(0, t.scales.length)];
    const img = loadImage(e);
    if (img.width !== e.width || img.height !== e.height)
      throw new Error(`${e.id}: image is ${img.width}x${img.height}, annotation says ${e.width}x${e.height}`);
    const blob = imageBlob(img, shortSide, t.maxSize, cfg, e.flipped);
    const s = sampleRois(e, samplerCfg, rng);
    if (t.permuteChannels) permuteChannelPlanes(blob.data, 0, blob.width * blob.height, rng.shuffle([0, 1, 2]));
    if (t.colourJitter > 0) {
      const jit = colourJitter(t.colourJitter, (lo, hi) => rng.uniform(lo, hi));
      jitterColourPlanes(blob.data, 0, blob.width * blob.height, jit.gain, jit.bias);
    }
    const R = s.indices.length;
    const rois = new Float32Array(5 * R),
      targets = new Float32Array(4 * R);
    s.indices.forEach((idx, k) => {
      for (let j = 0; j < 4; j++) rois[5 * k + 1 + j] = e.boxes[4 * idx + j] * blob.scale;
      if (s.labels[k] > 0) for (let j = 0; j < 4; j++) targets[4 * k + j] = e.targets[4 * idx + j];
    });
    return {
      images: blob.data,
      shape: [1, 3, blob.height, blob.width] as [number, number, number, number],
      rois,
      labels: Int32Array.from(s.labels),
      targets,
      scale: blob.scale,
      numFg: s.numFg,
      ...(hard ? { hard } : {}),
    };
  });
}
