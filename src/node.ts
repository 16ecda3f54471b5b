// `fastrcnn/node`: the Node-only part of the package — what needs the file system, worker threads or
// the PNG/JPEG codecs (pngjs, jpeg-js, registered for decodeImage/encodeImage on import): image files,
// VOC directories, the synthetic dataset writer, and the detector's steps behind the CLI
// (trainDetector, proposalsStep, testStep, evalStep, detectStep, runDemo) with their files.
// The engine and the detector themselves come from `fastrcnn` (src/index.ts); both entries share one
// engine (the Node build splits them into shared chunks).
import './app/data/image-node.js';
import './app/threads/kernelThreads.js';

export * from './app/data/fs.js';
export * from './app/data/image-node.js';
export * from './app/data/voc.js';
export { synthesize, imageRng, splitIds, type SynthOptions, type SynthSummary } from './app/data/synth.js';
export * from './app/index.js';
