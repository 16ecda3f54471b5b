// The detector's public API that runs anywhere (Node and browsers): config, model, sampling,
// targets, mini-batches, the training state machine, detection, evaluation, model bytes and
// compression. Node-only steps (files, datasets on disk, the training command, the demo) are in
// ./node.ts.
export * from './model/config.js';
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
