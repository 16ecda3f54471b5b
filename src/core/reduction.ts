// How a reduction over several axes is done by backends: the reduced axes are grouped into
// contiguous runs, taken from the innermost, each one a [outer, r, inner] reduction, so NCHW's
// (0,2,3) needs no transpose.
import { sizeOf } from './types.js';

export interface ReductionRun {
  outer: number;
  r: number;
  inner: number;
  /** The running shape after this run (its axes set to 1). */
  shape: number[];
}

export function reductionRuns(
  shape: readonly number[],
  axes: readonly number[],
): { runs: ReductionRun[]; keptShape: number[]; finalShape: number[] } {
  const sorted = [...new Set(axes)].sort((a, b) => a - b);
  const runs: ReductionRun[] = [];
  let cur = shape.slice();
  let i = sorted.length - 1;
  while (i >= 0) {
    let j = i;
    while (j > 0 && sorted[j - 1] === sorted[j] - 1) j--;
    const a = sorted[j],
      b = sorted[i];
    const next = cur.map((d, k) => (k >= a && k <= b ? 1 : d));
    runs.push({ outer: sizeOf(cur.slice(0, a)), r: sizeOf(cur.slice(a, b + 1)), inner: sizeOf(cur.slice(b + 1)), shape: next });
    cur = next;
    i = j - 1;
  }
  return { runs, keptShape: cur, finalShape: cur.filter((_, k) => !sorted.includes(k)) };
}
