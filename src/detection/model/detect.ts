// Detection on one image (the original test.py im_detect + test_net.py): the conv features once per
// scale (single scale, or an image pyramid where each RoI goes to the scale whose RoI area is
// closest to pyramidArea²), RoIs that land on the same feature cells computed once, the head in
// chunks, softmax scores, class-specific box decoding and clipping, then per class a score threshold
// and NMS, and at most maxPerImage detections over all classes.
import type { Box, RgbImage } from '../../data/types.js';
import { softmax } from '../../ops/nn.js';
import { engine } from '../../tensor/engine.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { TypedArray } from '../../core/types.js';
import { RoiPool } from '../../core/kernels.js';
import type { FastRcnnConfig, TestConfig } from './config.js';
import { clipBoxes, decodeBoxes } from './wasm/boxes.js';
import { nms } from './wasm/nms.js';
import { cleanProposals, imageBlob } from './input.js';
import { boxArea, flipBoxesFlat } from '../../data/boxes.js';
import { computeScale } from '../../data/transforms.js';
import type { FastRCNN } from './fastRcnn.js';
import { unnormalizeDeltas } from './targets.js';

export interface Detection {
  /** 1..K (0 is background and never reported). */
  classIndex: number;
  className: string;
  score: number;
  /** Pixel-inclusive, 0-based, in the original image. */
  box: Box;
}

/** Per-RoI outputs before post-processing, in original image coordinates. */
export interface RawDetections {
  /** The RoIs used (cleaned proposals) [R·4]. */
  rois: Float32Array;
  /** Softmax scores [R·(K+1)]. */
  scores: Float32Array;
  /** Class-specific boxes [R·4(K+1)], clipped to the image. */
  boxes: Float32Array;
}

export interface DetectResult {
  detections: Detection[];
  numProposals: number;
  /** Seconds in the network (conv + head) and in post-processing. */
  netSeconds: number;
  postSeconds: number;
}

/**
 * Index of the pyramid level for each RoI: the level whose scale factor (scaled image / original)
 * brings its area closest to area² (the original _project_im_rois). One level: all 0.
 */
function assignLevels(rois: Float32Array, scales: number[], area: number): Int32Array {
  const n = rois.length / 4,
    lv = new Int32Array(n);
  if (scales.length <= 1) return lv;
  for (let i = 0; i < n; i++) {
    const a = boxArea(rois, i);
    let best = 0,
      bd = Infinity;
    scales.forEach((s, k) => {
      const d = Math.abs(a * s * s - area * area);
      if (d < bd) {
        bd = d;
        best = k;
      }
    });
    lv[i] = best;
  }
  return lv;
}

/**
 * A pass that needs tensor values: it yields each tensor whose values it needs and gets them back,
 * so one pass serves a synchronous reader (dataSync) and an asynchronous one (await data(), which
 * keeps a page responsive while WebGL works).
 */
type Reads<T> = Generator<Tensor, T, TypedArray>;

function readAllSync<T>(pass: Reads<T>): T {
  let r = engine.noGrad(() => pass.next());
  while (!r.done) {
    const values = r.value.dataSync();
    r = engine.noGrad(() => pass.next(values));
  }
  return r.value;
}

async function readAll<T>(pass: Reads<T>): Promise<T> {
  let r = engine.noGrad(() => pass.next());
  while (!r.done) {
    const values = await r.value.data();
    r = engine.noGrad(() => pass.next(values));
  }
  return r.value;
}

/**
 * Softmax scores and raw (normalized) deltas of every RoI from one pass over the scales, on the image
 * or on its mirror image (then the RoIs are mirrored to match and dx comes back negated).
 */
function* scoreRois(
  model: FastRCNN,
  img: RgbImage,
  rois: Float32Array,
  levels: Int32Array,
  cfg: FastRcnnConfig,
  test: TestConfig,
  flip: boolean,
): Reads<{ scores: Float32Array; deltas: Float32Array }> {
  const K1 = model.numClasses,
    R = rois.length / 4;
  const scores = new Float32Array(R * K1),
    deltas = new Float32Array(R * 4 * K1);
  const r4 = flip ? flipBoxesFlat(rois, img.width) : rois;
  // RoI pooling where the active backend lacks it (WebGL) runs on WASM: the features move there once
  // per scale, read through the pass so that an asynchronous reader does not block on them.
  const poolOn = engine.hasKernel(RoiPool) ? engine.backend : engine.findBackend('wasm');
  for (let lv = 0; lv < test.scales.length; lv++) {
    const shortSide = test.scales[lv];
    // Distinct feature-cell footprints at this scale (the original's DEDUP_BOXES = 1/stride).
    const blob = imageBlob(img, shortSide, test.maxSize, cfg, flip);
    const uniq = new Map<string, number>();
    const rep: number[] = [],
      inv: number[] = [],
      members: number[] = [];
    const f = blob.scale / model.stride;
    for (let i = 0; i < R; i++) {
      if (levels[i] !== lv) continue;
      const key = `${Math.round(r4[4 * i] * f)},${Math.round(r4[4 * i + 1] * f)},${Math.round(r4[4 * i + 2] * f)},${Math.round(r4[4 * i + 3] * f)}`;
      let u = uniq.get(key);
      if (u === undefined) {
        u = rep.length;
        uniq.set(key, u);
        rep.push(i);
      }
      inv.push(u);
      members.push(i);
    }
    if (!rep.length) continue;
    const x = engine.makeTensor(blob.data, [1, 3, blob.height, blob.width], 'float32');
    const feats = model.forward(x);
    x.dispose();
    if (feats.backend !== poolOn) engine.moveTo(feats, poolOn, yield feats);
    const U = rep.length,
      uScores = new Float32Array(U * K1),
      uDeltas = new Float32Array(U * 4 * K1);
    for (let c0 = 0; c0 < U; c0 += test.chunk) {
      const c1 = Math.min(U, c0 + test.chunk);
      const r = new Float32Array(5 * (c1 - c0));
      for (let k = c0; k < c1; k++) for (let j = 0; j < 4; j++) r[5 * (k - c0) + 1 + j] = r4[4 * rep[k] + j] * blob.scale;
      const [s, d] = engine.tidy(() => {
        const rt = engine.makeTensor(r, [c1 - c0, 5], 'float32', poolOn);
        const out = model.head(model.pool(feats, rt));
        return [softmax(out.clsScore), out.bboxPred] as Tensor[];
      });
      uScores.set((yield s) as Float32Array, c0 * K1);
      uDeltas.set((yield d) as Float32Array, c0 * 4 * K1);
      s.dispose();
      d.dispose();
    }
    feats.dispose();
    members.forEach((i, m) => {
      const u = inv[m];
      scores.set(uScores.subarray(u * K1, (u + 1) * K1), i * K1);
      deltas.set(uDeltas.subarray(u * 4 * K1, (u + 1) * 4 * K1), i * 4 * K1);
    });
  }
  if (model.bboxMeans && model.bboxStds) unnormalizeDeltas(deltas, { means: model.bboxMeans, stds: model.bboxStds });
  if (flip) for (let i = 0; i < deltas.length; i += 4) deltas[i] = -deltas[i];
  return { scores, deltas };
}

/**
 * Scores and class-specific boxes of every RoI (im_detect). Scales in `test.scales` are short sides;
 * a model with unfolded target statistics (still training) is handled by un-normalizing its deltas.
 * With test.flip the mirror image is scored too and scores and deltas are averaged over both.
 */
export function imDetect(
  model: FastRCNN,
  img: RgbImage,
  proposals: ArrayLike<number>,
  cfg: FastRcnnConfig,
  test: TestConfig = cfg.test,
): RawDetections {
  const wasTraining = model.training;
  model.eval();
  try {
    return readAllSync(imDetectPass(model, img, proposals, cfg, test));
  } finally {
    model.train(wasTraining);
  }
}

/** imDetect with asynchronous reads: on WebGL the calling thread is free while the GPU works. */
export async function imDetectAsync(
  model: FastRCNN,
  img: RgbImage,
  proposals: ArrayLike<number>,
  cfg: FastRcnnConfig,
  test: TestConfig = cfg.test,
): Promise<RawDetections> {
  const wasTraining = model.training;
  model.eval();
  try {
    return await readAll(imDetectPass(model, img, proposals, cfg, test));
  } finally {
    model.train(wasTraining);
  }
}

function* imDetectPass(
  model: FastRCNN,
  img: RgbImage,
  proposals: ArrayLike<number>,
  cfg: FastRcnnConfig,
  test: TestConfig,
): Reads<RawDetections> {
  const K1 = model.numClasses;
  const rois = cleanProposals(proposals, img.width, img.height, test.maxProposals);
  const R = rois.length / 4;
  if (R === 0) return { rois, scores: new Float32Array(0), boxes: new Float32Array(0) };
  const factors = test.scales.map((sh) => computeScale(img.width, img.height, sh, test.maxSize));
  const levels = assignLevels(rois, factors, test.pyramidArea);
  const { scores, deltas } = yield* scoreRois(model, img, rois, levels, cfg, test, false);
  if (test.flip) {
    const m = yield* scoreRois(model, img, rois, levels, cfg, test, true);
    for (let i = 0; i < scores.length; i++) scores[i] = 0.5 * (scores[i] + m.scores[i]);
    for (let i = 0; i < deltas.length; i++) deltas[i] = 0.5 * (deltas[i] + m.deltas[i]);
  }
  if (!test.bboxReg) {
    const boxes = new Float32Array(R * 4 * K1);
    for (let i = 0; i < R; i++) for (let k = 0; k < K1; k++) boxes.set(rois.subarray(4 * i, 4 * i + 4), 4 * (i * K1 + k));
    return { rois, scores, boxes };
  }
  const boxes = clipBoxes(decodeBoxes(rois, deltas), img.height, img.width);
  return { rois, scores, boxes };
}

/**
 * Per class: RoIs scoring above scoreThresh, NMS at test.nms; then the best maxPerImage over all
 * classes (test_net.py). Sorted by descending score.
 */
export function postprocess(raw: RawDetections, classes: string[], test: TestConfig): Detection[] {
  const K1 = classes.length + 1,
    R = raw.rois.length / 4;
  let dets: Detection[] = [];
  for (let k = 1; k < K1; k++) {
    const idx: number[] = [];
    for (let i = 0; i < R; i++) if (raw.scores[i * K1 + k] > test.scoreThresh) idx.push(i);
    if (!idx.length) continue;
    const b = new Float32Array(4 * idx.length),
      s = new Float32Array(idx.length);
    idx.forEach((i, m) => {
      b.set(raw.boxes.subarray(4 * (i * K1 + k), 4 * (i * K1 + k) + 4), 4 * m);
      s[m] = raw.scores[i * K1 + k];
    });
    for (const m of nms(b, s, test.nms)) {
      dets.push({ classIndex: k, className: classes[k - 1], score: s[m], box: [b[4 * m], b[4 * m + 1], b[4 * m + 2], b[4 * m + 3]] });
    }
  }
  dets.sort((a, b) => b.score - a.score || a.classIndex - b.classIndex);
  if (test.maxPerImage > 0 && dets.length > test.maxPerImage) dets = dets.slice(0, test.maxPerImage);
  return dets;
}

/** Detections on one image from its proposals. */
export function detect(
  model: FastRCNN,
  img: RgbImage,
  proposals: ArrayLike<number>,
  cfg: FastRcnnConfig,
  test: TestConfig = cfg.test,
): DetectResult {
  const t0 = performance.now();
  const raw = imDetect(model, img, proposals, cfg, test);
  return finish(model, raw, test, t0);
}

/** detect with asynchronous reads (imDetectAsync): the same detections, without blocking on WebGL. */
export async function detectAsync(
  model: FastRCNN,
  img: RgbImage,
  proposals: ArrayLike<number>,
  cfg: FastRcnnConfig,
  test: TestConfig = cfg.test,
): Promise<DetectResult> {
  const t0 = performance.now();
  const raw = await imDetectAsync(model, img, proposals, cfg, test);
  return finish(model, raw, test, t0);
}

function finish(model: FastRCNN, raw: RawDetections, test: TestConfig, t0: number): DetectResult {
  const t1 = performance.now();
  const detections = postprocess(raw, model.classes, test);
  return { detections, numProposals: raw.rois.length / 4, netSeconds: (t1 - t0) / 1000, postSeconds: (performance.now() - t1) / 1000 };
}
