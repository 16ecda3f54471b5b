// RoI sampling for one image of a mini-batch (the paper's §2.3, original roi_data_layer/minibatch.py
// _sample_rois): up to fgFraction of the image's RoIs are foreground (max IoU with a ground-truth box
// ≥ fgThresh; the ground-truth boxes themselves are among the candidates), the rest background (max
// IoU in [bgThreshLo, bgThreshHi)), each drawn without replacement by the seeded generator.
import type { Rng } from '../../util/random.js';

export interface SamplerConfig {
  /** RoIs to sample from this image (R / N). */
  roisPerImage: number;
  fgFraction: number;
  fgThresh: number;
  bgThreshHi: number;
  bgThreshLo: number;
}

/** The candidates of one image: boxes with their best ground-truth overlap and that box's class. */
export interface RoiCandidates {
  /** Max IoU of each box with any ground-truth box (0 when the image has none). */
  maxOverlaps: ArrayLike<number>;
  /** Class (1..K) of that best ground-truth box; 0 when there is none. */
  maxClasses: ArrayLike<number>;
}

export interface SampledRois {
  /** Indices into the candidates: foreground first, then background. */
  indices: number[];
  /** Class per sampled RoI, 0 for background. */
  labels: number[];
  numFg: number;
}

/** Foreground RoIs per image: round(fgFraction · roisPerImage), as the original. */
export function fgRoisPerImage(c: SamplerConfig): number {
  return Math.round(c.fgFraction * c.roisPerImage);
}

export function sampleRois(cand: RoiCandidates, c: SamplerConfig, rng: Rng): SampledRois {
  const n = cand.maxOverlaps.length;
  if (cand.maxClasses.length !== n) throw new Error(`sampleRois: ${n} overlaps but ${cand.maxClasses.length} classes`);
  const fg: number[] = [],
    bg: number[] = [];
  for (let i = 0; i < n; i++) {
    const o = cand.maxOverlaps[i];
    if (o >= c.fgThresh) fg.push(i);
    else if (o < c.bgThreshHi && o >= c.bgThreshLo) bg.push(i);
  }
  const nFg = Math.min(fgRoisPerImage(c), fg.length);
  const fgPick = rng.choice(fg.length, nFg).map((k) => fg[k]);
  const nBg = Math.min(c.roisPerImage - nFg, bg.length);
  const bgPick = rng.choice(bg.length, nBg).map((k) => bg[k]);
  const indices = [...fgPick, ...bgPick];
  const labels = indices.map((idx, k) => (k < nFg ? cand.maxClasses[idx] : 0));
  return { indices, labels, numFg: nFg };
}
