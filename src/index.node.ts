// `fastrcnn` under Node (package.json "exports", condition "node"): the API of ./index.ts, with the
// PNG/JPEG codec (pngjs, jpeg-js) registered so decodeImage/encodeImage work as they do in a browser,
// and loadDetector's `worker: true` served by a worker thread.
import './app/data/image-node.js';
import './app/threads/detectorThread.js';

export * from './index.js';
