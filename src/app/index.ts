// The Node application's public names (exported by `fastrcnn/node`, src/node.ts): files (atomic
// writes, model files), VOC datasets and proposal caches on disk, the training command, the pipeline
// steps behind the CLI, results files, the demo, and the thread counts of the parallel steps.
export * from './files.js';
export * from './dataset.js';
export * from './train.js';
export * from './pipeline.js';
export * from './resultsFiles.js';
export * from './demo.js';
export { defaultWorkers, computeProposalsParallel } from './threads/parallel.js';
export { detectSplitTwoThreads } from './threads/detectWorker.js';
