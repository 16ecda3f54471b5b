// `fastrcnn` under Node (package.json "exports", condition "node"): the API of ./index.ts, with the
// PNG/JPEG codec (pngjs, jpeg-js) registered so decodeImage/encodeImage work as they do in a browser,
// loadDetector's `worker: true` served by a worker thread, and the WASM kernel threads on worker_threads.
import './app/data/image-node.js';
import './app/threads/detectorThread.js';
import './app/threads/kernelThreads.js';

export * from './index.js';
