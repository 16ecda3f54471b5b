// MatMul on WebGL at sizes the op tests do not reach: every block shape the kernel can use, both the
// matrix-texture and the flat-layout kernels, split K, unaligned and transposed operands, a fused
// bias, against the float64 loop.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.js';
import { BACKEND } from '../helpers/backend.js';
import { assertClose, maxAbs } from '../helpers/close.js';
import { matmulRef } from '../reference/ops.js';
import { fitTargets, matmul, matmulTiles, splitsFor } from '../../src/backends/webgl/kernels/matmul.js';
import type { WebGLBackend } from '../../src/backends/webgl/backend.js';

const test = suite('webgl: matmul');

test('split-K choice: enough fragments, bounded loops', () => {
  assert.is(splitsFor(10000, 256), 1);
  assert.ok(splitsFor(16, 40000) * 16 >= 2048);
  assert.ok(Math.ceil(5000 / splitsFor(100000, 5000)) <= 1024);
  assert.is(splitsFor(1, 1), 1);
});

test('blocks shrink to the draw buffers a device has', () => {
  assert.equal(fitTargets(4, 2, 8), [4, 2]);
  assert.equal(fitTargets(4, 2, 4), [4, 1]);
  assert.equal(fitTargets(8, 1, 4), [4, 1]);
  assert.equal(fitTargets(8, 1, 4, 4), [4, 1]);
  assert.equal(fitTargets(2, 4, 8), [2, 2]);
  assert.equal(fitTargets(8, 2, 16), [8, 1]);
});

if (BACKEND === 'webgl') {
  const rand = (n: number, seed: number) => {
    const r = new fr.Rng(seed);
    return Float64Array.from({ length: n }, () => Math.fround(r.uniform(-1, 1)));
  };

  test('every tile shape, transposes, awkward and split-K sizes vs float64', () => {
    const saved = { ...matmulTiles };
    try {
      for (const [rows, cols, matrix] of [
        [4, 2, 1],
        [4, 1, 1],
        [8, 1, 1],
        [2, 2, 1],
        [1, 1, 1],
        [2, 4, 1],
        [4, 2, 0],
        [8, 1, 0],
        [1, 1, 0],
      ]) {
        Object.assign(matmulTiles, { rows, cols, matrixTextures: !!matrix });
        for (const [M, N, K] of [
          [37, 29, 41],
          [64, 48, 40],
          [9, 5, 3001],
          [130, 7, 17],
        ]) {
          for (const ta of [false, true])
            for (const tb of [false, true]) {
              const as = ta ? [K, M] : [M, K],
                bs = tb ? [N, K] : [K, N];
              const a = rand(M * K, M + K),
                b = rand(K * N, N * 3 + K);
              const y = fr.matMul(fr.tensor(Float32Array.from(a), as), fr.tensor(Float32Array.from(b), bs), ta, tb);
              const ref = matmulRef(a, as, b, bs, ta, tb);
              assertClose(
                y.dataSync(),
                ref,
                0,
                2e-6 * Math.sqrt(K) * Math.max(1, maxAbs(ref)),
                `${rows}x${cols}${matrix ? '' : ' flat'} ${M}x${N}x${K} ${ta} ${tb}`,
              );
              y.dispose();
            }
        }
      }
    } finally {
      Object.assign(matmulTiles, saved);
    }
  });

  test('a device with 4 draw buffers: matmul and conv still right', () => {
    const be = fr.engine.backend as unknown as WebGLBackend;
    const saved = be.caps.maxDrawBuffers;
    try {
      be.caps.maxDrawBuffers = 4;
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
      ]) {
        const [M, N, K] = [21, 18, 35];
        const as = ta ? [K, M] : [M, K],
          bs = tb ? [N, K] : [K, N];
        const a = rand(M * K, 5),
          b = rand(K * N, 6);
        const y = fr.matMul(fr.tensor(Float32Array.from(a), as), fr.tensor(Float32Array.from(b), bs), ta, tb);
        assertClose(y.dataSync(), matmulRef(a, as, b, bs, ta, tb), 1e-5, 1e-5, `4 targets ${ta} ${tb}`);
      }
      const x = fr.randomNormal([1, 6, 9, 10], 0, 1, { seed: 2 }),
        w = fr.randomNormal([9, 6, 3, 3], 0, 1, { seed: 3 });
      const y4 = fr.conv2d(x, w, null, { padding: 1 }).dataSync();
      be.caps.maxDrawBuffers = saved;
      assertClose(y4, fr.conv2d(x, w, null, { padding: 1 }).dataSync(), 1e-5, 1e-5, 'conv with 4 targets');
    } finally {
      be.caps.maxDrawBuffers = saved;
    }
  });

  test('fused bias in the merge pass', () => {
    const be = fr.engine.backend as unknown as WebGLBackend;
    for (const [M, N, K] of [
      [6, 8, 5],
      [5, 7, 9],
    ]) {
      const a = rand(M * K, 1),
        b = rand(N * K, 2),
        bias = rand(N, 3);
      const ta = fr.tensor(Float32Array.from(a), [M, K]),
        tb = fr.tensor(Float32Array.from(b), [N, K]),
        tbias = fr.tensor(Float32Array.from(bias));
      const info = matmul(be, ta, tb, false, true, tbias);
      const y = fr.engine.makeTensor(be.readSync(info.dataId), info.shape, 'float32');
      be.decRef(info.dataId);
      const ref = matmulRef(a, [M, K], b, [N, K], false, true).map((v, i) => v + bias[i % N]);
      assertClose(y.dataSync(), ref, 1e-5, 1e-5);
    }
  });
}

test.run();
