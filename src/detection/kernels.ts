// The detector's own kernels (assembly/roi_pool.ts, smooth_l1.ts, nms.ts, boxes.ts, svd.ts) on plain
// typed arrays: each function validates its arguments, allocates WASM memory, copies in, runs the
// kernel, copies out and frees. The engine's tensor ops call these (or the same exports with
// pointers they already own). All arrays are flat and row-major; boxes are (x1, y1, x2, y2).
import { loadWasm, type WasmModule } from '../backends/wasm/loader.js';

export type Shape4 = readonly [number, number, number, number];

// ---------------------------------------------------------------------------------------------
// Memory helpers

/** Allocations made for one call, all freed by `release` (also on error). */
class Scope {
  readonly m: WasmModule;
  private ptrs: number[] = [];
  constructor() { this.m = loadWasm(); }
  alloc(bytes: number): number { const p = this.m.alloc(bytes); this.ptrs.push(p); return p; }
  f32In(a: ArrayLike<number>): number { const p = this.alloc(a.length * 4); this.m.f32(p, a.length).set(a); return p; }
  i32In(a: ArrayLike<number>): number { const p = this.alloc(a.length * 4); this.m.i32(p, a.length).set(a); return p; }
  f64In(a: ArrayLike<number>): number { const p = this.alloc(a.length * 8); this.m.f64(p, a.length).set(a); return p; }
  f32Out(p: number, n: number): Float32Array { return this.m.f32(p, n).slice(); }
  i32Out(p: number, n: number): Int32Array { return this.m.i32(p, n).slice(); }
  f64Out(p: number, n: number): Float64Array { return this.m.f64(p, n).slice(); }
  release(): void { for (const p of this.ptrs) this.m.free(p); this.ptrs = []; }
}

function run<T>(fn: (s: Scope) => T): T {
  const s = new Scope();
  try { return fn(s); } finally { s.release(); }
}

// ---------------------------------------------------------------------------------------------
// Validation helpers (errors name the function and the offending value)

function fail(fn: string, msg: string): never { throw new Error(`${fn}: ${msg}`); }

function checkShape4(fn: string, x: ArrayLike<number>, shape: Shape4): void {
  if (shape.length !== 4 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    fail(fn, `x shape must be [N,C,H,W] of positive integers, got [${shape.join(',')}]`);
  }
  const n = shape[0] * shape[1] * shape[2] * shape[3];
  if (x.length !== n) fail(fn, `x has ${x.length} elements but shape [${shape.join(',')}] needs ${n}`);
}

function checkPositiveInt(fn: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) fail(fn, `${name} must be a positive integer, got ${v}`);
}

/** rois: R rows of (batch, x1, y1, x2, y2). Returns R. */
function checkRois(fn: string, rois: ArrayLike<number>, N: number): number {
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

function checkScale(fn: string, s: number): void {
  if (!Number.isFinite(s) || s <= 0) fail(fn, `spatialScale must be a positive finite number, got ${s}`);
}

function checkLength(fn: string, name: string, a: ArrayLike<number>, n: number, what: string): void {
  if (a.length !== n) fail(fn, `${name} has ${a.length} values, expected ${n} (${what})`);
}

// ---------------------------------------------------------------------------------------------
// RoI max pooling and RoIAlign

export interface RoiPoolOptions {
  /** Feature-map scale relative to the image (1/16 for VGG16 conv5). */
  spatialScale: number;
  pooledHeight: number;
  pooledWidth: number;
}

export interface RoiPoolResult {
  /** [R, C, PH, PW] */
  output: Float32Array;
  /** [R, C, PH, PW]: flat h*W+w of the max in its channel plane, -1 for an empty bin. */
  argmax: Int32Array;
  shape: [number, number, number, number];
}

/**
 * RoI max pooling forward (Caffe/torchvision `roi_pool`): x [N,C,H,W], rois [R,5] in image
 * coordinates. Coordinates × spatialScale are rounded half away from zero, bins use float32 sizes.
 */
export function roiPoolForward(x: ArrayLike<number>, xShape: Shape4, rois: ArrayLike<number>, opts: RoiPoolOptions): RoiPoolResult {
  const fn = 'roiPoolForward';
  checkShape4(fn, x, xShape);
  checkScale(fn, opts.spatialScale);
  checkPositiveInt(fn, 'pooledHeight', opts.pooledHeight);
  checkPositiveInt(fn, 'pooledWidth', opts.pooledWidth);
  const [N, C, H, W] = xShape;
  const R = checkRois(fn, rois, N);
  const PH = opts.pooledHeight, PW = opts.pooledWidth;
  const n = R * C * PH * PW;
  return run((s) => {
    const px = s.f32In(x), pr = s.f32In(rois);
    const out = s.alloc(n * 4), am = s.alloc(n * 4);
    const xt = s.alloc(N * H * W * padC(C) * 4), bins = s.alloc(s.m.exports.roiPoolBinScratchBytes(C, PH, PW));
    s.m.exports.roiPoolForward(px, N, C, H, W, pr, R, Math.fround(opts.spatialScale), PH, PW, out, am, xt, bins);
    return { output: s.f32Out(out, n), argmax: s.i32Out(am, n), shape: [R, C, PH, PW] as [number, number, number, number] };
  });
}

/**
 * RoI max pooling backward (paper eq. 4): routes gradOutput [R,C,PH,PW] through the argmax switches
 * into a fresh gradInput [N,C,H,W]; overlapping bins add up, empty bins give nothing.
 */
export function roiPoolBackward(gradOutput: ArrayLike<number>, argmax: ArrayLike<number>, rois: ArrayLike<number>,
  xShape: Shape4, opts: { pooledHeight: number; pooledWidth: number }): Float32Array {
  const fn = 'roiPoolBackward';
  const [N, C, H, W] = xShape;
  checkShape4(fn, { length: N * C * H * W }, xShape);
  checkPositiveInt(fn, 'pooledHeight', opts.pooledHeight);
  checkPositiveInt(fn, 'pooledWidth', opts.pooledWidth);
  const R = checkRois(fn, rois, N);
  const PH = opts.pooledHeight, PW = opts.pooledWidth;
  const n = R * C * PH * PW;
  checkLength(fn, 'gradOutput', gradOutput, n, `[R,C,PH,PW] = [${R},${C},${PH},${PW}]`);
  checkLength(fn, 'argmax', argmax, n, `[R,C,PH,PW] = [${R},${C},${PH},${PW}]`);
  const HW = H * W;
  for (let i = 0; i < n; i++) {
    const a = argmax[i];
    if (!Number.isInteger(a) || a < -1 || a >= HW) fail(fn, `argmax[${i}] = ${a} is outside [-1, ${HW})`);
  }
  return run((s) => {
    const pg = s.f32In(gradOutput), pa = s.i32In(argmax), pr = s.f32In(rois);
    const gi = s.alloc(N * C * HW * 4);
    s.m.exports.roiPoolBackward(pg, pa, pr, R, N, C, H, W, PH, PW, gi);
    return s.f32Out(gi, N * C * HW);
  });
}

export interface RoiAlignOptions extends RoiPoolOptions {
  /** Samples per bin side; <= 0 (default -1) means adaptive, ceil(roiSize / pooledSize). */
  samplingRatio?: number;
  /** Shift by -0.5 px and drop the minimum RoI size of 1 (torchvision `aligned=True`). */
  aligned?: boolean;
}

function checkAlign(fn: string, x: ArrayLike<number> | null, xShape: Shape4, rois: ArrayLike<number>, opts: RoiAlignOptions): number {
  checkShape4(fn, x ?? { length: xShape[0] * xShape[1] * xShape[2] * xShape[3] }, xShape);
  checkScale(fn, opts.spatialScale);
  checkPositiveInt(fn, 'pooledHeight', opts.pooledHeight);
  checkPositiveInt(fn, 'pooledWidth', opts.pooledWidth);
  const sr = opts.samplingRatio ?? -1;
  if (!Number.isInteger(sr)) fail(fn, `samplingRatio must be an integer, got ${sr}`);
  return checkRois(fn, rois, xShape[0]);
}

/** RoIAlign forward (torchvision `roi_align`): x [N,C,H,W], rois [R,5] -> [R,C,PH,PW]. */
export function roiAlignForward(x: ArrayLike<number>, xShape: Shape4, rois: ArrayLike<number>, opts: RoiAlignOptions): Float32Array {
  const fn = 'roiAlignForward';
  const R = checkAlign(fn, x, xShape, rois, opts);
  const [N, C, H, W] = xShape;
  const PH = opts.pooledHeight, PW = opts.pooledWidth;
  const n = R * C * PH * PW;
  return run((s) => {
    const e = s.m.exports;
    const px = s.f32In(x), pr = s.f32In(rois);
    const out = s.alloc(n * 4);
    const xt = s.alloc(N * H * W * padC(C) * 4), bins = s.alloc(PH * PW * padC(C) * 4), samp = s.alloc(e.roiAlignSampleScratchBytes());
    e.roiAlignForward(px, N, C, H, W, pr, R, opts.spatialScale, PH, PW, opts.samplingRatio ?? -1, opts.aligned ? 1 : 0, out, xt, bins, samp);
    return s.f32Out(out, n);
  });
}

/** RoIAlign backward: gradOutput [R,C,PH,PW] -> gradInput [N,C,H,W] (bilinear weights / count). */
export function roiAlignBackward(gradOutput: ArrayLike<number>, xShape: Shape4, rois: ArrayLike<number>, opts: RoiAlignOptions): Float32Array {
  const fn = 'roiAlignBackward';
  const R = checkAlign(fn, null, xShape, rois, opts);
  const [N, C, H, W] = xShape;
  const PH = opts.pooledHeight, PW = opts.pooledWidth;
  checkLength(fn, 'gradOutput', gradOutput, R * C * PH * PW, `[R,C,PH,PW] = [${R},${C},${PH},${PW}]`);
  return run((s) => {
    const e = s.m.exports;
    const pg = s.f32In(gradOutput), pr = s.f32In(rois);
    const gi = s.alloc(N * C * H * W * 4);
    const gt = s.alloc(N * H * W * padC(C) * 4), bins = s.alloc(PH * PW * padC(C) * 4), samp = s.alloc(e.roiAlignSampleScratchBytes());
    e.roiAlignBackward(pg, N, C, H, W, pr, R, opts.spatialScale, PH, PW, opts.samplingRatio ?? -1, opts.aligned ? 1 : 0, gi, gt, bins, samp);
    return s.f32Out(gi, N * C * H * W);
  });
}

function padC(c: number): number { return (c + 3) & ~3; }

// ---------------------------------------------------------------------------------------------
// Smooth L1 (paper eq. 3)

export type Reduction = 'none' | 'sum' | 'mean';

export interface SmoothL1Options {
  /** Quadratic zone half-width; 1 in the paper. 0 is plain L1. */
  beta?: number;
  reduction?: Reduction;
}

function checkBeta(fn: string, beta: number): void {
  if (!Number.isFinite(beta) || beta < 0) fail(fn, `beta must be a finite number >= 0, got ${beta}`);
}

/**
 * Smooth L1 of input - target: 0.5·d²/beta for |d| < beta, |d| - 0.5·beta otherwise.
 * reduction 'none' (default) returns the elementwise losses; 'sum' / 'mean' return a number.
 */
export function smoothL1Forward(input: ArrayLike<number>, target: ArrayLike<number>, opts?: SmoothL1Options & { reduction?: 'none' }): Float32Array;
export function smoothL1Forward(input: ArrayLike<number>, target: ArrayLike<number>, opts: SmoothL1Options & { reduction: 'sum' | 'mean' }): number;
export function smoothL1Forward(input: ArrayLike<number>, target: ArrayLike<number>, opts: SmoothL1Options = {}): Float32Array | number {
  const fn = 'smoothL1Forward';
  const beta = opts.beta ?? 1, reduction = opts.reduction ?? 'none';
  checkBeta(fn, beta);
  checkLength(fn, 'target', target, input.length, 'same length as input');
  const n = input.length;
  return run((s) => {
    const pi = s.f32In(input), pt = s.f32In(target);
    const out = reduction === 'none' ? s.alloc(n * 4) : 0;
    const sum: number = s.m.exports.smoothL1Forward(pi, pt, n, Math.fround(beta), out);
    if (reduction === 'none') return s.f32Out(out, n);
    return reduction === 'sum' ? sum : sum / n;
  });
}

/**
 * d loss / d input of smoothL1Forward with the same options. gradOutput is the upstream gradient:
 * an array for reduction 'none', a number (default 1) for 'sum' and 'mean'.
 * (d loss / d target is the negation.)
 */
export function smoothL1Backward(input: ArrayLike<number>, target: ArrayLike<number>, gradOutput: ArrayLike<number> | number = 1,
  opts: SmoothL1Options = {}): Float32Array {
  const fn = 'smoothL1Backward';
  const beta = opts.beta ?? 1, reduction = opts.reduction ?? 'none';
  checkBeta(fn, beta);
  const n = input.length;
  checkLength(fn, 'target', target, n, 'same length as input');
  if (reduction === 'none') {
    if (typeof gradOutput === 'number') fail(fn, `reduction 'none' needs a gradOutput array of ${n} values, got a number`);
    checkLength(fn, 'gradOutput', gradOutput, n, 'same length as input');
  } else if (typeof gradOutput !== 'number') {
    fail(fn, `reduction '${reduction}' needs a scalar gradOutput, got ${gradOutput.length} values`);
  }
  return run((s) => {
    const pi = s.f32In(input), pt = s.f32In(target);
    const pg = typeof gradOutput === 'number' ? 0 : s.f32In(gradOutput);
    const scale = typeof gradOutput === 'number' ? (reduction === 'mean' ? gradOutput / n : gradOutput) : 0;
    const out = s.alloc(n * 4);
    s.m.exports.smoothL1Backward(pi, pt, n, Math.fround(beta), pg, Math.fround(scale), out);
    return s.f32Out(out, n);
  });
}

// ---------------------------------------------------------------------------------------------
// Box geometry: IoU, R-CNN box coder, clipping

/** 'legacy_plus1': pixel-inclusive w = x2 - x1 + 1 (VOC, original Fast R-CNN; default). 'continuous': w = x2 - x1. */
export type BoxCoding = 'legacy_plus1' | 'continuous';

const PLUS1 = 1, PYFASTERRCNN = 2;

function codingBits(fn: string, coding: BoxCoding | undefined): number {
  const c = coding ?? 'legacy_plus1';
  if (c === 'legacy_plus1') return PLUS1;
  if (c === 'continuous') return 0;
  return fail(fn, `unknown box coding '${c}' (use 'legacy_plus1' or 'continuous')`);
}

function checkBoxes(fn: string, name: string, boxes: ArrayLike<number>): number {
  if (boxes.length % 4 !== 0) fail(fn, `${name} must be [n,4] (x1, y1, x2, y2), got ${boxes.length} values (not a multiple of 4)`);
  return boxes.length / 4;
}

/** IoU matrix [n, m] of boxes1 [n,4] and boxes2 [m,4] (float64 arithmetic; 0/0 = NaN). */
export function boxIou(boxes1: ArrayLike<number>, boxes2: ArrayLike<number>, opts: { coding?: BoxCoding } = {}): Float32Array {
  const fn = 'boxIou';
  const n = checkBoxes(fn, 'boxes1', boxes1), m = checkBoxes(fn, 'boxes2', boxes2);
  const coding = codingBits(fn, opts.coding);
  return run((s) => {
    const a = s.f32In(boxes1), b = s.f32In(boxes2), out = s.alloc(n * m * 4);
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
  const means = opts.means ?? [0, 0, 0, 0], stds = opts.stds ?? [1, 1, 1, 1];
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
    const p = s.f32In(proposals), g = s.f32In(gtBoxes), pn = s.f64In(norm), out = s.alloc(n * 16);
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
    const p = s.f32In(proposals), d = s.f32In(deltas), pn = s.f64In(norm), out = s.alloc(deltas.length * 4);
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
    const p = s.f32In(boxes), out = s.alloc(boxes.length * 4);
    s.m.exports.boxesClip(p, count, imageHeight, imageWidth, m, out);
    return s.f32Out(out, boxes.length);
  });
}

// ---------------------------------------------------------------------------------------------
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
  if (rule === 'ge') mode |= 2; else if (rule !== 'gt') fail(fn, `unknown rule '${rule}' (use 'ge' or 'gt')`);
  const prec = opts.precision ?? 'float64';
  if (prec === 'float32') mode |= 4; else if (prec !== 'float64') fail(fn, `unknown precision '${prec}'`);
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

function runNms(boxes: ArrayLike<number>, scores: ArrayLike<number>, classes: Int32Array | null, numClasses: number,
  n: number, iouThreshold: number, mode: number, maxOutput: number): Int32Array {
  if (n === 0) return new Int32Array(0);
  return run((s) => {
    const e = s.m.exports;
    const pb = s.f32In(boxes), ps = s.f32In(scores), pc = classes ? s.i32In(classes) : 0;
    const scratch = s.alloc(e.nmsScratchBytes(n, numClasses)), keep = s.alloc(n * 4);
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
export function batchedNms(boxes: ArrayLike<number>, scores: ArrayLike<number>, classIds: ArrayLike<number>, iouThreshold: number,
  opts: NmsOptions = {}): Int32Array {
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
    if (d === undefined) { d = ids.size; ids.set(c, d); }
    dense[i] = d;
  }
  return runNms(boxes, scores, dense, Math.max(ids.size, 1), n, iouThreshold, nmsMode(fn, opts), opts.maxOutput ?? n);
}

// ---------------------------------------------------------------------------------------------
// Truncated SVD (paper sec. 3.1)

export interface TruncatedSvd {
  /** [u, t] row-major, orthonormal columns */
  U: Float64Array;
  /** [t], descending (column norms of the projected side) */
  S: Float64Array;
  /** [v, t] row-major, orthonormal columns (for σ > 0) */
  V: Float64Array;
  /** all min(u, v) singular values, descending (from the Gram eigenvalues; the small ones are
   * accurate to about eps·σ_max²/σ) */
  singularValues: Float64Array;
}

/**
 * Rank-t truncated SVD of W [u, v] (float64): W ≈ U·diag(S)·Vᵀ, the Eckart–Young optimum.
 * Exact method: symmetric eigendecomposition of the smaller Gram matrix (Householder + implicit QL),
 * eigenvectors only for the t largest eigenvalues, the other side by projection.
 */
export function truncatedSvd(W: ArrayLike<number>, u: number, v: number, rank: number): TruncatedSvd {
  const fn = 'truncatedSvd';
  if (!Number.isInteger(u) || !Number.isInteger(v) || u < 1 || v < 1) fail(fn, `shape must be positive integers, got [${u}, ${v}]`);
  if (W.length !== u * v) fail(fn, `W has ${W.length} values but shape [${u}, ${v}] needs ${u * v}`);
  const n = Math.min(u, v);
  if (!Number.isInteger(rank) || rank < 1 || rank > n) fail(fn, `rank must be an integer in [1, min(u, v) = ${n}], got ${rank} for W [${u}, ${v}]`);
  for (let i = 0; i < W.length; i++) if (!Number.isFinite(W[i])) fail(fn, `W[${i}] = ${W[i]} is not finite`);
  warmUpSvd(u * v);
  const t = rank, big = Math.max(u, v);
  return run((s) => {
    const e = s.m.exports;
    const w = s.f64In(W), wt = s.alloc(u * v * 8);
    e.svdTranspose(w, u, v, wt);
    // a: the n rows of the smaller side (n × big), at: its transpose (big × n).
    const a = u <= v ? w : wt, at = u <= v ? wt : w;
    const g = s.alloc(n * n * 8);
    e.svdRowDots(a, n, a, n, big, g, 1);
    const d = s.alloc(n * 8), eo = s.alloc(n * 8), tau = s.alloc(n * 8), work = s.alloc(5 * n * 8);
    e.svdTridiagonalize(g, n, d, eo, tau, work);
    // QL twice on copies: count the rotations, then record them.
    const d0 = s.f64Out(d, n), e0 = s.f64Out(eo, n);
    const count: number = e.svdTridiagonalQl(d, eo, n, 0);
    if (count < 0) fail(fn, `QL iteration did not converge for W [${u}, ${v}]`);
    const rot = s.alloc(Math.max(count, 1) * 24);
    s.m.f64(d, n).set(d0); s.m.f64(eo, n).set(e0);
    e.svdTridiagonalQl(d, eo, n, rot);
    const lambda = s.f64Out(d, n);
    const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => lambda[j] - lambda[i] || i - j);
    const sel = s.i32In(order.slice(0, t));
    const y = s.alloc(n * t * 8);
    e.svdReplayRotations(rot, count, n, t, sel, y);
    e.svdBackTransform(g, tau, n, t, y, work);
    // Other side: B = aᵀ·Y as row dots of at's rows with Yᵀ's rows.
    const yt = s.alloc(n * t * 8);
    e.svdTranspose(y, n, t, yt);
    const b = s.alloc(big * t * 8), sv = s.alloc(t * 8);
    e.svdRowDots(at, big, yt, t, n, b, 0);
    e.svdNormalizeColumns(b, big, t, sv);
    let Y = s.f64Out(y, n * t), B = s.f64Out(b, big * t), S = s.f64Out(sv, t);
    // S comes from column norms; near-equal σ's may swap by rounding: restore descending order.
    const perm = Array.from({ length: t }, (_, i) => i).sort((i, j) => S[j] - S[i] || i - j);
    if (perm.some((p, i) => p !== i)) {
      Y = permuteColumns(Y, n, t, perm); B = permuteColumns(B, big, t, perm);
      S = Float64Array.from(perm, (p) => S[p]);
    }
    const singularValues = Float64Array.from(order, (i) => Math.sqrt(Math.max(lambda[i], 0)));
    return { U: u <= v ? Y : B, V: u <= v ? B : Y, S, singularValues };
  });
}

// V8 runs a WASM function's first calls in its baseline tier and cannot switch a running call to
// optimized code, so one big SVD as the first call is ~3× slower. A few small SVDs first (~35 ms)
// get the kernels optimized; done once per process, only before a big one.
let svdWarm = false;
function warmUpSvd(size: number): void {
  if (svdWarm || size < 1 << 18) return;
  svdWarm = true;
  const w = Float64Array.from({ length: 160 * 256 }, (_, i) => Math.sin(i * 0.7) + Math.cos(i * 0.013));
  for (let k = 0; k < 3; k++) truncatedSvd(w, 160, 256, 16);
}

function permuteColumns(M: Float64Array, rows: number, t: number, perm: number[]): Float64Array {
  const out = new Float64Array(M.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < t; j++) out[i * t + j] = M[i * t + perm[j]];
  return out;
}

// ---------------------------------------------------------------------------------------------
// Fast R-CNN multi-task loss (paper eq. 1-3), fused over plain arrays in float64

function checkLabels(fn: string, labels: ArrayLike<number>, R: number, K1: number): void {
  checkLength(fn, 'labels', labels, R, 'one per RoI');
  for (let i = 0; i < R; i++) {
    const u = labels[i];
    if (!Number.isInteger(u) || u < 0 || u >= K1) fail(fn, `labels[${i}] = ${u} is outside [0, ${K1})`);
  }
}

export interface SoftmaxCrossEntropyResult {
  /** per-row -log p_label [R] */
  losses: Float64Array;
  /** the reduced loss ('mean' or 'sum' of losses) */
  loss: number;
  /** softmax [R, K+1] */
  probs: Float32Array;
  /** d loss / d logits [R, K+1] for the reduced loss (× gradOutput) */
  gradLogits: Float32Array;
}

/** Log-softmax cross-entropy of logits [R, K+1] against labels [R] (0 = background). */
export function softmaxCrossEntropy(logits: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number,
  reduction: 'mean' | 'sum' = 'mean', gradOutput = 1): SoftmaxCrossEntropyResult {
  const fn = 'softmaxCrossEntropy';
  checkPositiveInt(fn, 'numClasses', numClasses);
  if (logits.length % numClasses !== 0) fail(fn, `logits must be [R, ${numClasses}], got ${logits.length} values`);
  const R = logits.length / numClasses, K1 = numClasses;
  checkLabels(fn, labels, R, K1);
  const losses = new Float64Array(R), probs = new Float32Array(R * K1), grad = new Float32Array(R * K1);
  const g = R === 0 ? 0 : (reduction === 'mean' ? gradOutput / R : gradOutput);
  let total = 0;
  for (let i = 0; i < R; i++) {
    const o = i * K1;
    let mx = -Infinity;
    for (let k = 0; k < K1; k++) mx = Math.max(mx, logits[o + k]);
    let z = 0;
    for (let k = 0; k < K1; k++) z += Math.exp(logits[o + k] - mx);
    const logZ = Math.log(z) + mx;
    const u = labels[i];
    losses[i] = logZ - logits[o + u];
    total += losses[i];
    for (let k = 0; k < K1; k++) {
      const p = Math.exp(logits[o + k] - logZ);
      probs[o + k] = p;
      grad[o + k] = g * (p - (k === u ? 1 : 0));
    }
  }
  const loss = reduction === 'mean' ? (R === 0 ? 0 : total / R) : total;
  return { losses, loss, probs, gradLogits: grad };
}

export interface FastRcnnLossOptions {
  /** Weight of the localization term (paper: 1). */
  lambda?: number;
  /** Smooth-L1 beta (paper: 1). */
  beta?: number;
}

export interface FastRcnnLossResult {
  lossCls: number;
  lossLoc: number;
  /** lossCls + lambda·lossLoc */
  loss: number;
  gradClsScore: Float32Array;
  gradBboxPred: Float32Array;
}

/**
 * L = mean_i(-log p_{u_i}) + lambda·(1/R)·Σ_{i: u_i >= 1} Σ_k smoothL1(bboxPred[i, 4u_i + k] - t_ik),
 * with its gradients. clsScore [R, K+1], labels [R], bboxPred [R, 4(K+1)], bboxTargets [R, 4].
 */
export function fastRcnnLoss(clsScore: ArrayLike<number>, labels: ArrayLike<number>, bboxPred: ArrayLike<number>,
  bboxTargets: ArrayLike<number>, opts: FastRcnnLossOptions = {}): FastRcnnLossResult {
  const fn = 'fastRcnnLoss';
  const R = labels.length;
  if (R === 0) fail(fn, 'needs at least one RoI');
  if (clsScore.length % R !== 0) fail(fn, `clsScore has ${clsScore.length} values, not [R, K+1] for R = ${R}`);
  const K1 = clsScore.length / R;
  checkLength(fn, 'bboxPred', bboxPred, R * 4 * K1, `[R, 4(K+1)] = [${R}, ${4 * K1}]`);
  checkLength(fn, 'bboxTargets', bboxTargets, R * 4, `[R, 4] = [${R}, 4]`);
  checkLabels(fn, labels, R, K1);
  const lambda = opts.lambda ?? 1, beta = opts.beta ?? 1;
  if (!Number.isFinite(lambda) || lambda < 0) fail(fn, `lambda must be finite and >= 0, got ${lambda}`);
  checkBeta(fn, beta);
  const ce = softmaxCrossEntropy(clsScore, labels, K1, 'mean');
  const gradBbox = new Float32Array(R * 4 * K1);
  let loc = 0;
  for (let i = 0; i < R; i++) {
    const u = labels[i];
    if (u < 1) continue;
    for (let k = 0; k < 4; k++) {
      const j = i * 4 * K1 + 4 * u + k;
      const d = bboxPred[j] - bboxTargets[i * 4 + k];
      const ad = Math.abs(d);
      if (beta > 0 && ad < beta) { loc += 0.5 * d * d / beta; gradBbox[j] = (lambda / R) * (d / beta); }
      else { loc += ad - 0.5 * beta; gradBbox[j] = (lambda / R) * Math.sign(d); }
    }
  }
  const lossLoc = loc / R;
  return { lossCls: ce.loss, lossLoc, loss: ce.loss + lambda * lossLoc, gradClsScore: ce.gradLogits, gradBboxPred: gradBbox };
}
