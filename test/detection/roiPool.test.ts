import { test } from 'uvu';
import * as assert from 'uvu/assert';
// RoI max pooling through the tensor op (fr.roiPoolWithArgmax, its gradient rule for the backward)
// against the torchvision fixtures and the float64 reference loop.
import { roiPoolBackward, roiPoolForward, type Shape4 } from '../helpers/detectionOps.js';
import * as fr from '../../src/index.js';
import { expectExact, fixtureCases, toF32, toF64, toI32 } from '../helpers/fixtures.js';
import { roiPoolBackwardRef, roiPoolRef } from '../reference/roi.js';
import { Rng } from '../../src/util/random.js';

const cases = fixtureCases('roi_pool');

test('fixtures: every roi_pool case, output/argmax/grad_input exact', () => {
  assert.is(cases.length, 33);
  for (const c of cases) {
    const inp = c.input;
    const shape = inp.x.shape as Shape4;
    const opts = { spatialScale: inp.spatial_scale, pooledHeight: inp.output_size[0], pooledWidth: inp.output_size[1] };
    const rois = toF32(inp.rois);
    const { output, argmax } = roiPoolForward(toF32(inp.x), shape, rois, opts);
    expectExact(output, toF64(c.expected.output), `${c.id} output`, true);
    expectExact(argmax, toI32(c.expected.argmax), `${c.id} argmax`);
    const g = roiPoolBackward(toF32(inp.grad_output), toF32(inp.x), shape, rois, opts);
    expectExact(g, toF64(c.expected.grad_input), `${c.id} grad_input`, true);
  }
});

test('fixtures: float32 bin edges differ from float64 ones (and we follow float32)', () => {
  const c = cases.find((k) => k.id === 'float32_bin_edges')!;
  const a = toI32(c.expected.argmax),
    b = toI32(c.expected_float64!.argmax);
  assert.ok(
    a.some((v, i) => v !== b[i]),
    'the case distinguishes the two',
  );
});

test('reference loop reproduces the fixtures (validates the oracle used below)', () => {
  for (const c of cases) {
    const inp = c.input;
    const ref = roiPoolRef(toF32(inp.x), inp.x.shape, toF32(inp.rois), inp.spatial_scale, inp.output_size[0], inp.output_size[1]);
    expectExact(ref.argmax, toI32(c.expected.argmax), `${c.id} ref argmax`);
    expectExact(Float32Array.from(ref.output), toF64(c.expected.output), `${c.id} ref output`, true);
  }
});

function randomCase(rng: Rng, N: number, C: number, H: number, W: number, R: number, scale: number, ties: boolean) {
  const x = new Float32Array(N * C * H * W);
  for (let i = 0; i < x.length; i++) x[i] = ties ? rng.int(-3, 4) : rng.uniform(-10, 10);
  const rois = new Float32Array(R * 5);
  const iw = W / scale,
    ih = H / scale;
  for (let r = 0; r < R; r++) {
    const x1 = rng.uniform(-0.2 * iw, iw),
      y1 = rng.uniform(-0.2 * ih, ih);
    rois.set([rng.int(0, N), x1, y1, x1 + rng.uniform(-5, 0.8 * iw), y1 + rng.uniform(-5, 0.8 * ih)], r * 5);
  }
  return { x, rois, shape: [N, C, H, W] as Shape4 };
}

test('random shapes (C not a multiple of 4 or 16, ties, inverted RoIs) match the reference loop exactly', () => {
  const rng = new Rng(7);
  const configs: [number, number, number, number, number, number, number, number][] = [
    [1, 1, 9, 11, 6, 1, 2, 2],
    [2, 5, 13, 7, 9, 0.5, 3, 3],
    [2, 17, 12, 15, 12, 0.25, 7, 7],
    [1, 33, 10, 10, 8, 1 / 16, 7, 7],
    [3, 64, 6, 9, 10, 0.125, 4, 5],
    [1, 20, 20, 20, 5, 1, 7, 7],
    [2, 1030, 5, 6, 4, 1, 2, 3], // more than one 512-channel chunk, ragged last chunk
  ];
  for (const [N, C, H, W, R, scale, PH, PW] of configs) {
    for (const ties of [false, true]) {
      const { x, rois, shape } = randomCase(rng, N, C, H, W, R, scale, ties);
      const opts = { spatialScale: scale, pooledHeight: PH, pooledWidth: PW };
      const got = roiPoolForward(x, shape, rois, opts);
      const ref = roiPoolRef(x, shape, rois, scale, PH, PW);
      const label = `N${N} C${C} ${H}x${W} R${R} ${PH}x${PW} ties=${ties}`;
      expectExact(got.argmax, ref.argmax, `${label} argmax`);
      expectExact(got.output, ref.output, `${label} output`, true);
      const go = new Float32Array(got.output.length);
      for (let i = 0; i < go.length; i++) go[i] = rng.uniform(-1, 1);
      // float32 sums in the same order as the reference's float64 ones are not bitwise equal;
      // compare against float32 accumulation of the same routing instead.
      const gi = roiPoolBackward(go, x, shape, rois, opts);
      const ref32 = new Float32Array(N * C * H * W);
      const R5 = rois.length / 5;
      for (let r = 0; r < R5; r++) {
        const b = rois[r * 5];
        for (let c = 0; c < C; c++)
          for (let k = 0; k < PH * PW; k++) {
            const o = (r * C + c) * PH * PW + k;
            if (ref.argmax[o] >= 0) {
              const q = (b * C + c) * H * W + ref.argmax[o];
              ref32[q] = Math.fround(ref32[q] + go[o]);
            }
          }
      }
      expectExact(gi, ref32, `${label} grad`);
      const g64 = roiPoolBackwardRef(go, ref.argmax, rois, shape, PH, PW);
      for (let i = 0; i < g64.length; i++) assert.ok(Math.abs(g64[i] - gi[i]) < 1e-5, `${label} grad vs float64`);
    }
  }
});

test('finite differences of the forward match the backward (distinct values, away from ties)', () => {
  // Max pooling is piecewise linear: with values at least 0.05 apart and a step of 1e-2 no switch
  // changes, so the central difference of sum(g·out) is the gradient up to float32 rounding.
  // This proves backward and forward agree (routing, accumulation over overlapping bins).
  const rng = new Rng(11);
  const N = 2,
    C = 3,
    H = 7,
    W = 9;
  const n = N * C * H * W;
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const x = Float32Array.from(perm, (p) => (p - n / 2) * 0.05);
  const rois = Float32Array.from([0, 0, 0, 8, 6, 1, 2, 1, 6, 5, 0, 3, 2, 3, 2, 1, -2, -3, 20, 20, 0, 4, 4, 5, 5]);
  const shape: Shape4 = [N, C, H, W];
  const opts = { spatialScale: 1, pooledHeight: 3, pooledWidth: 4 };
  const fwd = roiPoolForward(x, shape, rois, opts);
  const g = Float32Array.from(fwd.output, () => rng.uniform(-1, 1));
  const gi = roiPoolBackward(g, x, shape, rois, opts);
  const L = (xx: Float32Array) => {
    const o = roiPoolForward(xx, shape, rois, opts).output;
    let s = 0;
    for (let i = 0; i < o.length; i++) s += g[i] * o[i];
    return s;
  };
  const h = 1e-2;
  for (let i = 0; i < n; i++) {
    const xp = x.slice(),
      xm = x.slice();
    xp[i] += h;
    xm[i] -= h;
    const fd = (L(xp) - L(xm)) / (xp[i] - xm[i]);
    assert.ok(Math.abs(fd - gi[i]) < 1e-4 * (1 + Math.abs(gi[i])), `d/dx[${i}]: fd ${fd} vs ${gi[i]}`);
  }
});

test('errors name the op and the offending values', () => {
  const x = new Float32Array(1 * 2 * 4 * 4);
  const shape: Shape4 = [1, 2, 4, 4];
  const opts = { spatialScale: 1, pooledHeight: 2, pooledWidth: 2 };
  const xt = fr.tensor(x, shape);
  const op = (r: fr.Tensor, o: { outputSize: [number, number]; spatialScale: number } = { outputSize: [2, 2], spatialScale: 1 }) =>
    fr.roiPool(xt, r, o);
  assert.throws(() => op(fr.tensor(new Float32Array(6), [1, 6])), /roiPool: rois must be \[R,5\].*got \[1,6\]/);
  assert.throws(
    () => roiPoolForward(x, shape, Float32Array.from([1, 0, 0, 2, 2]), opts),
    /roiPool: RoI 0 has batch index 1, outside \[0, 1\)/,
  );
  assert.throws(() => roiPoolForward(x, shape, Float32Array.from([-1, 0, 0, 2, 2]), opts), /batch index -1/);
  assert.throws(
    () => roiPoolForward(x, shape, Float32Array.from([0, 0, 0, 2, 2, 0, NaN, 0, 2, 2]), opts),
    /roiPool: RoI 1 has a non-finite coordinate \(0, NaN/,
  );
  assert.throws(
    () => fr.roiPool(fr.tensor(x, [2, 4, 4]), fr.tensor([[0, 0, 0, 2, 2]]), { outputSize: [2, 2], spatialScale: 1 }),
    /roiPool: 'x' must have rank 4, got shape \[2,4,4\]/,
  );
  assert.throws(
    () => roiPoolForward(x, shape, Float32Array.from([0, 0, 0, 2, 2]), { ...opts, pooledHeight: 0 }),
    /outputSize must be a positive integer or pair, got \[0,2\]/,
  );
  assert.throws(() => roiPoolForward(x, shape, Float32Array.from([0, 0, 0, 2, 2]), { ...opts, spatialScale: NaN }), /spatialScale/);
  xt.dispose();
});

test('inverted and out-of-map RoIs follow the reference (no crash)', () => {
  const x = Float32Array.from({ length: 2 * 5 * 6 }, (_, i) => Math.sin(i));
  const shape: Shape4 = [1, 2, 5, 6];
  const rois = Float32Array.from([0, 5, 4, 1, 1, 0, -30, -30, -20, -20, 0, 100, 100, 200, 200, 0, 3.5, 2.5, 3.5, 2.5]);
  const got = roiPoolForward(x, shape, rois, { spatialScale: 1, pooledHeight: 3, pooledWidth: 3 });
  const ref = roiPoolRef(x, shape, rois, 1, 3, 3);
  expectExact(got.argmax, ref.argmax, 'argmax');
  expectExact(got.output, ref.output, 'output', true);
});

test.run();
