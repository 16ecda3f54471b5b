// `fastrcnn` under Node (package.json "exports", condition "node"): the API of ./index.ts, with the
// PNG/JPEG codec (pngjs, jpeg-js) registered so decodeImage/encodeImage work as they do in a browser.
import './app/data/image-node.js';

export * from './index.js';
