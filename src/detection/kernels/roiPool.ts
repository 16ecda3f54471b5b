// RoI max pooling (paper sec. 2.1, backward eq. 4) on typed arrays: wraps assembly/roi_pool.ts's
// roiPoolForward / roiPoolBackward.
import { checkLength, checkPositiveInt, fail } from './checks.js';
import { checkRois, checkScale, checkShape4, padC, type Shape4 } from './roiCommon.js';
import { run } from './scope.js';

// RoI max pooling

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
