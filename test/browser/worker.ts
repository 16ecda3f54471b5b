// Bundled by test/browser/run.mjs as /bundle/worker.js: the library in a dedicated worker, where the
// WebGL backend makes its context on an OffscreenCanvas. Answers one message with a small matmul.
import * as fr from '../../src/index.js';

self.onmessage = (e: MessageEvent<{ a: number[]; b: number[]; n: number }>) => {
  try {
    const { a, b, n } = e.data;
    fr.setBackend('webgl');
    const y = fr.matMul(fr.tensor(a, [n, n]), fr.tensor(b, [n, n]));
    (self as any).postMessage({
      backend: y.backend.name,
      values: Array.from(y.dataSync()),
      software: fr.memory().details.softwareRenderer,
    });
  } catch (err) {
    (self as any).postMessage({ error: String((err as Error).stack ?? err) });
  }
};
