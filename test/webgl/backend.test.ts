// WebGL-specific behaviour: texture pool reuse, program cache, tensors longer than a texture row,
// int32 exactness, context loss, and an op sequence that must match WASM. In Node (no WebGL) only
// the "stays out of the way" checks run.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.js';
import { BACKEND } from '../helpers/backend.js';
import { assertClose, assertEqualArrays } from '../helpers/close.js';
import { transposeRef } from '../reference/ops.js';
import type { WebGLBackend } from '../../src/backends/webgl/backend.js';

const test = suite('webgl: backend');

if (BACKEND !== 'webgl') {
  test('in Node the automatic choice stays wasm and instantiating webgl is a clear error', () => {
    assert.is(fr.getBackend(), 'wasm');
    assert.throws(() => fr.createWebGLBackend(), /no WebGL2 here.*createWebGLBackend\(\{ gl \}\)/);
  });
} else {
  const be = () => fr.engine.backend as unknown as WebGLBackend;
  const det = () => fr.memory().details;

  test('texture memory stays flat over a loop (pool reuse) and tidy frees everything', () => {
    const w = fr.randomNormal([64, 48], 0, 1, { seed: 1 });
    const step = () =>
      fr.tidy(() => {
        const h = fr.relu(fr.add(fr.mul(w, 2), fr.tensor([0.5])));
        return fr.sum(fr.softmax(h)).item();
      });
    step();
    const before = fr.memory();
    const textures = det().textures;
    for (let i = 0; i < 20; i++) step();
    const after = fr.memory();
    assert.is(after.numTensors, before.numTensors);
    assert.is(after.numBytes, before.numBytes);
    assert.is(det().textures, textures, 'no new textures after the first iteration');
    assert.ok(det().pooledTextures > 0);
    assert.ok(det().textureBytes >= after.numBytes);
    w.dispose();
  });

  test('programs are compiled once and reused across shapes', () => {
    const run = (r: number, c: number) => fr.tidy(() => fr.add(fr.ones([r, c]), fr.ones([r, c])).dataSync()[0]);
    run(3, 5);
    const compiles = det().programCompiles;
    assert.is(run(7, 11), 2);
    assert.is(run(100, 3), 2);
    assert.is(det().programCompiles, compiles);
    assert.ok(det().programs >= 1);
  });

  test('a tensor longer than a texture row (and than MAX_TEXTURE_SIZE) round-trips and transposes', () => {
    const n = 3 * 20000;
    const v = Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i) * 1000));
    const x = fr.tensor(v, [3, 20000]);
    assertEqualArrays(x.dataSync(), v);
    const t = fr.transpose(x);
    assertEqualArrays(t.dataSync(), Float32Array.from(transposeRef(Float64Array.from(v), [3, 20000], [1, 0])));
    const s = fr.slice(x, [1, 19990], [1, 10]);
    assertEqualArrays(s.dataSync(), v.subarray(20000 + 19990, 40000));
    const col = fr.reshape(x, [60000, 1]);
    assert.is(col.backend.name, 'webgl');
    assertEqualArrays(col.dataSync(), v);
    [x, t, s, col].forEach((z) => z.dispose());
  });

  test('int32 values round-trip exactly up to 2^24; beyond is a clear error', () => {
    const ints = Int32Array.from([0, -1, 1, 16777216, -16777216, 12345678, -7654321, 16777215, 255]);
    const t = fr.tensor(ints);
    assert.is(t.dtype, 'int32');
    assertEqualArrays(t.dataSync(), ints);
    const c = fr.cast(fr.tensor([2.9, -2.9, 0.5, -0.5, 1e6 + 0.75]), 'int32');
    assertEqualArrays(c.dataSync(), [2, -2, 0, 0, 1000000]);
    assert.ok(c.dataSync() instanceof Int32Array);
    const am = fr.argMax(
      fr.tensor([
        [1, 5, 5, 2],
        [9, 0, 1, 9],
      ]),
      1,
    );
    assertEqualArrays(am.dataSync(), [1, 0]);
    assert.throws(() => fr.tensor(Int32Array.from([16777217])), /beyond ±2\^24/);
  });

  test('capabilities: float render targets, draw buffers, the renderer named', () => {
    const caps = be().caps;
    assert.ok(caps.maxDrawBuffers >= 4 && caps.maxTextureSize >= 2048);
    assert.type(caps.renderer, 'string');
    assert.is(det().softwareRenderer, caps.software ? 1 : 0);
  });

  test('async read gives the same values as readSync', async () => {
    const x = fr.affine(fr.tensor(Float32Array.from({ length: 1001 }, (_, i) => i)), 0.5, 1);
    assertEqualArrays(await x.data(), x.dataSync());
  });

  test('an op sequence (forward and gradients) on webgl matches wasm', () => {
    const run = (name: string) => {
      fr.setBackend(name);
      const rng = new fr.Rng(5);
      const x = fr.tensor(
        Float32Array.from({ length: 6 * 10 }, () => rng.uniform(-1, 1)),
        [6, 10],
      );
      const w = fr.tensor(
        Float32Array.from({ length: 10 }, () => rng.uniform(-1, 1)),
        [10],
      );
      w.requiresGrad = true;
      const { value, grads } = fr.valueAndGrads((wv: fr.Tensor) => {
        const h = fr.relu(fr.sub(fr.mul(x, wv), fr.tensor([0.1])));
        const p = fr.logSoftmax(fr.transpose(fr.concat([h, fr.square(h)], 1)));
        return fr.mean(fr.mul(p, fr.exp(fr.neg(fr.abs(p)))));
      })(w);
      const out = { value: value.dataSync().slice(), grad: grads[0].dataSync().slice(), backend: value.backend.name };
      return out;
    };
    const g = run('webgl'),
      c = run('wasm');
    fr.setBackend('webgl');
    assert.is(g.backend, 'webgl');
    assert.is(c.backend, 'wasm');
    assertClose(g.value, c.value, 1e-5, 1e-6, 'value');
    assertClose(g.grad, c.grad, 1e-4, 1e-6, 'gradient');
  });

  test('context loss gives a clear error (a separate backend on its own canvas)', () => {
    const canvas = new OffscreenCanvas(1, 1);
    const gl = canvas.getContext('webgl2') as WebGL2RenderingContext;
    fr.engine.registerBackend('webgl-lost', () => fr.createWebGLBackend({ gl }), 0);
    const b = fr.engine.findBackend('webgl-lost') as unknown as WebGLBackend;
    const x = fr.engine.makeTensor(Float32Array.from([1, 2, 3]), [3], 'float32', b as any);
    assertEqualArrays(x.dataSync(), [1, 2, 3]);
    gl.getExtension('WEBGL_lose_context')!.loseContext();
    assert.throws(() => x.dataSync(), /WebGL context was lost/);
    assert.throws(() => fr.engine.makeTensor(Float32Array.from([1]), [1], 'float32', b as any), /WebGL context was lost/);
    assert.ok(b.contextLost);
    assert.is(fr.getBackend(), 'webgl', 'the main backend is untouched');
  });

  test('a lost active backend: new work moves to WASM, said once; its old tensors throw clearly', () => {
    const canvas = new OffscreenCanvas(1, 1);
    const gl = canvas.getContext('webgl2') as WebGL2RenderingContext;
    fr.engine.registerBackend('webgl-lost-active', () => fr.createWebGLBackend({ gl }), 0);
    const said: string[] = [];
    const before = fr.engine.onBackendLost;
    fr.engine.onBackendLost = (lost, now) => said.push(`${lost}->${now}`);
    try {
      fr.setBackend('webgl-lost-active');
      const old = fr.tensor([1, 2, 3]);
      assertEqualArrays(fr.mul(old, 2).dataSync(), [2, 4, 6]);
      gl.getExtension('WEBGL_lose_context')!.loseContext();
      const y = fr.mul(fr.tensor([1, 2, 3]), 2);
      assertEqualArrays(y.dataSync(), [2, 4, 6]);
      assert.is(fr.getBackend(), 'wasm');
      assert.is(y.backend.name, 'wasm');
      fr.tensor([1]).dispose();
      assert.equal(said, ['webgl->wasm'], 'said once');
      assert.throws(() => old.dataSync(), /WebGL context was lost/);
    } finally {
      fr.engine.onBackendLost = before;
      fr.setBackend('webgl');
    }
  });
}

test.run();
