// The data decides the scales: image and ground-truth box sizes, read once before training, choose
// the training and test scales, the pyramid's target size and the pre-training crop size whenever
// the config leaves them to the data (empty scales, pyramidArea 0, cropSize 0).
//
// The rule. An RoI of r = stride × pool pixels covers exactly one feature cell per RoI pooling bin
// (32 px for the default stride 8 and 4×4 pooling). Training scales images so that the median object
// becomes about 1.5 r pixels (48 px: measured on three real-photo sets, 1.5 r scored +3.3 to +4.1
// points of VOC07 mAP over r for about 1.4x the time per step), never upsampling more than 2× and
// keeping the short side within [MIN_SIDE, MAX_TRAIN_SIDE] (iteration time grows with the pixels).
// Each training image is then drawn at ×0.75, ×1 or ×1.25 of that scale (the paper's multi-scale
// training, §5.2, around the chosen scale: VOC07 mAP +2.5 / +2.8 / +2.3 / −1.0 points on photo-tune,
// photo-large, photo-shared and photo-small; the mean pixel count is 1.04× the middle scale's).
// Testing runs a 3-level pyramid (×1, ×1.5, ×2 the training scale, the top level capped at
// MAX_TEST_SIDE) and sends each RoI to the level where it is closest to 1.5 r pixels, so small
// objects are seen enlarged. Pre-training crops are r × 1.125 (the crop context around an object of r).
import { boxArea } from '../../data/boxes.js';
import { type FastRcnnConfig, featureStride } from './config.js';

export const MIN_SIDE = 96;
export const MAX_TRAIN_SIDE = 320;
export const MAX_TEST_SIDE = 640;
const MAX_UPSAMPLE = 2;
/** The median object's size in training, in units of r (one feature cell per pooling bin). */
const OBJECT_CELLS = 1.5;
/** Multi-scale training: the factors of the chosen scale drawn from per image. */
const TRAIN_JITTER = [0.75, 1, 1.25];

interface SizeStats {
  p10: number;
  p50: number;
  p90: number;
  min: number;
  max: number;
}

export interface DatasetStats {
  images: number;
  objects: number;
  /** Short and long image sides, pixels. */
  shortSide: SizeStats;
  longSide: SizeStats;
  /** Object size as sqrt(w·h) of the ground-truth boxes (+1 rule), pixels. */
  objectSize: SizeStats;
}

function stats(values: number[]): SizeStats {
  const v = values.slice().sort((a, b) => a - b);
  if (!v.length) return { p10: 0, p50: 0, p90: 0, min: 0, max: 0 };
  const q = (p: number) => v[Math.round(p * (v.length - 1))];
  return { p10: q(0.1), p50: q(0.5), p90: q(0.9), min: v[0], max: v[v.length - 1] };
}

/** Image and object size statistics of a split's records (difficult objects included). */
export function datasetStats(records: { width: number; height: number; objects: { box: ArrayLike<number> }[] }[]): DatasetStats {
  const boxes = records.flatMap((r) => r.objects.map((o) => Math.sqrt(boxArea(o.box))));
  return {
    images: records.length,
    objects: boxes.length,
    shortSide: stats(records.map((r) => Math.min(r.width, r.height))),
    longSide: stats(records.map((r) => Math.max(r.width, r.height))),
    objectSize: stats(boxes),
  };
}

export interface ScaleChoice {
  trainScales: number[];
  testScales: number[];
  pyramidArea: number;
  cropSize: number;
  maxSize: number;
  /** One or two lines saying what was chosen and why. */
  why: string;
}

const round8 = (x: number) => Math.max(8, Math.round(x / 8) * 8);

/** The scales the rule above picks for a dataset and a model shape (a given training scale list is kept and the pyramid built on its middle). */
export function chooseScales(s: DatasetStats, model: FastRcnnConfig['model'], given: number[] = []): ScaleChoice {
  if (!s.images || !s.objects) throw new Error('scales: the training split has no images with objects to measure');
  const r = featureStride(model.backbone.stages) * Math.max(...model.roiPoolSize);
  const target = Math.round(OBJECT_CELLS * r);
  const S = s.shortSide.p50;
  let f = Math.min(MAX_UPSAMPLE, target / s.objectSize.p50);
  const lo = Math.min(MIN_SIDE, S * MAX_UPSAMPLE) / S,
    hi = MAX_TRAIN_SIDE / S;
  f = Math.min(Math.max(f, lo), hi);
  const train = given.length ? given.slice().sort((x, y) => x - y)[given.length >> 1] : round8(S * f);
  const testScales = [...new Set([train, round8(train * 1.5), round8(Math.min(train * 2, MAX_TEST_SIDE))])];
  const aspect = s.longSide.max / Math.max(1, s.shortSide.min);
  const maxSize = Math.max(1000, Math.ceil(testScales[testScales.length - 1] * Math.min(aspect, 4)));
  const cropSize = Math.ceil((r * 1.125) / 4) * 4;
  const trainScales = given.length ? given.slice() : [...new Set(TRAIN_JITTER.map((j) => round8(train * j)))];
  const why =
    `scales: images ${s.shortSide.min}-${s.longSide.max} px (median short side ${S}), objects ${s.objectSize.min.toFixed(0)}-${s.objectSize.max.toFixed(0)} px ` +
    `(median ${s.objectSize.p50.toFixed(0)}); training at short side ${train} (median object -> ${((s.objectSize.p50 * train) / S).toFixed(0)} px, ` +
    `1.5x the ${r} px an RoI needs for one feature cell per pooling bin${given.length ? '' : `; each image drawn at one of [${trainScales.join(', ')}]`}), testing on [${testScales.join(', ')}] with each RoI at the level nearest ${target} px, crops ${cropSize} px`;
  return { trainScales, testScales, pyramidArea: target, cropSize, maxSize, why };
}

/**
 * A copy of `cfg` with the data-chosen values filled in where the config leaves them open (empty
 * scales, pyramidArea 0, cropSize 0); `why` is empty when nothing was open.
 */
export function resolveScales(cfg: FastRcnnConfig, s: DatasetStats): { config: FastRcnnConfig; why: string } {
  const c = structuredClone(cfg);
  const open = !c.train.scales.length || !c.test.scales.length || c.test.pyramidArea === 0 || c.train.pretrain.cropSize === 0;
  if (!open) return { config: c, why: '' };
  const ch = chooseScales(s, c.model, c.train.scales);
  if (!c.train.scales.length) {
    c.train.scales = ch.trainScales;
    c.train.maxSize = Math.max(c.train.maxSize, ch.maxSize);
  }
  if (!c.test.scales.length) {
    c.test.scales = ch.testScales;
    c.test.maxSize = Math.max(c.test.maxSize, ch.maxSize);
  }
  if (c.test.pyramidArea === 0) c.test.pyramidArea = ch.pyramidArea;
  if (c.train.pretrain.cropSize === 0) c.train.pretrain.cropSize = ch.cropSize;
  // the line tells what will be used, given values included
  const used = `testing on [${c.test.scales.join(', ')}] with each RoI at the level nearest ${c.test.pyramidArea} px, crops ${c.train.pretrain.cropSize} px`;
  return { config: c, why: ch.why.replace(/testing on \[.*$/, used) };
}
