// The WebGL backend inside a dedicated worker (OffscreenCanvas context), run by the browser runner.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assertClose } from '../helpers/close.js';
import { matmulRef } from '../reference/ops.js';

const test = suite('browser: webgl in a worker');

test('a matmul in a worker runs on webgl and matches float64', async () => {
  const n = 9;
  const a = Array.from({ length: n * n }, (_, i) => Math.fround(Math.sin(i)));
  const b = Array.from({ length: n * n }, (_, i) => Math.fround(Math.cos(i * 0.7)));
  const w = new Worker('/bundle/worker.js', { type: 'module' });
  try {
    const r = await new Promise<any>((resolve, reject) => {
      w.onmessage = (e) => resolve(e.data);
      w.onerror = (e) => reject(new Error(`worker error: ${e.message}`));
      w.postMessage({ a, b, n });
    });
    assert.is(r.error, undefined, r.error);
    assert.is(r.backend, 'webgl');
    assertClose(r.values, matmulRef(Float64Array.from(a), [n, n], Float64Array.from(b), [n, n]), 1e-5, 1e-6);
  } finally {
    w.terminate();
  }
});

test.run();
