// Box geometry on typed arrays: wraps assembly/boxes.ts (IoU, the R-CNN box coder, clipping). NMS
// (./nms.ts) shares its box-coding bits and the [n,4] check.
import { fail } from './checks.js';
import { run } from './scope.js';

// Box geometry: IoU, R-CNN box coder, clipping

/** 'legacy_plus1': pixel-inclusive w = x2 - x1 + 1 (VOC, original Fast R-CNN; default). 'continuous': w = x2 - x1. */
export type BoxCoding = 'legacy_plus1' | 'continuous';

const PLUS1 = 1,
  PYFASTERRCNN = 2;

export function codingBits(fn: string, coding: BoxCoding | undefined): number {
  const c = coding ?? 'legacy_plus1';
  if (c === 'legacy_plus1') return PLUS1;
  if (c === 'continuous') return 0;
  return fail(fn, `unknown box coding '${c}' (use 'legacy_plus1' or 'continuous')`);
}

export function checkBoxes(fn: string, name: string, boxes: ArrayLike<number>): number {
  if (boxes.length % 4 !== 0) fail(fn, `${name} must be [n,4] (x1, y1, x2, y2), got ${boxes.length} values (not a multiple of 4)`);
  return boxes.length / 4;
}

/** IoU matrix [n, m] of boxes1 [n,4] and boxes2 [m,4] (float64 arithmetic; 0/0 = NaN). */
export function boxIou(boxes1: ArrayLike<number>, boxes2: ArrayLike<number>, opts: { coding?: BoxCoding } = {}): Float32Array {
  const fn = 'boxIou';
  const n = checkBoxes(fn, 'boxes1', boxes1),
    m = checkBoxes(fn, 'boxes2', boxes2);
  const coding = codingBits(fn, opts.coding);
  return run((s) => {
    const a = s.f32In(boxes1),
      b = s.f32In(boxes2),
      out = s.alloc(n * m * 4);
    s.m.exports.boxesIou(a, n, b, m, coding, out);
    return s.f32Out(out, n * m);
  });
}

export interface BoxCoderOptions {
  coding?: BoxCoding;
  /** Decoding with 'legacy_plus1': 'consistent' (default) is the exact inverse of the encoder,
   * x2 = cx + w/2 - 1; 'pyfasterrcnn' gives x2 = cx + w/2 (one pixel larger). */
  decode?: 'consistent' | 'pyfasterrcnn';
  /** Target normalization: encode gives (t - means)/stds, decode undoes it. Default 0 and 1.
   * torchvision's weights (10, 10, 5, 5) are stds (0.1, 0.1, 0.2, 0.2). */
  means?: readonly number[];
  stds?: readonly number[];
  /** Upper clamp of dw, dh before exp when decoding (torchvision: log(1000/16)); default none. */
  maxLogScale?: number;
}

function normArray(fn: string, opts: BoxCoderOptions): Float64Array {
  const means = opts.means ?? [0, 0, 0, 0],
    stds = opts.stds ?? [1, 1, 1, 1];
  if (means.length !== 4 || stds.length !== 4) fail(fn, `means and stds must have 4 values, got ${means.length} and ${stds.length}`);
  for (const v of means) if (!Number.isFinite(v)) fail(fn, `means must be finite, got [${means.join(', ')}]`);
  for (const v of stds) if (!Number.isFinite(v) || v <= 0) fail(fn, `stds must be positive and finite, got [${stds.join(', ')}]`);
  return Float64Array.from([...means, ...stds]);
}

/** Regression targets [n,4] (dx, dy, dw, dh) of gtBoxes [n,4] relative to proposals [n,4]. */
export function encodeBoxes(proposals: ArrayLike<number>, gtBoxes: ArrayLike<number>, opts: BoxCoderOptions = {}): Float32Array {
  const fn = 'encodeBoxes';
  const n = checkBoxes(fn, 'proposals', proposals);
  if (checkBoxes(fn, 'gtBoxes', gtBoxes) !== n) fail(fn, `proposals has ${n} boxes but gtBoxes has ${gtBoxes.length / 4}`);
  const coding = codingBits(fn, opts.coding);
  const norm = normArray(fn, opts);
  return run((s) => {
    const p = s.f32In(proposals),
      g = s.f32In(gtBoxes),
      pn = s.f64In(norm),
      out = s.alloc(n * 16);
    s.m.exports.boxesEncode(p, g, n, coding, pn, out);
    return s.f32Out(out, n * 4);
  });
}

/**
 * Boxes [n, 4k] from proposals [n,4] and deltas [n, 4k] (k boxes per proposal, e.g. one per class,
 * as bbox_pred gives). Inverse of encodeBoxes with the same options.
 */
export function decodeBoxes(proposals: ArrayLike<number>, deltas: ArrayLike<number>, opts: BoxCoderOptions = {}): Float32Array {
  const fn = 'decodeBoxes';
  const n = checkBoxes(fn, 'proposals', proposals);
  if (n === 0 ? deltas.length !== 0 : deltas.length % (4 * n) !== 0) {
    fail(fn, `deltas must be [n, 4k] for n = ${n} proposals, got ${deltas.length} values`);
  }
  const k = n === 0 ? 0 : deltas.length / (4 * n);
  let coding = codingBits(fn, opts.coding);
  const decode = opts.decode ?? 'consistent';
  if (decode === 'pyfasterrcnn') coding |= PYFASTERRCNN;
  else if (decode !== 'consistent') fail(fn, `unknown decode '${decode}' (use 'consistent' or 'pyfasterrcnn')`);
  const clamp = opts.maxLogScale ?? Infinity;
  if (Number.isNaN(clamp)) fail(fn, 'maxLogScale is NaN');
  const norm = normArray(fn, opts);
  return run((s) => {
    const p = s.f32In(proposals),
      d = s.f32In(deltas),
      pn = s.f64In(norm),
      out = s.alloc(deltas.length * 4);
    s.m.exports.boxesDecode(p, d, n, k, coding, pn, clamp, out);
    return s.f32Out(out, deltas.length);
  });
}

/** 'legacy': all coordinates to [0, W-1] × [0, H-1] (default); 'one_sided': the 2015 code's
 * x1, y1 >= 0 and x2 <= W-1, y2 <= H-1; 'continuous': [0, W] × [0, H] (torchvision). */
export type ClipMode = 'legacy' | 'one_sided' | 'continuous';

/** Clips boxes [n, 4k] to an image of imageHeight × imageWidth pixels. */
export function clipBoxes(boxes: ArrayLike<number>, imageHeight: number, imageWidth: number, mode: ClipMode = 'legacy'): Float32Array {
  const fn = 'clipBoxes';
  const count = checkBoxes(fn, 'boxes', boxes);
  if (!(imageHeight > 0) || !(imageWidth > 0) || !Number.isFinite(imageHeight) || !Number.isFinite(imageWidth)) {
    fail(fn, `image size must be positive and finite, got ${imageHeight}×${imageWidth}`);
  }
  const m = ({ legacy: 0, one_sided: 1, continuous: 2 } as const)[mode];
  if (m === undefined) fail(fn, `unknown clip mode '${mode}'`);
  return run((s) => {
    const p = s.f32In(boxes),
      out = s.alloc(boxes.length * 4);
    s.m.exports.boxesClip(p, count, imageHeight, imageWidth, m, out);
    return s.f32Out(out, boxes.length);
  });
}
