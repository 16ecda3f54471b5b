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
    const xt = s.alloc(N * H * W * padC(C) * 4);
    s.m.exports.roiPoolForward(px, N, C, H, W, pr, R, Math.fround(opts.spatialScale), PH, PW, out, am, xt);
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
    const xt = s.alloc(N * H * W * padC(C) * 4), acc = s.alloc(padC(C) * 4), samp = s.alloc(e.roiAlignSampleScratchBytes());
    e.roiAlignForward(px, N, C, H, W, pr, R, opts.spatialScale, PH, PW, opts.samplingRatio ?? -1, opts.aligned ? 1 : 0, out, xt, acc, samp);
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
    const gt = s.alloc(N * H * W * padC(C) * 4), gbuf = s.alloc(padC(C) * 4), samp = s.alloc(e.roiAlignSampleScratchBytes());
    e.roiAlignBackward(pg, N, C, H, W, pr, R, opts.spatialScale, PH, PW, opts.samplingRatio ?? -1, opts.aligned ? 1 : 0, gi, gt, gbuf, samp);
    return s.f32Out(gi, N * C * H * W);
  });
}

function padC(c: number): number { return (c + 3) & ~3; }
