// The Node entry: everything in ./index.ts, plus what needs Node's file system — PNG/JPEG codecs
// (pngjs, jpeg-js), VOC directories, the synthetic dataset writer, and the detector's file-based
// steps (training command, results files, the demo).
import './data/image-node.js';

export * from './index.js';
export * from './data/fs.js';
export * from './data/image-node.js';
export * from './data/voc.js';
export { synthesize, imageRng, imageId, splitIds, type SynthOptions, type SynthSummary } from './data/synth.js';
export * from './app/index.js';
