import { test } from 'uvu';
import * as assert from 'uvu/assert';
// Smooth-L1 through the tensor op (fr.smoothL1, its gradient rule for the backward) against the
// numpy fixtures and the float64 reference.
import { smoothL1Backward, smoothL1Forward } from '../helpers/detectionOps.js';
import * as fr from '../../src/index.js';
import { expectClose, fixtureCases, toF64 } from '../helpers/fixtures.js';
import { smoothL1GradRef, smoothL1Ref } from '../reference/smoothL1.js';
import { Rng } from '../../src/util/random.js';

const cases = fixtureCases('smooth_l1');
const EPS32 = 2 ** -24;

test('fixtures: every smooth_l1 case (float32 kernel; tolerance 1e-6 rel + the float32 rounding of the inputs)', () => {
  assert.is(cases.length, 4);
  for (const c of cases) {
    const { input, target, beta, grad_output_none } = c.input;
    const x = toF64(input),
      y = toF64(target),
      go = toF64(grad_output_none);
    const n = x.length;
    // d = x - y loses up to (|x| + |y|)·2^-24 when x and y are rounded to float32: that (times the
    // loss's slope, <= 1, or the gradient's, 1/beta) is the absolute part of the tolerance.
    const dIn = Float64Array.from(x, (v, i) => (Math.abs(v) + Math.abs(y[i])) * 2 * EPS32);
    const lossTol = (e: ArrayLike<number>, label: string, got: ArrayLike<number>, scale: number[] = []) => {
      for (let i = 0; i < got.length; i++) {
        const tol = 1e-6 * Math.abs(e[i]) + dIn[i] * (scale[i] ?? 1) + 1e-30;
        assert.ok(Math.abs(got[i] - e[i]) <= tol, `${c.id} ${label}[${i}]: ${got[i]} vs ${e[i]} (tol ${tol})`);
      }
    };
    lossTol(toF64(c.expected.loss_none), 'loss_none', smoothL1Forward(x, y, { beta }));
    const sumTol = 1e-6 * Math.abs(c.expected.loss_sum) + dIn.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(smoothL1Forward(x, y, { beta, reduction: 'sum' }) - c.expected.loss_sum) <= sumTol, `${c.id} loss_sum`);
    assert.ok(Math.abs(smoothL1Forward(x, y, { beta, reduction: 'mean' }) - c.expected.loss_mean) <= sumTol / n, `${c.id} loss_mean`);
    const gs = (k: number) => Array.from(go, (g) => (Math.abs(g) * k) / beta);
    lossTol(toF64(c.expected.grad_input_none), 'grad_input_none', smoothL1Backward(x, y, go, { beta }), gs(1));
    lossTol(
      toF64(c.expected.grad_input_sum),
      'grad_input_sum',
      smoothL1Backward(x, y, 1, { beta, reduction: 'sum' }),
      Array(n).fill(1 / beta),
    );
    lossTol(
      toF64(c.expected.grad_input_mean),
      'grad_input_mean',
      smoothL1Backward(x, y, 1, { beta, reduction: 'mean' }),
      Array(n).fill(1 / beta / n),
    );
  }
});

test('fixtures: the float64 reference reproduces them to 1e-12 (validates the oracle)', () => {
  for (const c of cases) {
    const { input, target, beta, grad_output_none } = c.input;
    const x = toF64(input),
      y = toF64(target),
      go = toF64(grad_output_none);
    const d = x.map((v, i) => v - y[i]);
    expectClose(
      d.map((v) => smoothL1Ref(v, beta)),
      toF64(c.expected.loss_none),
      { rtol: 1e-12, atol: 1e-300 },
      `${c.id} ref loss`,
    );
    expectClose(
      d.map((v, i) => smoothL1GradRef(v, beta) * go[i]),
      toF64(c.expected.grad_input_none),
      { rtol: 1e-12, atol: 1e-300 },
      `${c.id} ref grad`,
    );
  }
});

test('float32 inputs: the op equals the reference within float32 rounding, beta in {0, 1/9, 1, 3}', () => {
  const rng = new Rng(2);
  const n = 1003; // SIMD body + scalar tail
  const x = Float32Array.from({ length: n }, () => rng.uniform(-4, 4));
  const y = Float32Array.from({ length: n }, () => rng.uniform(-4, 4));
  x[5] = y[5];
  x[6] = NaN;
  x[7] = Infinity; // d = 0, NaN, inf
  const go = Float32Array.from({ length: n }, () => rng.uniform(-2, 2));
  for (const beta of [0, 1 / 9, 1, 3]) {
    const b32 = Math.fround(beta);
    const l = smoothL1Forward(x, y, { beta });
    const g = smoothL1Backward(x, y, go, { beta });
    for (let i = 0; i < n; i++) {
      const d = Math.fround(x[i] - y[i]);
      expectClose([l[i]], [smoothL1Ref(d, b32)], { rtol: 4 * EPS32 }, `beta ${beta} loss ${i}`);
      expectClose([g[i]], [smoothL1GradRef(d, b32) * go[i]], { rtol: 4 * EPS32 }, `beta ${beta} grad ${i}`);
    }
    assert.is(g[5], 0, 'gradient at d = 0 is 0 (no 0/0 for beta = 0)');
  }
});

test('finite differences: float64 reference (1e-8) and float32 op (1e-3), away from the kinks', () => {
  // Reference: proves smoothL1GradRef is the derivative of smoothL1Ref. Kernel: proves its backward
  // is the derivative of its own forward to float32 accuracy (sum reduction, so one scalar L).
  const rng = new Rng(4);
  for (const beta of [1, 1 / 9, 0]) {
    const d = Array.from({ length: 50 }, () => rng.uniform(-3, 3)).filter((v) => Math.abs(Math.abs(v) - beta) > 0.05 && Math.abs(v) > 0.05);
    for (const v of d) {
      const h = 1e-6;
      const fd = (smoothL1Ref(v + h, beta) - smoothL1Ref(v - h, beta)) / (2 * h);
      assert.ok(Math.abs(fd - smoothL1GradRef(v, beta)) < 1e-8, `ref beta ${beta} d ${v}`);
    }
    const x = Float32Array.from(d),
      y = new Float32Array(d.length);
    const g = smoothL1Backward(x, y, 1, { beta, reduction: 'sum' });
    for (let i = 0; i < d.length; i++) {
      const xp = x.slice(),
        xm = x.slice();
      xp[i] += 1e-2;
      xm[i] -= 1e-2;
      const fd =
        (smoothL1Forward(xp, y, { beta, reduction: 'sum' }) - smoothL1Forward(xm, y, { beta, reduction: 'sum' })) / (xp[i] - xm[i]);
      assert.ok(Math.abs(fd - g[i]) < 1e-3, `kernel beta ${beta} i ${i}: fd ${fd} vs ${g[i]}`);
    }
  }
});

test('errors', () => {
  const a = new Float32Array(3);
  assert.throws(() => smoothL1Forward(a, new Float32Array(2)), /smoothL1: input \[3\] and target \[2\] differ in shape/);
  assert.throws(() => smoothL1Forward(a, a, { beta: -1 }), /smoothL1: beta must be finite and >= 0, got -1/);
  assert.throws(() => smoothL1Forward(a, a, { beta: NaN }), /beta/);
  assert.throws(() => fr.smoothL1(fr.zeros([3]), fr.zeros([3]), { reduction: 'avg' as 'mean' }), /smoothL1: unknown reduction 'avg'/);
});

test.run();
