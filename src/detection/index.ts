// The detector's public API that runs anywhere (Node and browsers), room by room: model/ (config and
// its presets, FastRCNN, the loss, sampling, targets, the network input, detection, model bytes, compression),
// training/ (mini-batches, the Trainer, the loss plot) and testing/ (a split's detections and AP).
// The Node-only steps (files, datasets on disk, the training command, the demo) are src/app/,
// exported by src/node.ts (`fastrcnn/node`).
export * from './model/config.js';
export * from './model/configOverrides.js';
export * from './model/presets.js';
export * from './model/fastRcnn.js';
export * from './model/loss.js';
export * from './model/sampleRois.js';
export * from './model/targets.js';
export * from './model/input.js';
export * from './training/minibatch.js';
export * from './training/trainer.js';
export * from './model/detect.js';
export * from './testing/evaluate.js';
export * from './model/modelFile.js';
export * from './model/compress.js';
export * from './training/lossPlot.js';
export * from './model/detector.js';
export { serveDetector } from './model/detectorWorker.js';
