// Runs only in the browser runner: its page is served without the COOP/COEP headers, so it is not
// cross-origin isolated, has no usable SharedArrayBuffer, and the engine must run on one thread and
// say why, never fail. (test/browser/isolated.ts, loaded by the runner in a page that is isolated,
// checks the threads themselves.)
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.js';
import { WasmBackend } from '../../src/backends/wasm/index.js';
import { assertClose } from '../helpers/close.js';
import { matmulRef } from '../reference/ops.js';

const test = suite('browser: no cross-origin isolation, one WASM thread');

test('the page is not isolated: the plain build, one thread, and the reason', () => {
  assert.is((globalThis as any).crossOriginIsolated, false);
  const info = fr.threadInfo();
  assert.is(info.threads, 1);
  assert.is(info.sharedMemory, false);
  assert.match(info.note, /cross-origin isolated/);
  assert.is(fr.setThreads(4), 1);
  const be = new WasmBackend();
  assert.is(be.memory().threads, 1);
  assert.match(be.notes()[0], /one thread: the page is not cross-origin isolated/);
});

test('kernels run all the same (matmul and conv2d on wasm)', () => {
  const prev = fr.getBackend();
  try {
    fr.setBackend('wasm');
    const a = Float64Array.from({ length: 65 * 33 }, (_, i) => Math.fround(Math.sin(i)));
    const b = Float64Array.from({ length: 33 * 70 }, (_, i) => Math.fround(Math.cos(i)));
    const y = fr.matMul(fr.tensor(Float32Array.from(a), [65, 33]), fr.tensor(Float32Array.from(b), [33, 70]));
    assertClose(y.dataSync(), matmulRef(a, [65, 33], b, [33, 70]), 1e-5, 1e-5);
    const c = fr.conv2d(fr.ones([1, 3, 9, 9]), fr.ones([4, 3, 3, 3]), null, { padding: 1 });
    assert.is(c.dataSync()[4 * 9 + 4], 27);
    assert.ok((fr.memory().notes ?? []).some((n) => /one thread/.test(n)));
  } finally {
    fr.setBackend(prev);
  }
});

test.run();
