// RoI pooling (the paper's §2.1) and RoIAlign (Mask R-CNN's fix for its quantization) as tensor ops.
import { RoiAlign, type RoiAlignAttrs, RoiAlignGrad, RoiPool, RoiPoolGrad } from '../core/kernels.js';
import { engine } from '../tensor/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import { shapeStr } from '../core/types.js';
import { checkDtype, checkRank, checkTensor } from './util.js';

export interface RoiPoolOptions {
  /** [ph, pw] bins (7×7 for VGG16 in the paper). */
  outputSize: [number, number] | number;
  /** Feature-map pixels per image pixel (1/16 for VGG16's conv5_3). */
  spatialScale: number;
}

function checkRois(op: string, x: Tensor, rois: Tensor, opts: RoiPoolOptions): [number, number] {
  checkTensor(op, 'x', x);
  checkTensor(op, 'rois', rois);
  checkRank(op, 'x', x, 4);
  checkDtype(op, 'x', x, 'float32');
  checkDtype(op, 'rois', rois, 'float32');
  if (rois.rank !== 2 || rois.shape[1] !== 5) {
    throw new Error(`${op}: rois must be [R,5] = (batchIndex, x1, y1, x2, y2), got ${shapeStr(rois.shape)}`);
  }
  const os = typeof opts.outputSize === 'number' ? [opts.outputSize, opts.outputSize] : opts.outputSize;
  if (!Array.isArray(os) || os.length !== 2 || !os.every((v) => Number.isInteger(v) && v > 0)) {
    throw new Error(`${op}: outputSize must be a positive integer or pair, got ${JSON.stringify(opts.outputSize)}`);
  }
  if (!(Number.isFinite(opts.spatialScale) && opts.spatialScale > 0)) {
    throw new Error(`${op}: spatialScale must be a positive finite number, got ${opts.spatialScale}`);
  }
  const r = rois.dataSync();
  const N = x.shape[0];
  for (let i = 0; i < rois.shape[0]; i++) {
    const b = r[i * 5];
    if (!Number.isInteger(b) || b < 0 || b >= N)
      throw new Error(`${op}: RoI ${i} has batch index ${b}, outside [0, ${N}) for x ${shapeStr(x.shape)}`);
    for (let k = 1; k < 5; k++) {
      if (!Number.isFinite(r[i * 5 + k]))
        throw new Error(`${op}: RoI ${i} has a non-finite coordinate (${Array.from(r.subarray(i * 5, i * 5 + 5)).join(', ')})`);
    }
  }
  return [os[0], os[1]];
}

/**
 * Max-pools each RoI of x into a fixed ph×pw grid: [R,C,ph,pw]. Caffe/torchvision semantics; the
 * backward pass routes each output gradient to its argmax switch (paper eq. 4).
 */
export function roiPool(x: Tensor, rois: Tensor, opts: RoiPoolOptions): Tensor {
  const outputSize = checkRois('roiPool', x, rois, opts);
  const [y, arg] = engine.runKernel(RoiPool, [x, rois], { outputSize, spatialScale: opts.spatialScale });
  arg.dispose(); // the tape keeps its own reference
  return y;
}

/** RoI pooling that also returns the argmax switches (int32, flat h*W+w, −1 for empty bins). */
export function roiPoolWithArgmax(x: Tensor, rois: Tensor, opts: RoiPoolOptions): { output: Tensor; argmax: Tensor } {
  const outputSize = checkRois('roiPool', x, rois, opts);
  const [output, argmax] = engine.runKernel(RoiPool, [x, rois], { outputSize, spatialScale: opts.spatialScale });
  return { output, argmax };
}

export interface RoiAlignOptions extends RoiPoolOptions {
  /** Samples per bin per axis; ≤ 0 means adaptive, ceil(roi size / bins). */
  samplingRatio?: number;
  /** Shift by −0.5 px (pixel centers) and drop the minimum RoI size of 1. */
  aligned?: boolean;
}

/** Bilinear RoIAlign with torchvision semantics: [R,C,ph,pw]. */
export function roiAlign(x: Tensor, rois: Tensor, opts: RoiAlignOptions): Tensor {
  const outputSize = checkRois('roiAlign', x, rois, opts);
  const samplingRatio = opts.samplingRatio ?? -1;
  if (!Number.isInteger(samplingRatio)) throw new Error(`roiAlign: samplingRatio must be an integer, got ${samplingRatio}`);
  return engine.runKernel(RoiAlign, [x, rois], { outputSize, spatialScale: opts.spatialScale, samplingRatio, aligned: !!opts.aligned })[0];
}

/** The gradient of roiPool: dy [R,C,ph,pw] routed through the argmax switches into dx of `inputShape` (paper eq. 4). */
export function roiPoolGrad(dy: Tensor, argmax: Tensor, rois: Tensor, inputShape: number[]): Tensor {
  const op = 'roiPoolGrad';
  checkTensor(op, 'dy', dy);
  checkTensor(op, 'argmax', argmax);
  checkTensor(op, 'rois', rois);
  checkDtype(op, 'argmax', argmax, 'int32');
  return engine.runKernel(RoiPoolGrad, [dy, argmax, rois], { inputShape })[0];
}

/** The gradient of roiAlign: dy [R,C,ph,pw] spread back bilinearly into dx of `inputShape`. */
export function roiAlignGrad(dy: Tensor, rois: Tensor, inputShape: number[], attrs: RoiAlignAttrs): Tensor {
  const op = 'roiAlignGrad';
  checkTensor(op, 'dy', dy);
  checkTensor(op, 'rois', rois);
  return engine.runKernel(RoiAlignGrad, [dy, rois], { ...attrs, inputShape })[0];
}
