// RoI pooling and RoIAlign on the WASM backend (assembly/roi_pool.ts); the WebGL backend falls
// back to these. Both kernels take a channels-last scratch copy of the feature map and a per-RoI bin
// buffer (results are gathered channels-last, then transposed into place). They run on the kernel
// threads (../threads.ts): the forward passes by blocks of RoIs, the backward passes by blocks of
// channels (a channel's gradient takes that channel's values alone, in RoI order, whatever the split).
import { RoiAlign, RoiAlignGrad, RoiPool, RoiPoolGrad } from '../../../core/kernels.js';
import { registerKernel } from '../../registry.js';
import type { WasmBackend } from '../backend.js';
import { parallelRange } from '../threads.js';

const padC = (c: number) => (c + 3) & ~3;
// A rough cost of a forward pass for the kernel threads' threshold (a few pixels per output value).
const roiWork = (R: number, C: number, PH: number, PW: number) => R * C * PH * PW * 16;

registerKernel('wasm', RoiPool, ([x, rois], { outputSize: [PH, PW], spatialScale }, bk) => {
  const be = bk as WasmBackend;
  const e = be.m.exports;
  const [N, C, H, W] = x.shape,
    R = rois.shape[0];
  const y = be.out([R, C, PH, PW]);
  const arg = be.out([R, C, PH, PW], 'int32');
  if (R === 0) return [y, arg];
  // the channels-last map once, then threads take blocks of RoIs (each with its own bin buffer)
  be.withScratch(N * H * W * padC(C) * 4, (xt) => {
    e.roiChannelsLast(be.ptr(x), N, C, H, W, xt);
    parallelRange(be.m, 'roiPoolForwardRange', [xt, C, H, W, be.ptr(rois), spatialScale, PH, PW, be.ptr(y), be.ptr(arg)], R, {
      scratchBytes: e.roiPoolBinScratchBytes(C, PH, PW),
      work: roiWork(R, C, PH, PW),
      blocksPerThread: 4,
    });
  });
  return [y, arg];
});

registerKernel('wasm', RoiPoolGrad, ([dy, arg, rois], { inputShape }, bk) => {
  const be = bk as WasmBackend;
  const [N, C, H, W] = inputShape,
    [R, , PH, PW] = dy.shape;
  const dx = be.out(inputShape.slice());
  // threads: blocks of channels (each channel's planes take that channel's gradients, in RoI order)
  parallelRange(be.m, 'roiPoolBackwardRange', [be.ptr(dy), be.ptr(arg), be.ptr(rois), R, N, C, H, W, PH, PW, be.ptr(dx)], C, {
    scratchBytes: 0,
    scratchOffsets: [],
    work: R * C * PH * PW * 8 + N * C * H * W * 2,
  });
  return [dx];
});

registerKernel('wasm', RoiAlign, ([x, rois], { outputSize: [PH, PW], spatialScale, samplingRatio, aligned }, bk) => {
  const be = bk as WasmBackend;
  const e = be.m.exports;
  const [N, C, H, W] = x.shape,
    R = rois.shape[0];
  const y = be.out([R, C, PH, PW]);
  if (R === 0) return [y];
  const accBytes = PH * PW * padC(C) * 4; // per-RoI bins
  be.withScratch(N * H * W * padC(C) * 4, (xt) => {
    e.roiChannelsLast(be.ptr(x), N, C, H, W, xt);
    parallelRange(
      be.m,
      'roiAlignForwardRange',
      [xt, C, H, W, be.ptr(rois), spatialScale, PH, PW, samplingRatio, aligned ? 1 : 0, be.ptr(y)],
      R,
      {
        scratchBytes: accBytes + e.roiAlignSampleScratchBytes(),
        scratchOffsets: [0, accBytes],
        work: roiWork(R, C, PH, PW),
        blocksPerThread: 4,
      },
    );
  });
  return [y];
});

registerKernel('wasm', RoiAlignGrad, ([dy, rois], { inputShape, outputSize: [PH, PW], spatialScale, samplingRatio, aligned }, bk) => {
  const be = bk as WasmBackend;
  const e = be.m.exports;
  const [N, C, H, W] = inputShape,
    R = rois.shape[0];
  const dx = be.out(inputShape.slice());
  // threads: blocks of channels (whole groups of 4, the SIMD lanes), each zeroing and filling its own
  // lanes of one shared channels-last gradient with its own bins and samples, then its planes of dx
  const binBytes = PH * PW * padC(C) * 4; // one RoI's output gradient, channels-last (the widest block)
  // the threads' threshold: each sample's 4 corners per channel (adaptive: about 2×2 samples), dx's transpose
  const samples = samplingRatio > 0 ? samplingRatio * samplingRatio : 4;
  be.withScratch(N * H * W * padC(C) * 4, (gt) =>
    parallelRange(
      be.m,
      'roiAlignBackwardRange',
      [be.ptr(dy), N, C, H, W, be.ptr(rois), R, spatialScale, PH, PW, samplingRatio, aligned ? 1 : 0, be.ptr(dx), gt],
      C,
      {
        unit: 4,
        scratchBytes: binBytes + e.roiAlignSampleScratchBytes(),
        scratchOffsets: [0, binBytes],
        work: R * C * PH * PW * samples * 4 + N * C * H * W * 2,
      },
    ),
  );
  return [dx];
});
