// Truncated SVD (paper sec. 3.1) on typed arrays: drives assembly/svd.ts's steps (Gram matrix,
// tridiagonalization, QL, back-transform, projection) for compressing fully connected layers.
import { fail } from './checks.js';
import { run } from './scope.js';

// Truncated SVD (paper sec. 3.1)

export interface TruncatedSvd {
  /** [u, t] row-major, orthonormal columns */
  U: Float64Array;
  /** [t], descending (column norms of the projected side) */
  S: Float64Array;
  /** [v, t] row-major, orthonormal columns (for σ > 0) */
  V: Float64Array;
  /** all min(u, v) singular values, descending (from the Gram eigenvalues; the small ones are
   * accurate to about eps·σ_max²/σ) */
  singularValues: Float64Array;
}

/**
 * Rank-t truncated SVD of W [u, v] (float64): W ≈ U·diag(S)·Vᵀ, the Eckart–Young optimum.
 * Exact method: symmetric eigendecomposition of the smaller Gram matrix (Householder + implicit QL),
 * eigenvectors only for the t largest eigenvalues, the other side by projection.
 */
export function truncatedSvd(W: ArrayLike<number>, u: number, v: number, rank: number): TruncatedSvd {
  const fn = 'truncatedSvd';
  if (!Number.isInteger(u) || !Number.isInteger(v) || u < 1 || v < 1) fail(fn, `shape must be positive integers, got [${u}, ${v}]`);
  if (W.length !== u * v) fail(fn, `W has ${W.length} values but shape [${u}, ${v}] needs ${u * v}`);
  const n = Math.min(u, v);
  if (!Number.isInteger(rank) || rank < 1 || rank > n)
    fail(fn, `rank must be an integer in [1, min(u, v) = ${n}], got ${rank} for W [${u}, ${v}]`);
  for (let i = 0; i < W.length; i++) if (!Number.isFinite(W[i])) fail(fn, `W[${i}] = ${W[i]} is not finite`);
  warmUpSvd(u * v);
  const t = rank,
    big = Math.max(u, v);
  return run((s) => {
    const e = s.m.exports;
    const w = s.f64In(W),
      wt = s.alloc(u * v * 8);
    e.svdTranspose(w, u, v, wt);
    // a: the n rows of the smaller side (n × big), at: its transpose (big × n).
    const a = u <= v ? w : wt,
      at = u <= v ? wt : w;
    const g = s.alloc(n * n * 8);
    e.svdRowDots(a, n, a, n, big, g, 1);
    const d = s.alloc(n * 8),
      eo = s.alloc(n * 8),
      tau = s.alloc(n * 8),
      work = s.alloc(5 * n * 8);
    e.svdTridiagonalize(g, n, d, eo, tau, work);
    // QL twice on copies: count the rotations, then record them.
    const d0 = s.f64Out(d, n),
      e0 = s.f64Out(eo, n);
    const count: number = e.svdTridiagonalQl(d, eo, n, 0);
    if (count < 0) fail(fn, `QL iteration did not converge for W [${u}, ${v}]`);
    const rot = s.alloc(Math.max(count, 1) * 24);
    s.m.f64(d, n).set(d0);
    s.m.f64(eo, n).set(e0);
    e.svdTridiagonalQl(d, eo, n, rot);
    const lambda = s.f64Out(d, n);
    const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => lambda[j] - lambda[i] || i - j);
    const sel = s.i32In(order.slice(0, t));
    const y = s.alloc(n * t * 8);
    e.svdReplayRotations(rot, count, n, t, sel, y);
    e.svdBackTransform(g, tau, n, t, y, work);
    // Other side: B = aᵀ·Y as row dots of at's rows with Yᵀ's rows.
    const yt = s.alloc(n * t * 8);
    e.svdTranspose(y, n, t, yt);
    const b = s.alloc(big * t * 8),
      sv = s.alloc(t * 8);
    e.svdRowDots(at, big, yt, t, n, b, 0);
    e.svdNormalizeColumns(b, big, t, sv);
    let Y = s.f64Out(y, n * t),
      B = s.f64Out(b, big * t),
      S = s.f64Out(sv, t);
    // S comes from column norms; near-equal σ's may swap by rounding: restore descending order.
    const perm = Array.from({ length: t }, (_, i) => i).sort((i, j) => S[j] - S[i] || i - j);
    if (perm.some((p, i) => p !== i)) {
      Y = permuteColumns(Y, n, t, perm);
      B = permuteColumns(B, big, t, perm);
      S = Float64Array.from(perm, (p) => S[p]);
    }
    const singularValues = Float64Array.from(order, (i) => Math.sqrt(Math.max(lambda[i], 0)));
    return { U: u <= v ? Y : B, V: u <= v ? B : Y, S, singularValues };
  });
}

// V8 runs a WASM function's first calls in its baseline tier and cannot switch a running call to
// optimized code, so one big SVD as the first call is ~3× slower. A few small SVDs first (~35 ms)
// get the kernels optimized; done once per process, only before a big one.
let svdWarm = false;
function warmUpSvd(size: number): void {
  if (svdWarm || size < 1 << 18) return;
  svdWarm = true;
  const w = Float64Array.from({ length: 160 * 256 }, (_, i) => Math.sin(i * 0.7) + Math.cos(i * 0.013));
  for (let k = 0; k < 3; k++) truncatedSvd(w, 160, 256, 16);
}

function permuteColumns(M: Float64Array, rows: number, t: number, perm: number[]): Float64Array {
  const out = new Float64Array(M.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < t; j++) out[i * t + j] = M[i * t + perm[j]];
  return out;
}
