// Runs only in the browser runner (test/run.ts skips test/browser/): the suites really run on WebGL
// here, and the WASM backend (embedded binary) works in the same page.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.js';
import { BACKEND } from '../helpers/backend.js';
import { assertClose } from '../helpers/close.js';
import { matmulRef } from '../reference/ops.js';
import { roiPool } from '../../src/ops/roi.js';

const test = suite('browser: backends in the page');

test('the suites run on the backend the runner asked for', () => {
  assert.is(BACKEND, 'webgl');
  assert.is(fr.getBackend(), 'webgl');
});

test('wasm backend: a matmul in the page matches the float64 loop', () => {
  const prev = fr.getBackend();
  try {
    fr.setBackend('wasm');
    const rng = new fr.Rng(3);
    const a = Float64Array.from({ length: 7 * 9 }, () => Math.fround(rng.uniform(-1, 1)));
    const b = Float64Array.from({ length: 9 * 5 }, () => Math.fround(rng.uniform(-1, 1)));
    const y = fr.matMul(fr.tensor(Float32Array.from(a), [7, 9]), fr.tensor(Float32Array.from(b), [9, 5]));
    assert.is(y.backend.name, 'wasm');
    assertClose(y.dataSync(), matmulRef(a, [7, 9], b, [9, 5]), 1e-5, 1e-6);
  } finally {
    fr.setBackend(prev);
  }
});

test('a kernel WebGL lacks (RoI pooling) runs on wasm with the data moved across', () => {
  const x = fr.tensor(
    Float32Array.from({ length: 2 * 8 * 8 }, (_, i) => (i * 7) % 13),
    [1, 2, 8, 8],
  );
  const rois = fr.tensor([[0, 0, 0, 7, 7]]);
  const y = roiPool(fr.relu(x), rois, { outputSize: [2, 2], spatialScale: 1 });
  assert.equal(y.shape, [1, 2, 2, 2]);
  const v = y.dataSync();
  // each output is the max of a 4x4 quadrant of one channel plane
  const xv = x.dataSync();
  for (let c = 0; c < 2; c++)
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++) {
        let m = -Infinity;
        for (let h = i * 4; h < i * 4 + 4; h++) for (let w = j * 4; w < j * 4 + 4; w++) m = Math.max(m, xv[c * 64 + h * 8 + w]);
        assert.is(v[c * 4 + i * 2 + j], m);
      }
});

test.run();
