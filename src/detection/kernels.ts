// The detector's own kernels (assembly/roi_pool.ts, smooth_l1.ts, nms.ts, boxes.ts, svd.ts) on plain
// typed arrays: each function validates its arguments, allocates WASM memory, copies in, runs the
// kernel, copies out and frees. The engine's tensor ops call these (or the same exports with
// pointers they already own). All arrays are flat and row-major; boxes are (x1, y1, x2, y2).
// The code lives in ./kernels/, one file a job; this barrel keeps the one import path and names
// exactly what it exported before the split (the shared scope and check helpers stay internal).
export type { Shape4 } from './kernels/roiCommon.js';
export { roiPoolForward, roiPoolBackward, type RoiPoolOptions, type RoiPoolResult } from './kernels/roiPool.js';
export { roiAlignForward, roiAlignBackward, type RoiAlignOptions } from './kernels/roiAlign.js';
export { smoothL1Forward, smoothL1Backward, type Reduction, type SmoothL1Options } from './kernels/smoothL1.js';
export { boxIou, encodeBoxes, decodeBoxes, clipBoxes, type BoxCoding, type BoxCoderOptions, type ClipMode } from './kernels/boxes.js';
export { nms, batchedNms, type NmsOptions } from './kernels/nms.js';
export { truncatedSvd, type TruncatedSvd } from './kernels/svd.js';
export {
  softmaxCrossEntropy, fastRcnnLoss, type SoftmaxCrossEntropyResult, type FastRcnnLossOptions, type FastRcnnLossResult,
} from './kernels/loss.js';
