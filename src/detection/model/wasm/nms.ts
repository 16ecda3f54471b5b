// Non-maximum suppression on typed arrays: wraps assembly/nms.ts (greedy NMS, and per-class NMS
// through the kernel's counting sort by class).
import { checkBoxes, codingBits, type BoxCoding } from './boxes.js';
import { fail } from './checks.js';
import { run } from './scope.js';

// Non-maximum suppression

export interface NmsOptions {
  /** Box areas for IoU: 'legacy_plus1' (default, original Fast R-CNN) or 'continuous' (torchvision). */
  coding?: BoxCoding;
  /** Suppress when IoU >= threshold ('ge', default, the original Fast R-CNN rule) or > ('gt', torchvision). */
  rule?: 'ge' | 'gt';
  /** IoU arithmetic: 'float64' (default) or 'float32' (what torchvision does on float32 tensors). */
  precision?: 'float64' | 'float32';
  /** Keep at most this many (the highest-scoring); default all. */
  maxOutput?: number;
}

function nmsMode(fn: string, opts: NmsOptions): number {
  let mode = codingBits(fn, opts.coding);
  const rule = opts.rule ?? 'ge';
  if (rule === 'ge') mode |= 2;
  else if (rule !== 'gt') fail(fn, `unknown rule '${rule}' (use 'ge' or 'gt')`);
  const prec = opts.precision ?? 'float64';
  if (prec === 'float32') mode |= 4;
  else if (prec !== 'float64') fail(fn, `unknown precision '${prec}'`);
  return mode;
}

function checkNmsInputs(fn: string, boxes: ArrayLike<number>, scores: ArrayLike<number>, iouThreshold: number, opts: NmsOptions): number {
  const n = checkBoxes(fn, 'boxes', boxes);
  if (scores.length !== n) fail(fn, `boxes has ${n} boxes but scores has ${scores.length} values`);
  if (!Number.isFinite(iouThreshold) || iouThreshold < 0) fail(fn, `iouThreshold must be a finite number >= 0, got ${iouThreshold}`);
  for (let i = 0; i < n; i++) if (Number.isNaN(scores[i])) fail(fn, `scores[${i}] is NaN`);
  if (opts.maxOutput !== undefined && (!Number.isInteger(opts.maxOutput) || opts.maxOutput < 0)) {
    fail(fn, `maxOutput must be a non-negative integer, got ${opts.maxOutput}`);
  }
  return n;
}

function runNms(
  boxes: ArrayLike<number>,
  scores: ArrayLike<number>,
  classes: Int32Array | null,
  numClasses: number,
  n: number,
  iouThreshold: number,
  mode: number,
  maxOutput: number,
): Int32Array {
  if (n === 0) return new Int32Array(0);
  return run((s) => {
    const e = s.m.exports;
    const pb = s.f32In(boxes),
      ps = s.f32In(scores),
      pc = classes ? s.i32In(classes) : 0;
    const scratch = s.alloc(e.nmsScratchBytes(n, numClasses)),
      keep = s.alloc(n * 4);
    const k: number = e.nmsRun(pb, ps, pc, n, numClasses, iouThreshold, mode, maxOutput, scratch, keep);
    return s.i32Out(keep, k);
  });
}

/**
 * Greedy NMS: indices of the kept boxes in descending score order (equal scores: lower index
 * first). boxes [n,4], scores [n]. A NaN IoU (zero-area boxes) never suppresses.
 */
export function nms(boxes: ArrayLike<number>, scores: ArrayLike<number>, iouThreshold: number, opts: NmsOptions = {}): Int32Array {
  const fn = 'nms';
  const n = checkNmsInputs(fn, boxes, scores, iouThreshold, opts);
  return runNms(boxes, scores, null, 1, n, iouThreshold, nmsMode(fn, opts), opts.maxOutput ?? n);
}

/**
 * Per-class NMS: boxes only suppress boxes with the same class id (any integers). Returns the kept
 * indices over all classes in descending score order, ties to the lower index.
 */
export function batchedNms(
  boxes: ArrayLike<number>,
  scores: ArrayLike<number>,
  classIds: ArrayLike<number>,
  iouThreshold: number,
  opts: NmsOptions = {},
): Int32Array {
  const fn = 'batchedNms';
  const n = checkNmsInputs(fn, boxes, scores, iouThreshold, opts);
  if (classIds.length !== n) fail(fn, `boxes has ${n} boxes but classIds has ${classIds.length} values`);
  // Dense class ids 0..K-1 for the kernel's counting sort.
  const dense = new Int32Array(n);
  const ids = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = classIds[i];
    if (!Number.isInteger(c)) fail(fn, `classIds[${i}] = ${c} is not an integer`);
    let d = ids.get(c);
    if (d === undefined) {
      d = ids.size;
      ids.set(c, d);
    }
    dense[i] = d;
  }
  return runNms(boxes, scores, dense, Math.max(ids.size, 1), n, iouThreshold, nmsMode(fn, opts), opts.maxOutput ?? n);
}
