// What RoI max pooling (./roiPool.ts) and RoIAlign (./roiAlign.ts) share: the feature-map shape,
// the checks of x, rois and spatialScale, and the channel padding of their scratch buffers.
import { fail } from './checks.js';

export type Shape4 = readonly [number, number, number, number];

export function checkShape4(fn: string, x: ArrayLike<number>, shape: Shape4): void {
  if (shape.length !== 4 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    fail(fn, `x shape must be [N,C,H,W] of positive integers, got [${shape.join(',')}]`);
  }
  const n = shape[0] * shape[1] * shape[2] * shape[3];
  if (x.length !== n) fail(fn, `x has ${x.length} elements but shape [${shape.join(',')}] needs ${n}`);
}

/** rois: R rows of (batch, x1, y1, x2, y2). Returns R. */
export function checkRois(fn: string, rois: ArrayLike<number>, N: number): number {
  if (rois.length % 5 !== 0) fail(fn, `rois must be [R,5] (batch, x1, y1, x2, y2), got ${rois.length} values (not a multiple of 5)`);
  const R = rois.length / 5;
  for (let r = 0; r < R; r++) {
    const b = rois[r * 5];
    if (!Number.isInteger(b) || b < 0 || b >= N) fail(fn, `rois[${r}] batch index ${b} is outside [0, ${N})`);
    for (let k = 1; k < 5; k++) {
      const v = rois[r * 5 + k];
      if (!Number.isFinite(v)) fail(fn, `rois[${r}] has a non-finite coordinate ${v} (x1,y1,x2,y2 = ${Array.from({ length: 4 }, (_, i) => rois[r * 5 + 1 + i]).join(', ')})`);
    }
  }
  return R;
}

export function checkScale(fn: string, s: number): void {
  if (!Number.isFinite(s) || s <= 0) fail(fn, `spatialScale must be a positive finite number, got ${s}`);
}

export function padC(c: number): number { return (c + 3) & ~3; }
