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

/** One segmentation (colour space × k) and the hierarchies grown from it, one per similarity set. */
export interface SegmentationRun {
  /** Boxes of the segmentation's R regions, [R*4] (x1, y1, x2, y2). */
  segments: Int32Array;
  /** Per similarity set, the boxes of the merged regions in merge order, [(R-1)*4]; the last is the whole image. */
  merges: Int32Array[];
  /**
   * Per similarity set, the two regions each merge joined, [(R-1)*2]: ids 0..R-1 are the segments,
   * R + j the j-th merge (so a merge's children come before it).
   */
  children: Int32Array[];
  /** The segmentation's rank weight ('level' ranking; default 1). */
  weight?: number;
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
 * The paper's ranking, as the authors' code does it: in a hierarchy of M merges the j-th merge
 * (0-based) has position M - j (1 = the last, the whole image), each segment of the segmentation has
 * position M + 1 (counted once per segmentation, not per similarity set); priority = position ×
 * U(0,1) with the draws taken hierarchy by hierarchy, then the segments. All boxes are sorted by
 * priority ascending (ties: first drawn first); a repeated box keeps its best rank; boxes smaller
 * than minSize on a side are dropped, and at most maxBoxes are kept (0 = all).
 */
export function rankRegions(runs: SegmentationRun[], rng: Rng, minSize = 0, maxBoxes = 0): Float32Array {
  const lists: { boxes: Int32Array; position: (j: number) => number }[] = [];
  for (const run of runs) {
    let top = 0;
    for (const merged of run.merges) {
      const M = merged.length / 4;
      top = Math.max(top, M);
      lists.push({ boxes: merged, position: (j) => M - j });
    }
    lists.push({ boxes: run.segments, position: () => top + 1 });
  }
  let total = 0;
  for (const l of lists) total += l.boxes.length / 4;
  const prio = new Float64Array(total);
  const src = new Int32Array(total * 4);
  let i = 0;
  for (const l of lists) {
    src.set(l.boxes, 4 * i);
    for (let j = 0; j < l.boxes.length / 4; j++, i++) prio[i] = l.position(j) * rng.next();
  }
  const order = Array.from({ length: total }, (_, k) => k);
  order.sort((a, b) => prio[a] - prio[b] || a - b);
  const seen = new Set<string>();
  const out: number[] = [];
  const cap = maxBoxes > 0 ? maxBoxes : Infinity;
  for (const k of order) {
    const x1 = src[4 * k],
      y1 = src[4 * k + 1],
      x2 = src[4 * k + 2],
      y2 = src[4 * k + 3];
    if (x2 - x1 + 1 < minSize || y2 - y1 + 1 < minSize) continue;
    const key = `${x1},${y1},${x2},${y2}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(x1, y1, x2, y2);
    if (out.length >= 4 * cap) break;
  }
  return new Float32Array(out);
}

/** Depth of every region in a hierarchy of R segments: 1 for a segment, 1 + the deeper child for a merge. */
export function mergeLevels(R: number, children: Int32Array): Int32Array {
  const M = children.length / 2;
  const level = new Int32Array(R + M).fill(1);
  for (let j = 0; j < M; j++) level[R + j] = Math.max(level[children[2 * j]], level[children[2 * j + 1]]) + 1;
  return level;
}

export interface LevelRankOptions {
  /** Exponent of the vote count dividing the priority (0 = votes ignored). */
  votes: number;
  /** Demote a box whose IoU with an earlier listed box is above this (0 = off). */
  demoteIoU: number;
  /** Exponent of the random factor U(0,1) (default 1: weight × level × U). */
  randomPower?: number;
  minSize?: number;
  maxBoxes?: number;
}

/**
 * The 'level' ranking. Every hierarchy lists its segments (level 1) and then its merges, each drawing
 * one U(0,1) in that order (runs in order, hierarchies in order); a region's priority is
 * weight × level × U^randomPower. Identical boxes form one entry with the smallest priority of its copies divided
 * by copies^votes (ties: the first drawn copy first). Entries are sorted ascending; boxes smaller
 * than minSize on a side are dropped; then, walking that order, a box whose IoU with a box already
 * listed is above demoteIoU moves to the back (the moved boxes keep their relative order), and at
 * most maxBoxes are kept (0 = all).
 */
export function rankLevels(runs: SegmentationRun[], rng: Rng, options: LevelRankOptions): Float32Array {
  let total = 0;
  for (const run of runs) {
    const R = run.segments.length / 4;
    for (const merged of run.merges) total += R + merged.length / 4;
  }
  const src = new Int32Array(4 * total);
  const prio = new Float64Array(total);
  const power = options.randomPower ?? 1;
  let i = 0;
  for (const run of runs) {
    const R = run.segments.length / 4,
      w = run.weight ?? 1;
    run.merges.forEach((merged, s) => {
      const level = mergeLevels(R, run.children[s]);
      src.set(run.segments, 4 * i);
      src.set(merged, 4 * (i + R));
      for (let j = 0; j < level.length; j++, i++) prio[i] = w * level[j] * (power === 1 ? rng.next() : rng.next() ** power);
    });
  }
  // one entry per distinct box: first copy, smallest priority, number of copies
  let W = 1,
    H = 1;
  for (let k = 0; k < total; k++) {
    W = Math.max(W, src[4 * k + 2] + 1);
    H = Math.max(H, src[4 * k + 3] + 1);
  }
  const numeric = W * H * W * H < 2 ** 53;
  const index = new Map<number | string, number>();
  const first: number[] = [],
    best: number[] = [],
    copies: number[] = [];
  for (let k = 0; k < total; k++) {
    const x1 = src[4 * k],
      y1 = src[4 * k + 1],
      x2 = src[4 * k + 2],
      y2 = src[4 * k + 3];
    const key = numeric ? ((x1 * H + y1) * W + x2) * H + y2 : `${x1},${y1},${x2},${y2}`;
    const e = index.get(key);
    if (e === undefined) {
      index.set(key, first.length);
      first.push(k);
      best.push(prio[k]);
      copies.push(1);
    } else {
      if (prio[k] < best[e]) best[e] = prio[k];
      copies[e]++;
    }
  }
  const score = best.map((p, e) => (options.votes > 0 ? p / copies[e] ** options.votes : p));
  const order = Array.from({ length: first.length }, (_, e) => e).sort((a, b) => score[a] - score[b] || first[a] - first[b]);
  const minSize = options.minSize ?? 0;
  const kept: number[] = [];
  for (const e of order) {
    const k = first[e];
    if (src[4 * k + 2] - src[4 * k] + 1 >= minSize && src[4 * k + 3] - src[4 * k + 1] + 1 >= minSize) kept.push(k);
  }
  const ranked = options.demoteIoU > 0 && options.demoteIoU < 1 ? demoteNearDuplicates(src, kept, options.demoteIoU) : kept;
  const cap = options.maxBoxes && options.maxBoxes > 0 ? Math.min(options.maxBoxes, ranked.length) : ranked.length;
  const out = new Float32Array(4 * cap);
  for (let j = 0; j < cap; j++) out.set(src.subarray(4 * ranked[j], 4 * ranked[j] + 4), 4 * j);
  return out;
}

/**
 * Walks `order` (indices of boxes in src) and moves every box whose IoU (pixel-inclusive) with an
 * earlier box left in place is above t to the back, keeping the moved boxes' relative order.
 */
export function demoteNearDuplicates(src: Int32Array, order: number[], t: number): number[] {
  const n = order.length;
  const kx1 = new Int32Array(n),
    ky1 = new Int32Array(n),
    kx2 = new Int32Array(n),
    ky2 = new Int32Array(n),
    karea = new Float64Array(n);
  const front: number[] = [],
    back: number[] = [];
  let nk = 0;
  for (const k of order) {
    const x1 = src[4 * k],
      y1 = src[4 * k + 1],
      x2 = src[4 * k + 2],
      y2 = src[4 * k + 3];
    const area = (x2 - x1 + 1) * (y2 - y1 + 1);
    // IoU > t needs t * max(area) < intersection <= min(area): boxes of too different sizes are skipped
    const lo = area * t,
      hi = area / t;
    let dup = false;
    for (let j = 0; j < nk; j++) {
      const a = karea[j];
      if (a <= lo || a >= hi) continue;
      const iw = Math.min(x2, kx2[j]) - Math.max(x1, kx1[j]) + 1;
      if (iw <= 0) continue;
      const ih = Math.min(y2, ky2[j]) - Math.max(y1, ky1[j]) + 1;
      if (ih <= 0) continue;
      const inter = iw * ih;
      if (inter > t * (area + a - inter)) {
        dup = true;
        break;
      }
    }
    if (dup) back.push(k);
    else {
      kx1[nk] = x1;
      ky1[nk] = y1;
      kx2[nk] = x2;
      ky2[nk] = y2;
      karea[nk] = area;
      nk++;
      front.push(k);
    }
  }
  return front.concat(back);
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
