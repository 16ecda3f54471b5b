// The Node application's public names (exported by `fastrcnn/node`, src/node.ts): files (atomic
// writes, model files), VOC datasets and proposal caches on disk, the training command, the pipeline
// steps behind the CLI, results files and the demo.
export * from './files.js';
export * from './dataset.js';
export * from './train.js';
export * from './pipeline.js';
export * from './resultsFiles.js';
export * from './demo.js';
export * from './detectStep.js';
