// Selective Search (Uijlings, van de Sande, Gevers, Smeulders, IJCV 2013), the proposal method the
// Fast R-CNN paper uses ("fast mode"). The WASM kernels (assembly/ss_*.ts) segment (Felzenszwalb–
// Huttenlocher) and group regions hierarchically; this file only runs the diversification strategies
// (colour spaces × segmentation k × similarity sets), then ranks and de-duplicates the boxes as in
// the paper (sec. 3.3) and the authors' code: priority = hierarchy position × U(0,1), ascending,
// position 1 = the top (the last merge); a segmentation's own regions sit just below its hierarchies.
import { loadWasm, type WasmModule } from '../backends/wasm/loader.js';
import { Rng } from '../util/random.js';
import type { RgbImage } from '../data/types.js';

/** 8-bit image, RGB interleaved row-major (the data layer's type; RGBA data is accepted too, alpha ignored). */
export type { RgbImage };

export type ColorSpace = 'rgb' | 'hsv' | 'lab';
/** A similarity set: letters of C (colour), T (texture), S (size), F (fill), e.g. 'CTSF', 'TSF'. */
export type SimilaritySet = string;

export interface SelectiveSearchOptions {
  /** 'fast': HSV+Lab × k {50,100} × {CTSF, TSF} (8 strategies); 'single': HSV, k 100, CTSF. */
  mode?: 'fast' | 'single';
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
  /** Smallest segment, in pixels (default: k, as the paper's code does). */
  minRegion?: number;
  colorSpaces?: ColorSpace[];
  similarities?: SimilaritySet[];
}

/** The options the detector's steps use (the paper's "fast" mode, at most 2000 boxes per image). */
export const DEFAULT_SS_OPTIONS: SelectiveSearchOptions = { mode: 'fast', maxBoxes: 2000 };

/** The strategies a call will run, resolved from the mode and the overrides. */
export interface SelectiveSearchPlan {
  colorSpaces: ColorSpace[];
  scale: number[];
  similarities: SimilaritySet[];
  sigma: number;
  minRegion: number | undefined;
}

const SPACE_CODE: Record<ColorSpace, number> = { rgb: 0, hsv: 1, lab: 2 };
const USE_COLOR = 1,
  USE_TEXTURE = 2,
  USE_SIZE = 4,
  USE_FILL = 8;

export function planFor(options: SelectiveSearchOptions = {}): SelectiveSearchPlan {
  const mode = options.mode ?? 'fast';
  if (mode !== 'fast' && mode !== 'single') throw new Error(`selectiveSearch: unknown mode '${mode}'`);
  const fast = mode === 'fast';
  const plan: SelectiveSearchPlan = {
    colorSpaces: options.colorSpaces ?? (fast ? ['hsv', 'lab'] : ['hsv']),
    scale: options.scale ?? (fast ? [50, 100] : [100]),
    similarities: options.similarities ?? (fast ? ['CTSF', 'TSF'] : ['CTSF']),
    sigma: options.sigma ?? 0.8,
    minRegion: options.minRegion,
  };
  for (const c of plan.colorSpaces) if (!(c in SPACE_CODE)) throw new Error(`selectiveSearch: unknown colour space '${c}'`);
  for (const k of plan.scale) if (!(k > 0) || !Number.isFinite(k)) throw new Error(`selectiveSearch: scale (k) must be positive, got ${k}`);
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
      for (const k of plan.scale) {
        const minRegion = Math.max(1, Math.round(plan.minRegion ?? k));
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
          ex.ssRegionStats(labels, w, h, R, sizes, boxes);
          if (anyColour) ex.ssColorHist(cs, labels, n, R, sizes, colour);
          if (anyTexture) ex.ssTextureHist(texBins, labels, n, R, sizes, texture);
          const run: SegmentationRun = { segments: m.i32(boxes, 4 * R).slice(), merges: [] };
          for (const flags of flagsList) {
            const T = ex.ssGroup(R, E, lo, hi, sizes, boxes, colour, texture, flags, n, work) as number;
            run.merges.push(m.i32(boxes + 16 * R, 4 * (T - R)).slice());
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

/**
 * Object proposals for one image: Float32Array [n*4] of (x1, y1, x2, y2), 0-based, pixel-inclusive,
 * best ranked first. Deterministic for a given seed.
 */
export function selectiveSearch(image: RgbImage, options: SelectiveSearchOptions = {}): Float32Array {
  const plan = planFor(options);
  const runs = runGroupings(image, plan);
  return rankRegions(runs, new Rng(options.seed ?? 0), options.minSize ?? 0, options.maxBoxes ?? 2000);
}
