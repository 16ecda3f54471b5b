// The detector's public API that runs anywhere (Node and browsers): config, model, sampling,
// targets, mini-batches, the training state machine, detection, evaluation, model bytes and
// compression. Node-only steps (files, datasets on disk, the training command, the demo) are in
// ./node.ts.
export * from './config.js';
export * from './model.js';
export * from './loss.js';
export * from './sampleRois.js';
export * from './targets.js';
export * from './minibatch.js';
export * from './trainer.js';
export * from './detect.js';
export * from './evaluate.js';
export * from './modelFile.js';
export * from './compress.js';
export * from './lossPlot.js';
