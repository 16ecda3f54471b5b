import { test } from 'uvu';
import * as assert from 'uvu/assert';
// RoIAlign through the tensor op (fr.roiAlign, its gradient rule for the backward) against the
// torchvision fixtures and the float64 reference loop.
import { roiAlignBackward, roiAlignForward, type Shape4 } from '../helpers/detectionOps.js';
import { expectClose, fixtureCases, maxAbs, toF32, toF64 } from '../helpers/fixtures.js';
import { roiAlignBackwardRef, roiAlignRef } from '../reference/roi.js';
import { Rng } from '../../src/util/random.js';
import * as fr from '../../src/index.js';

const cases = fixtureCases('roi_align');

function optsOf(inp: any) {
  return {
    spatialScale: inp.spatial_scale,
    pooledHeight: inp.output_size[0],
    pooledWidth: inp.output_size[1],
    samplingRatio: inp.sampling_ratio,
    aligned: inp.aligned,
  };
}

test('fixtures: every roi_align case, output and grad_input within 1e-5 × max|x|', () => {
  assert.is(cases.length, 35);
  for (const c of cases) {
    const inp = c.input;
    const shape = inp.x.shape as Shape4;
    const x = toF32(inp.x),
      rois = toF32(inp.rois),
      go = toF32(inp.grad_output);
    const out = roiAlignForward(x, shape, rois, optsOf(inp));
    expectClose(out, toF64(c.expected.output), { atol: 1e-5 * maxAbs(x) }, `${c.id} output`);
    const gi = roiAlignBackward(go, shape, rois, optsOf(inp));
    expectClose(gi, toF64(c.expected.grad_input), { atol: 1e-5 * maxAbs(go) }, `${c.id} grad_input`);
  }
});

test('float64 reference loop reproduces the fixtures (validates the oracle used below)', () => {
  for (const c of cases) {
    const inp = c.input,
      o = optsOf(inp);
    const out = roiAlignRef(
      toF64(inp.x),
      inp.x.shape,
      toF64(inp.rois),
      o.spatialScale,
      o.pooledHeight,
      o.pooledWidth,
      o.samplingRatio,
      o.aligned,
    );
    expectClose(out, toF64(c.expected.output), { rtol: 1e-8, atol: 1e-9 * maxAbs(toF64(inp.x)) }, `${c.id} ref output`);
    const gi = roiAlignBackwardRef(
      toF64(inp.grad_output),
      inp.x.shape,
      toF64(inp.rois),
      o.spatialScale,
      o.pooledHeight,
      o.pooledWidth,
      o.samplingRatio,
      o.aligned,
    );
    expectClose(gi, toF64(c.expected.grad_input), { rtol: 1e-8, atol: 1e-9 * maxAbs(toF64(inp.grad_output)) }, `${c.id} ref grad`);
  }
});

test('random shapes (C = 1..40, big adaptive grids, several images) match the float64 reference', () => {
  const rng = new Rng(3);
  const configs: [number, number, number, number, number, number, number, number, number][] = [
    // N, C, H, W, R, scale, P, samplingRatio, aligned
    [1, 1, 9, 11, 5, 1, 2, -1, 0],
    [2, 5, 13, 7, 7, 0.5, 3, 2, 1],
    [2, 17, 12, 15, 9, 0.25, 7, -1, 1],
    [1, 40, 10, 10, 6, 1 / 16, 7, 2, 0],
    [1, 3, 60, 50, 3, 1, 2, -1, 0], // grid up to 30×25 (> one chunk)
  ];
  for (const [N, C, H, W, R, scale, P, sr, al] of configs) {
    const x = Float32Array.from({ length: N * C * H * W }, () => rng.uniform(-2, 2));
    const rois = new Float32Array(R * 5);
    for (let r = 0; r < R; r++) {
      const x1 = rng.uniform(-3, W / scale),
        y1 = rng.uniform(-3, H / scale);
      rois.set([rng.int(0, N), x1, y1, x1 + rng.uniform(-2, W / scale), y1 + rng.uniform(-2, H / scale)], r * 5);
    }
    const shape: Shape4 = [N, C, H, W];
    const opts = { spatialScale: scale, pooledHeight: P, pooledWidth: P, samplingRatio: sr, aligned: !!al };
    const label = `N${N} C${C} ${H}x${W} sr${sr} aligned=${!!al}`;
    expectClose(roiAlignForward(x, shape, rois, opts), roiAlignRef(x, shape, rois, scale, P, P, sr, !!al), { atol: 1e-5 * 2 }, label);
    const go = Float32Array.from({ length: R * C * P * P }, () => rng.uniform(-1, 1));
    expectClose(
      roiAlignBackward(go, shape, rois, opts),
      roiAlignBackwardRef(go, shape, rois, scale, P, P, sr, !!al),
      { atol: 1e-5 * 4 },
      `${label} grad`,
    );
  }
});

test('finite differences: the backward is the adjoint of the forward (float32 tolerance)', () => {
  // RoIAlign is linear in x, so the central difference of sum(g·out) with step 1 is exact in real
  // arithmetic; what remains is float32 rounding of the sums (~1e-6 relative). This checks the
  // kernel pair against each other, not against torchvision (the fixtures do that).
  const rng = new Rng(5);
  const shape: Shape4 = [2, 3, 6, 7];
  const n = 2 * 3 * 6 * 7;
  const x = Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
  const rois = Float32Array.from([0, 0.3, 0.7, 5.2, 4.9, 1, -1.5, 2, 8, 7.5, 1, 2, 2, 2.5, 2.1]);
  for (const [sr, aligned] of [
    [-1, false],
    [2, true],
  ] as const) {
    const opts = { spatialScale: 1, pooledHeight: 3, pooledWidth: 2, samplingRatio: sr, aligned };
    const g = Float32Array.from({ length: 3 * 3 * 3 * 2 }, () => rng.uniform(-1, 1));
    const gi = roiAlignBackward(g, shape, rois, opts);
    const L = (xx: Float32Array) => {
      const o = roiAlignForward(xx, shape, rois, opts);
      let s = 0;
      for (let i = 0; i < o.length; i++) s += g[i] * o[i];
      return s;
    };
    for (let i = 0; i < n; i++) {
      const xp = x.slice(),
        xm = x.slice();
      xp[i] += 1;
      xm[i] -= 1;
      const fd = (L(xp) - L(xm)) / 2;
      assert.ok(Math.abs(fd - gi[i]) < 2e-5, `sr${sr} d/dx[${i}]: fd ${fd} vs ${gi[i]}`);
    }
  }
});

test('finite differences of the float64 reference match its backward (float64 tolerance)', () => {
  // Proves the oracle's backward is the derivative of its forward, so the fixture-checked oracle
  // also vouches for the gradient used above.
  const rng = new Rng(9);
  const shape = [1, 2, 5, 6];
  const x = Float64Array.from({ length: 60 }, () => rng.uniform(-1, 1));
  const rois = Float64Array.from([0, 0.3, 0.7, 4.2, 3.9, 0, -1.5, -0.5, 7, 6.5]);
  const g = Float64Array.from({ length: 2 * 2 * 2 * 3 }, () => rng.uniform(-1, 1));
  const gi = roiAlignBackwardRef(g, shape, rois, 1, 2, 3, -1, true);
  const L = (xx: Float64Array) => {
    const o = roiAlignRef(xx, shape, rois, 1, 2, 3, -1, true);
    let s = 0;
    for (let i = 0; i < o.length; i++) s += g[i] * o[i];
    return s;
  };
  for (let i = 0; i < x.length; i++) {
    const xp = x.slice(),
      xm = x.slice();
    xp[i] += 1e-3;
    xm[i] -= 1e-3;
    assert.ok(Math.abs((L(xp) - L(xm)) / 2e-3 - gi[i]) < 1e-9, `ref d/dx[${i}]`);
  }
});

test('errors', () => {
  const x = new Float32Array(32);
  const shape: Shape4 = [1, 2, 4, 4];
  const opts = { spatialScale: 1, pooledHeight: 2, pooledWidth: 2 };
  assert.throws(
    () => fr.roiAlign(fr.tensor(x, shape), fr.zeros([1, 4]), { outputSize: 2, spatialScale: 1 }),
    /roiAlign: rois must be \[R,5\]/,
  );
  assert.throws(
    () => roiAlignForward(x, shape, Float32Array.from([2, 0, 0, 1, 1]), opts),
    /roiAlign: RoI 0 has batch index 2, outside \[0, 1\)/,
  );
  assert.throws(() => roiAlignForward(x, shape, Float32Array.from([0, 0, Infinity, 1, 1]), opts), /non-finite coordinate \(0, 0, Infinity/);
  assert.throws(
    () => roiAlignForward(x, shape, Float32Array.from([0, 0, 0, 1, 1]), { ...opts, samplingRatio: 1.5 }),
    /samplingRatio must be an integer/,
  );
});

test.run();
