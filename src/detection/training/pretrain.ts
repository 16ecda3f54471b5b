// Classification pre-training on warped regions: our stand-in for the paper's ImageNet initialization
// when training from scratch, done the way R-CNN fine-tuned its network. Each step classifies a batch
// of regions (ground-truth boxes and proposals, foreground when IoU >= fgThresh with an object, else
// background), each cropped with some context and warped to a fixed square, with the detector's own
// network: the whole crop is one RoI, so the backbone, fc6, fc7 and cls_score are all pre-trained. A
// step sees `batch` distinct regions from as many images where a Fast R-CNN mini-batch (two images)
// sees a handful of objects: features appear in a minute instead of thousands of iterations.
import { colourJitter, jitterColourPlanes, permuteChannelPlanes } from '../../data/transforms.js';
import type { RgbImage } from '../../data/types.js';
import type { Rng } from '../../util/random.js';
import type { FastRcnnConfig } from '../model/config.js';
import type { RoidbEntry } from './minibatch.js';
import type { BatchPart } from './batchParts.js';

/**
 * Warps the region centred at (cx, cy) of size sideX × sideY (entry coordinates, i.e. mirrored for a
 * flipped entry) into out[at..] as S×S CHW floats, bilinear, normalized like the detector's input;
 * outside the image the pixel mean (0 after normalization).
 */
function writeCrop(
  img: RgbImage,
  e: RoidbEntry,
  cx: number,
  cy: number,
  sideX: number,
  sideY: number,
  S: number,
  cfg: FastRcnnConfig,
  out: Float32Array,
  at: number,
): void {
  const { width: W, height: H, data } = img;
  // Bilinear taps per output column and row; a tap outside the image reads the pixel mean.
  const xi0 = new Int32Array(S),
    xi1 = new Int32Array(S),
    xa = new Float32Array(S);
  const yi0 = new Int32Array(S),
    yi1 = new Int32Array(S),
    ya = new Float32Array(S);
  for (let u = 0; u < S; u++) {
    let sx = cx + ((u + 0.5) / S - 0.5) * sideX - 0.5;
    if (e.flipped) sx = W - 1 - sx;
    const x0 = Math.floor(sx);
    xa[u] = sx - x0;
    xi0[u] = x0 >= 0 && x0 < W ? x0 : -1;
    xi1[u] = x0 + 1 >= 0 && x0 + 1 < W ? x0 + 1 : -1;
    const sy = cy + ((u + 0.5) / S - 0.5) * sideY - 0.5,
      y0 = Math.floor(sy);
    ya[u] = sy - y0;
    yi0[u] = y0 >= 0 && y0 < H ? y0 : -1;
    yi1[u] = y0 + 1 >= 0 && y0 + 1 < H ? y0 + 1 : -1;
  }
  for (let k = 0; k < 3; k++) {
    const mean = cfg.pixelMeans[k],
      inv = 1 / cfg.pixelStds[k],
      plane = at + k * S * S;
    for (let v = 0; v < S; v++) {
      const r0 = yi0[v],
        r1 = yi1[v],
        ay = ya[v];
      for (let u = 0; u < S; u++) {
        const c0 = xi0[u],
          c1 = xi1[u],
          ax = xa[u];
        const p00 = r0 >= 0 && c0 >= 0 ? data[(r0 * W + c0) * 3 + k] : mean,
          p01 = r0 >= 0 && c1 >= 0 ? data[(r0 * W + c1) * 3 + k] : mean;
        const p10 = r1 >= 0 && c0 >= 0 ? data[(r1 * W + c0) * 3 + k] : mean,
          p11 = r1 >= 0 && c1 >= 0 ? data[(r1 * W + c1) * 3 + k] : mean;
        const val = (p00 + (p01 - p00) * ax) * (1 - ay) + (p10 + (p11 - p10) * ax) * ay;
        out[plane + v * S + u] = (val - mean) * inv;
      }
    }
  }
}

/**
 * A batch of warped regions: a fraction 1 − bgFraction are foreground candidates (IoU >= fgMinOverlap,
 * ground truth included; label = the object's class), the rest background candidates (IoU below
 * bgThreshHi, clutter included; label 0). Each region is enlarged by `context` and jittered in
 * position and size by `jitter`, then warped to cropSize². Mirrored images come from the roidb's
 * flipped entries.
 */
export function sampleCropArrays(
  entries: RoidbEntry[],
  cfg: FastRcnnConfig,
  rng: Rng,
  loadImage: (e: RoidbEntry) => RgbImage,
): { images: Float32Array; rois: Float32Array; labels: Int32Array; numFg: number } {
  const p = cfg.train.pretrain,
    t = cfg.train;
  const B = p.batch,
    S = p.cropSize;
  const x = new Float32Array(B * 3 * S * S),
    labels = new Int32Array(B),
    rois = new Float32Array(5 * B);
  let numFg = 0;
  for (let i = 0; i < B; i++) {
    const wantFg = rng.next() >= p.bgFraction;
    let e: RoidbEntry | null = null,
      k = -1;
    for (let tries = 0; tries < 50 && k < 0; tries++) {
      e = entries[rng.int(0, entries.length)];
      const cand: number[] = [];
      for (let j = 0; j < e.maxOverlaps.length; j++) {
        const o = e.maxOverlaps[j];
        if (wantFg ? o >= Math.max(t.fgThresh, p.fgMinOverlap) : o < t.bgThreshHi) cand.push(j);
      }
      if (cand.length) k = cand[rng.int(0, cand.length)];
    }
    if (!e || k < 0) throw new Error(`pretrain: no ${wantFg ? 'foreground' : 'background'} region in 50 random training images`);
    const b = e.boxes,
      w = b[4 * k + 2] - b[4 * k] + 1,
      h = b[4 * k + 3] - b[4 * k + 1] + 1;
    const j = p.jitter;
    const x1 = b[4 * k],
      y1 = b[4 * k + 1];
    if (p.nativeScale) {
      // Keep the region at its size in the training image (the detector sees it so), shrinking only
      // what does not fit; the crop window lies around it at a random offset; the RoI is the region.
      const f = Math.min(1, S / (p.context * Math.max(w, h))),
        win = S / f;
      const wx = x1 - rng.uniform(0, Math.max(0, win - w)),
        wy = y1 - rng.uniform(0, Math.max(0, win - h));
      writeCrop(loadImage(e), e, wx + win / 2, wy + win / 2, win, win, S, cfg, x, i * 3 * S * S);
      rois.set([i, (x1 - wx) * f, (y1 - wy) * f, (x1 + w - 1 - wx) * f, (y1 + h - 1 - wy) * f], 5 * i);
    } else {
      // Warp the region with context to the whole crop (R-CNN); the RoI is the whole crop.
      const cx = x1 + (w - 1) / 2 + rng.uniform(-j, j) * w,
        cy = y1 + (h - 1) / 2 + rng.uniform(-j, j) * h;
      const f = p.context * rng.uniform(1 - j, 1 + j);
      writeCrop(loadImage(e), e, cx + 0.5, cy + 0.5, w * f, h * f, S, cfg, x, i * 3 * S * S);
      rois.set([i, 0, 0, S - 1, S - 1], 5 * i);
    }
    if (t.permuteChannels) permuteChannelPlanes(x, i * 3 * S * S, S * S, rng.shuffle([0, 1, 2]));
    if (t.colourJitter > 0) {
      const jit = colourJitter(t.colourJitter, (lo, hi) => rng.uniform(lo, hi));
      jitterColourPlanes(x, i * 3 * S * S, S * S, jit.gain, jit.bias);
    }
    const fg = e.maxOverlaps[k] >= t.fgThresh;
    labels[i] = fg ? e.maxClasses[k] : 0;
    if (fg) numFg++;
  }
  return { images: x, rois, labels, numFg };
}

/** A crop batch split into `n` parts of consecutive crops (RoI batch indices renumbered per part). */
export function cropParts(
  entries: RoidbEntry[],
  cfg: FastRcnnConfig,
  rng: Rng,
  loadImage: (e: RoidbEntry) => RgbImage,
  n: number,
): BatchPart[] {
  const a = sampleCropArrays(entries, cfg, rng, loadImage),
    B = a.labels.length,
    S = cfg.train.pretrain.cropSize;
  const per = Math.ceil(B / n),
    px = 3 * S * S;
  const parts: BatchPart[] = [];
  for (let i0 = 0; i0 < B; i0 += per) {
    const i1 = Math.min(B, i0 + per);
    const rois = a.rois.slice(5 * i0, 5 * i1);
    for (let k = 0; k < i1 - i0; k++) rois[5 * k] = k;
    parts.push({
      images: a.images.slice(px * i0, px * i1),
      shape: [i1 - i0, 3, S, S],
      rois,
      labels: a.labels.slice(i0, i1),
      targets: null,
    });
  }
  return parts;
}
