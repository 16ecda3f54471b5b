// RoIAlign (torchvision `roi_align`) on typed arrays: wraps assembly/roi_pool.ts's roiAlignForward /
// roiAlignBackward; an alternative to RoI max pooling with the same options plus sampling.
import { checkLength, checkPositiveInt, fail } from './checks.js';
import { checkRois, checkScale, checkShape4, padC, type Shape4 } from './roiCommon.js';
import type { RoiPoolOptions } from './roiPool.js';
import { run } from './scope.js';

// RoIAlign

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
