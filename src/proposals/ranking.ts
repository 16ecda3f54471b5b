// Selective Search's ranking (./selectiveSearch.ts runs the strategies): the boxes of every
// segmentation and hierarchy in one list, best first. 'paper' (sec. 3.3, as the authors' code):
// hierarchy position × U(0,1). 'level' (the 'fast' mode): depth in the merge tree × U^p × weight,
// divided by votes^v, then near-duplicates moved to the back. The header of ./selectiveSearch.ts
// says why.
import type { Rng } from '../util/random.js';

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
