import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { truncatedSvd } from '../../src/detection/model/wasm/svd.js';
import { fixtureCases, toF64 } from '../helpers/fixtures.js';
import { Rng } from '../../src/util/random.js';

/** ‖W - U·diag(S)·Vᵀ‖_F / ‖W‖_F, in float64 loops (the compressor's error, computed independently). */
function relFroError(W: Float64Array, u: number, v: number, U: Float64Array, S: Float64Array, V: Float64Array, t: number): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < u; i++) {
    for (let j = 0; j < v; j++) {
      let a = 0;
      for (let k = 0; k < t; k++) a += U[i * t + k] * S[k] * V[j * t + k];
      const w = W[i * v + j];
      num += (w - a) ** 2;
      den += w * w;
    }
  }
  return Math.sqrt(num / den);
}

/** max |XᵀX - I| over the columns of X [rows, t]. */
function orthoError(X: Float64Array, rows: number, t: number): number {
  let m = 0;
  for (let a = 0; a < t; a++)
    for (let b = a; b < t; b++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += X[i * t + a] * X[i * t + b];
      m = Math.max(m, Math.abs(s - (a === b ? 1 : 0)));
    }
  return m;
}

test('fixtures: singular values and the Eckart–Young error at every rank, W and Wᵀ', () => {
  const cases = fixtureCases('truncated_svd');
  assert.is(cases.length, 2);
  for (const c of cases) {
    const [u, v] = c.input.W.shape as [number, number];
    const W = toF64(c.input.W);
    const Wt = new Float64Array(u * v);
    for (let i = 0; i < u; i++) for (let j = 0; j < v; j++) Wt[j * u + i] = W[i * v + j];
    const sv = toF64(c.expected.singular_values);
    for (const [M, p, q] of [
      [W, u, v],
      [Wt, v, u],
    ] as const) {
      for (const tKey of Object.keys(c.expected.rel_fro_error)) {
        const t = Number(tKey);
        const r = truncatedSvd(M, p, q, t);
        // All singular values (float64, from the Gram eigenvalues) and the rank-t ones.
        for (let k = 0; k < sv.length; k++) {
          assert.ok(
            Math.abs(r.singularValues[k] - sv[k]) <= 1e-7 * sv[0],
            `${c.id} [${p}x${q}] sigma_${k}: ${r.singularValues[k]} vs ${sv[k]}`,
          );
        }
        for (let k = 0; k < t; k++) assert.ok(Math.abs(r.S[k] - sv[k]) <= 1e-9 * sv[0], `${c.id} S_${k}`);
        const err = relFroError(M, p, q, r.U, r.S, r.V, t);
        const opt = c.expected.rel_fro_error[tKey];
        assert.ok(Math.abs(err - opt) <= 1e-4, `${c.id} [${p}x${q}] t=${t}: error ${err} vs optimum ${opt}`);
        assert.ok(Math.abs(err - opt) <= 1e-9, `${c.id} t=${t}: in fact at the optimum to 1e-9 (${err - opt})`);
        // The eigenvector side is orthonormal to rounding; the side obtained by projection (B/σ)
        // loses orthogonality like eps·(σ_1/σ_t)², the price of the Gram method (its product
        // with Σ is still the optimal projection, checked above).
        const cond2 = (sv[0] / sv[t - 1]) ** 2;
        const oTol = 1e-12 + 1e-14 * cond2;
        assert.ok(orthoError(r.U, p, t) < oTol && orthoError(r.V, q, t) < oTol, `${c.id} t=${t} orthonormal factors (tol ${oTol})`);
        assert.is(r.U.length, p * t);
        assert.is(r.V.length, q * t);
        if (t === 64) assert.is(p * t + t * q, c.expected.params_compressed[tKey], 'parameter count u·t + t·v');
      }
    }
  }
});

test('rank-deficient, repeated singular values, tiny shapes', () => {
  const rng = new Rng(6);
  // rank 3 matrix 20×9: error 0 from rank 3 on, the extra sigmas are 0
  const u = 20,
    v = 9,
    r = 3;
  const A = Float64Array.from({ length: u * r }, () => rng.uniform(-1, 1));
  const B = Float64Array.from({ length: r * v }, () => rng.uniform(-1, 1));
  const W = new Float64Array(u * v);
  for (let i = 0; i < u; i++) for (let j = 0; j < v; j++) for (let k = 0; k < r; k++) W[i * v + j] += A[i * r + k] * B[k * v + j];
  for (const t of [3, 5, 9]) {
    const s = truncatedSvd(W, u, v, t);
    assert.ok(relFroError(W, u, v, s.U, s.S, s.V, t) < 1e-7, `rank-3 at t=${t}`);
    for (let k = 3; k < t; k++) assert.ok(s.S[k] < 1e-6, `sigma_${k} ~ 0`);
  }
  // identity 6×6: all sigmas 1, any rank-t subspace is optimal: error sqrt((6-t)/6)
  const I = new Float64Array(36);
  for (let i = 0; i < 6; i++) I[i * 7] = 1;
  const s = truncatedSvd(I, 6, 6, 2);
  assert.ok(Math.abs(relFroError(I, 6, 6, s.U, s.S, s.V, 2) - Math.sqrt(4 / 6)) < 1e-12, 'identity');
  const one = truncatedSvd([3], 1, 1, 1);
  assert.ok(Math.abs(one.S[0] - 3) < 1e-15 && Math.abs(one.U[0] * one.S[0] * one.V[0] - 3) < 1e-15, '1×1');
  const row = truncatedSvd([3, 4], 1, 2, 1);
  assert.ok(Math.abs(row.S[0] - 5) < 1e-14, '1×2');
});

test('a compressed fc layer compressed again: rank 64 of 256, many roundoff-sized eigenvalues', () => {
  // W = L·U with float32 factors, as a fc layer compressed before holds; its Gram matrix has 192
  // eigenvalues at roundoff level, where the QL iteration once failed to converge.
  const rng = new Rng(14);
  const u = 256,
    v = 600,
    r = 64;
  const L = Float32Array.from({ length: u * r }, () => rng.uniform(-1, 1));
  const R = Float32Array.from({ length: r * v }, () => rng.uniform(-1, 1));
  const W = new Float64Array(u * v);
  for (let i = 0; i < u; i++) for (let k = 0; k < r; k++) for (let j = 0; j < v; j++) W[i * v + j] += L[i * r + k] * R[k * v + j];
  const full = truncatedSvd(W, u, v, r);
  assert.ok(relFroError(W, u, v, full.U, full.S, full.V, r) < 1e-7, 'rank 64 reproduces W');
  for (let k = r; k < u; k++) assert.ok(full.singularValues[k] < 1e-6 * full.S[0], `sigma_${k} ~ 0`);
  const t = 16,
    cut = truncatedSvd(W, u, v, t);
  // Eckart–Young: the best rank-16 error is the norm of the dropped singular values
  let total = 0,
    dropped = 0;
  for (let k = 0; k < r; k++) {
    total += full.S[k] ** 2;
    if (k >= t) dropped += full.S[k] ** 2;
  }
  assert.ok(Math.abs(relFroError(W, u, v, cut.U, cut.S, cut.V, t) - Math.sqrt(dropped / total)) < 1e-9, 'rank-16 error is optimal');
  assert.ok(orthoError(cut.U, u, t) < 1e-9 && orthoError(cut.V, v, t) < 1e-9, 'orthonormal factors');
});

test('errors', () => {
  const W = new Float64Array(12);
  assert.throws(() => truncatedSvd(W, 3, 4, 4), /truncatedSvd: rank must be an integer in \[1, min\(u, v\) = 3\], got 4 for W \[3, 4\]/);
  assert.throws(() => truncatedSvd(W, 3, 4, 0), /rank must be an integer/);
  assert.throws(() => truncatedSvd(W, 3, 5, 1), /W has 12 values but shape \[3, 5\] needs 15/);
  assert.throws(() => truncatedSvd([1, NaN, 0, 0], 2, 2, 1), /W\[1\] = NaN is not finite/);
});

test.run();
