// Selective Search (Uijlings, van de Sande, Gevers, Smeulders, IJCV 2013), the proposal method the
// Fast R-CNN paper uses. The WASM kernels (assembly/ss_*.ts) segment (Felzenszwalb–Huttenlocher) and
// group regions hierarchically; this file runs the diversification strategies (colour spaces ×
// segmentation k × similarity sets), then ranks and de-duplicates the boxes.
//
// Two rankings. 'paper' (sec. 3.3, as the authors' code): priority = hierarchy position × U(0,1),
// ascending, position 1 = the top (the last merge); a segmentation's own regions sit just below its
// hierarchies. 'level' (the default 'fast' mode): priority = depth in the merge tree × U(0,1)^0.5 (1 =
// a segment, a merge = 1 + its deeper child; OpenCV's ximgproc ranks by depth × U), times the
// segmentation's weight, divided by votes^5 where votes = how many hierarchies produced that exact
// box; then a box overlapping an already listed one by IoU > 0.75 moves to the back of the list, so
// the first boxes cover more of the image. On real photographs (examples/bench/ss-recall.ts) this
// ranks objects far earlier than the paper's order at the same boxes per image.
import { loadWasm, type WasmModule } from '../backends/wasm/loader.js';
import { Rng } from '../util/random.js';
import { rankLevels, rankRegions, type SegmentationRun } from './ranking.js';

export { demoteNearDuplicates, type LevelRankOptions, mergeLevels, rankLevels, rankRegions, type SegmentationRun } from './ranking.js';
import type { RgbImage } from '../data/types.js';

/** 8-bit image, RGB interleaved row-major (the data layer's type; RGBA data is accepted too, alpha ignored). */
export type { RgbImage };

export type ColorSpace = 'rgb' | 'hsv' | 'lab';
/** A similarity set: letters of C (colour), T (texture), S (size), F (fill), e.g. 'CTSF', 'TSF'. */
export type SimilaritySet = string;
export type SelectiveSearchMode = 'fast' | 'paper' | 'single';
export type SelectiveSearchRanking = 'level' | 'paper';

export interface SelectiveSearchOptions {
  /**
   * 'fast' (default): HSV+Lab × k {150, 300, 450, 50, 100} × {CTSF, TSF} (20 hierarchies; smallest
   * segment min(k, 100) px; the k < 150 segmentations rank with weight 8), 'level' ranking.
   * 'paper': the paper's fast mode as published: HSV+Lab × k {50, 100} × {CTSF, TSF}, smallest
   * segment k, 'paper' ranking. 'single': HSV, k 100, CTSF, 'paper' ranking.
   */
  mode?: SelectiveSearchMode;
  /** Keep at most this many boxes, best ranked first (default 2000; 0 = all). */
  maxBoxes?: number;
  /** Drop boxes narrower or shorter than this many pixels (default 0: keep all). */
  minSize?: number;
  /** Seed of the ranking's random factor (default 0). */
  seed?: number;
  /** Segmentation k values (Felzenszwalb's scale), overriding the mode's. */
  scale?: number[];
  /** Gaussian smoothing before segmentation (default 0.8). */
  sigma?: number;
  /** Smallest segment, in pixels (default: min(k, 100) in 'fast' mode, k otherwise, as the paper's code). */
  minRegion?: number;
  colorSpaces?: ColorSpace[];
  similarities?: SimilaritySet[];
  /**
   * 'level' ranking only: a weight per entry of `scale` multiplying the priorities of that
   * segmentation's boxes (larger = later). Default: 8 for k < 150 in 'fast' mode, else 1.
   */
  scaleWeights?: number[];
  /** The ranking (default: 'level' in 'fast' mode, 'paper' otherwise). */
  ranking?: SelectiveSearchRanking;
  /** 'level' ranking: exponent of the vote count dividing a box's priority (default 5; 0 = no votes). */
  votes?: number;
  /** 'level' ranking: a box with IoU above this with an earlier listed box moves to the back (default 0.75; 0 = off). */
  demoteIoU?: number;
  /**
   * 'level' ranking: exponent of the random factor, priority ∝ level × U^randomPower (default 0.5:
   * less random than U; 1 = OpenCV's level × U; 0 = no randomness, ties by draw order).
   */
  randomPower?: number;
}

/**
 * The options the detector's steps use: the published fast mode ('paper'), at most 2000 boxes per
 * image. 'fast' has more recall per box, but on photo-small (trained and tested with no flags) it gave
 * VOC07 mAP 0.401 against 0.418 for about twice the time per image, so the detector keeps 'paper'.
 */
export const DEFAULT_SS_OPTIONS: SelectiveSearchOptions = { mode: 'paper', maxBoxes: 2000 };

/** The strategies a call will run, resolved from the mode and the overrides. */
export interface SelectiveSearchPlan {
  colorSpaces: ColorSpace[];
  scale: number[];
  similarities: SimilaritySet[];
  sigma: number;
  /** Smallest segment per entry of `scale`. */
  minRegions: number[];
  /** Rank weight per entry of `scale`. */
  weights: number[];
  ranking: SelectiveSearchRanking;
  votes: number;
  demoteIoU: number;
  randomPower: number;
}

const SPACE_CODE: Record<ColorSpace, number> = { rgb: 0, hsv: 1, lab: 2 };
const USE_COLOR = 1,
  USE_TEXTURE = 2,
  USE_SIZE = 4,
  USE_FILL = 8;

const MODES: SelectiveSearchMode[] = ['fast', 'paper', 'single'];

export function planFor(options: SelectiveSearchOptions = {}): SelectiveSearchPlan {
  const mode = options.mode ?? 'fast';
  if (!MODES.includes(mode)) throw new Error(`selectiveSearch: unknown mode '${mode}'`);
  const fast = mode === 'fast',
    single = mode === 'single';
  const scale = options.scale ?? (fast ? [150, 300, 450, 50, 100] : single ? [100] : [50, 100]);
  for (const k of scale) if (!(k > 0) || !Number.isFinite(k)) throw new Error(`selectiveSearch: scale (k) must be positive, got ${k}`);
  const minRegions = scale.map((k) => Math.max(1, Math.round(options.minRegion ?? (fast ? Math.min(k, 100) : k))));
  const weights = options.scaleWeights ?? scale.map((k) => (fast && k < 150 ? 8 : 1));
  if (weights.length !== scale.length || weights.some((w) => !(w > 0) || !Number.isFinite(w))) {
    throw new Error(`selectiveSearch: scaleWeights must be ${scale.length} positive numbers, one per scale`);
  }
  const ranking = options.ranking ?? (fast ? 'level' : 'paper');
  if (ranking !== 'level' && ranking !== 'paper') throw new Error(`selectiveSearch: unknown ranking '${ranking}'`);
  const plan: SelectiveSearchPlan = {
    colorSpaces: options.colorSpaces ?? (single ? ['hsv'] : ['hsv', 'lab']),
    scale,
    similarities: options.similarities ?? (single ? ['CTSF'] : ['CTSF', 'TSF']),
    sigma: options.sigma ?? 0.8,
    minRegions,
    weights,
    ranking,
    votes: options.votes ?? 5,
    demoteIoU: options.demoteIoU ?? 0.75,
    randomPower: options.randomPower ?? 0.5,
  };
  if (!(plan.votes >= 0) || !Number.isFinite(plan.votes)) throw new Error(`selectiveSearch: votes must be >= 0, got ${plan.votes}`);
  if (!(plan.randomPower >= 0) || !Number.isFinite(plan.randomPower)) {
    throw new Error(`selectiveSearch: randomPower must be >= 0, got ${plan.randomPower}`);
  }
  if (!(plan.demoteIoU >= 0 && plan.demoteIoU <= 1)) throw new Error(`selectiveSearch: demoteIoU must be in [0, 1], got ${plan.demoteIoU}`);
  for (const c of plan.colorSpaces) if (!(c in SPACE_CODE)) throw new Error(`selectiveSearch: unknown colour space '${c}'`);
  for (const s of plan.similarities) similarityFlags(s);
  if (!plan.colorSpaces.length || !plan.scale.length || !plan.similarities.length) {
    throw new Error('selectiveSearch: colorSpaces, scale and similarities must not be empty');
  }
  return plan;
}

function similarityFlags(set: SimilaritySet): number {
  let f = 0;
  for (const ch of set.toUpperCase()) {
    const bit = ch === 'C' ? USE_COLOR : ch === 'T' ? USE_TEXTURE : ch === 'S' ? USE_SIZE : ch === 'F' ? USE_FILL : -1;
    if (bit < 0) throw new Error(`selectiveSearch: similarity set '${set}' may only use the letters C, T, S, F`);
    f |= bit;
  }
  if (!f) throw new Error('selectiveSearch: empty similarity set');
  return f;
}

/** Validates an image and returns its channel count (3 or 4). */
function imageChannels(image: RgbImage): number {
  const { width: w, height: h, data } = image;
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1) {
    throw new Error(`selectiveSearch: image size must be positive integers, got ${w}x${h}`);
  }
  if (data.length === w * h * 3) return 3;
  if (data.length === w * h * 4) return 4;
  throw new Error(`selectiveSearch: image data has ${data.length} bytes, expected ${w * h * 3} (RGB) or ${w * h * 4} (RGBA)`);
}

/** Runs every strategy of the plan on the image and returns each segmentation's regions and hierarchies. */
export function runGroupings(image: RgbImage, plan: SelectiveSearchPlan, m: WasmModule = loadWasm()): SegmentationRun[] {
  const channels = imageChannels(image);
  const w = image.width,
    h = image.height,
    n = w * h;
  const ex = m.exports;
  const flagsList = plan.similarities.map(similarityFlags);
  const anyColour = flagsList.some((f) => f & USE_COLOR);
  const anyTexture = flagsList.some((f) => f & USE_TEXTURE);
  const held: number[] = [];
  const alloc = (bytes: number) => {
    const p = m.alloc(bytes);
    held.push(p);
    return p;
  };
  const runs: SegmentationRun[] = [];
  try {
    const rgb = alloc(3 * n);
    writeRgb(m.u8(rgb, 3 * n), image.data, channels);
    const cs = alloc(3 * n);
    const small = alloc(1024);
    const smooth = alloc(12 * n);
    const maxEdges = ex.ssMaxEdges(w, h) as number;
    const ew = alloc(4 * maxEdges),
      ei = alloc(4 * maxEdges);
    const lo = alloc(4 * maxEdges),
      hi = alloc(4 * maxEdges); // radix sort temps, then neighbour pairs
    const bucket = alloc(4 * maxEdges);
    const counts = alloc(2048 * 4);
    const uf = alloc(Math.max(ex.ssSegmentWorkBytes(n) as number, 8 * (n + 1))); // then adjacency scratch
    const labels = alloc(4 * n);
    const texScratch = alloc(ex.ssTextureScratchBytes(n) as number);
    const texBins = anyTexture ? alloc(24 * n) : 0;
    for (const space of plan.colorSpaces) {
      ex.ssColorSpace(rgb, cs, n, SPACE_CODE[space], small);
      ex.ssSmooth(cs, smooth, texScratch, w, h, plan.sigma, small);
      const edges = ex.ssBuildEdges(smooth, w, h, ew, ei) as number;
      ex.ssSortEdges(ew, ei, edges, lo, hi, counts);
      if (anyTexture) ex.ssTextureBins(cs, w, h, texBins, texScratch);
      for (let ki = 0; ki < plan.scale.length; ki++) {
        const k = plan.scale[ki],
          minRegion = plan.minRegions[ki];
        const R = ex.ssSegmentGraph(n, w, ew, ei, edges, k, minRegion, uf, labels) as number;
        const E = ex.ssAdjacency(labels, w, h, R, lo, hi, bucket, uf, uf + 4 * (R + 1)) as number;
        const local: number[] = [];
        const la = (bytes: number) => {
          const p = m.alloc(bytes);
          local.push(p);
          return p;
        };
        try {
          const sizes = la(8 * R),
            boxes = la(32 * R);
          const colour = anyColour ? la(2 * R * 76 * 4) : 0;
          const texture = anyTexture ? la(2 * R * 240 * 4) : 0;
          const work = la(ex.ssGroupWorkBytes(R, E) as number);
          const kids = la(8 * R);
          ex.ssRegionStats(labels, w, h, R, sizes, boxes);
          if (anyColour) ex.ssColorHist(cs, labels, n, R, sizes, colour);
          if (anyTexture) ex.ssTextureHist(texBins, labels, n, R, sizes, texture);
          const run: SegmentationRun = { segments: m.i32(boxes, 4 * R).slice(), merges: [], children: [], weight: plan.weights[ki] };
          for (const flags of flagsList) {
            const T = ex.ssGroup(R, E, lo, hi, sizes, boxes, colour, texture, flags, n, work, kids) as number;
            run.merges.push(m.i32(boxes + 16 * R, 4 * (T - R)).slice());
            run.children.push(m.i32(kids, 2 * (T - R)).slice());
          }
          runs.push(run);
        } finally {
          for (const p of local) m.free(p);
        }
      }
    }
  } finally {
    for (const p of held) m.free(p);
  }
  return runs;
}

function writeRgb(dst: Uint8Array, src: Uint8Array, channels: number): void {
  if (channels === 3) {
    dst.set(src);
    return;
  }
  for (let i = 0, j = 0; j < dst.length; i += 4, j += 3) {
    dst[j] = src[i];
    dst[j + 1] = src[i + 1];
    dst[j + 2] = src[i + 2];
  }
}

/**
 * Object proposals for one image: Float32Array [n*4] of (x1, y1, x2, y2), 0-based, pixel-inclusive,
 * best ranked first. Deterministic for a given seed.
 */
export function selectiveSearch(image: RgbImage, options: SelectiveSearchOptions = {}): Float32Array {
  const plan = planFor(options);
  const runs = runGroupings(image, plan);
  const rng = new Rng(options.seed ?? 0),
    minSize = options.minSize ?? 0,
    maxBoxes = options.maxBoxes ?? 2000;
  if (plan.ranking === 'paper') return rankRegions(runs, rng, minSize, maxBoxes);
  return rankLevels(runs, rng, { votes: plan.votes, demoteIoU: plan.demoteIoU, randomPower: plan.randomPower, minSize, maxBoxes });
}
