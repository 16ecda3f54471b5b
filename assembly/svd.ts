// Truncated SVD in float64 for compressing fully connected layers (Fast R-CNN sec. 3.1:
// W ≈ U_t Σ_t V_tᵀ). The TypeScript side (src/detection/kernels.ts, truncatedSvd) chains these steps:
//
//   1. G = A·Aᵀ on the smaller side (A = W or Wᵀ, rows contiguous)            svdRowDots (symmetric)
//   2. Householder tridiagonalization G = Q·T·Qᵀ, reflectors kept in G         svdTridiagonalize
//   3. implicit-shift QL on T: all eigenvalues; every Givens rotation recorded  svdTridiagonalQl
//   4. eigenvectors of T for the t largest eigenvalues only, by replaying the
//      rotations backwards on t unit vectors (t/n of the cost of accumulating all)  svdReplayRotations
//   5. eigenvectors of G: apply the reflectors (Q·z)                           svdBackTransform
//   6. the other side: B = Aᵀ·Y (= V·Σ or U·Σ), Σ = column norms             svdRowDots, svdNormalizeColumns
//
// Step 6 makes U·Σ·Vᵀ = Y·Yᵀ·A, the projection of A on the computed subspace, so the
// approximation error is the optimum up to the subspace's accuracy, whatever the σ's conditioning.
// All matrices are row-major f64; no kernel allocates.

@inline function fma2(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(f64x2.mul(a, b), c);
}

@inline function hsum(v: v128): f64 { return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1); }

@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 3); }

/** out [q][p] = a [p][q]ᵀ. */
export function svdTranspose(a: usize, p: i32, q: i32, out: usize): void {
  const B = 32;
  for (let i0 = 0; i0 < p; i0 += B) {
    const i1 = min(i0 + B, p);
    for (let j0 = 0; j0 < q; j0 += B) {
      const j1 = min(j0 + B, q);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) store<f64>(at(out, j * p + i), load<f64>(at(a, i * q + j)));
      }
    }
  }
}

const KC: i32 = 512; // dot-length chunk (4 KiB of each row)
const JB: i32 = 64;  // rows of b kept hot per pass (JB × KC × 8 = 256 KiB)

// One len-long dot product of rows pa and pb.
@inline function dot1(pa: usize, pb: usize, len: i32): f64 {
  let v0 = f64x2.splat(0), v1 = f64x2.splat(0);
  let k = 0;
  for (; k + 4 <= len; k += 4) {
    v0 = fma2(v128.load(at(pa, k)), v128.load(at(pb, k)), v0);
    v1 = fma2(v128.load(at(pa, k), 16), v128.load(at(pb, k), 16), v1);
  }
  let s = hsum(f64x2.add(v0, v1));
  for (; k < len; k++) s += load<f64>(at(pa, k)) * load<f64>(at(pb, k));
  return s;
}

@inline function accum(c: usize, first: bool, v: f64): void {
  store<f64>(c, first ? v : load<f64>(c) + v);
}

/**
 * c [na][nb] = a [na][len] · b [nb][len]ᵀ (row-by-row dot products). symmetric != 0 (a == b, na == nb):
 * only j >= i is computed, then mirrored. Blocked: KC-long slices, JB rows of b per pass, 4×2 tiles.
 */
export function svdRowDots(a: usize, na: i32, b: usize, nb: i32, len: i32, c: usize, symmetric: i32): void {
  for (let k0 = 0; k0 < len; k0 += KC) {
    const kl = min(KC, len - k0);
    const first = k0 == 0;
    for (let j0 = 0; j0 < nb; j0 += JB) {
      const j1 = min(j0 + JB, nb);
      const iEnd = symmetric ? min(na, j1) : na;
      let i = 0;
      for (; i + 4 <= iEnd; i += 4) {
        const a0 = at(a, i * len + k0), a1 = a0 + (<usize>len << 3), a2 = a1 + (<usize>len << 3), a3 = a2 + (<usize>len << 3);
        let j = symmetric ? max(j0, i & ~1) : j0;
        for (; j + 2 <= j1; j += 2) {
          const b0 = at(b, j * len + k0), b1 = b0 + (<usize>len << 3);
          let s00 = f64x2.splat(0), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
          let k = 0;
          for (; k + 2 <= kl; k += 2) {
            const o = <usize>k << 3;
            const x0 = v128.load(b0 + o), x1 = v128.load(b1 + o);
            const y0 = v128.load(a0 + o), y1 = v128.load(a1 + o), y2 = v128.load(a2 + o), y3 = v128.load(a3 + o);
            s00 = fma2(y0, x0, s00); s01 = fma2(y0, x1, s01);
            s10 = fma2(y1, x0, s10); s11 = fma2(y1, x1, s11);
            s20 = fma2(y2, x0, s20); s21 = fma2(y2, x1, s21);
            s30 = fma2(y3, x0, s30); s31 = fma2(y3, x1, s31);
          }
          let r00 = hsum(s00), r01 = hsum(s01), r10 = hsum(s10), r11 = hsum(s11);
          let r20 = hsum(s20), r21 = hsum(s21), r30 = hsum(s30), r31 = hsum(s31);
          if (k < kl) {
            const o = <usize>k << 3;
            const x0 = load<f64>(b0 + o), x1 = load<f64>(b1 + o);
            const y0 = load<f64>(a0 + o), y1 = load<f64>(a1 + o), y2 = load<f64>(a2 + o), y3 = load<f64>(a3 + o);
            r00 += y0 * x0; r01 += y0 * x1; r10 += y1 * x0; r11 += y1 * x1;
            r20 += y2 * x0; r21 += y2 * x1; r30 += y3 * x0; r31 += y3 * x1;
          }
          accum(at(c, i * nb + j), first, r00); accum(at(c, i * nb + j + 1), first, r01);
          accum(at(c, (i + 1) * nb + j), first, r10); accum(at(c, (i + 1) * nb + j + 1), first, r11);
          accum(at(c, (i + 2) * nb + j), first, r20); accum(at(c, (i + 2) * nb + j + 1), first, r21);
          accum(at(c, (i + 3) * nb + j), first, r30); accum(at(c, (i + 3) * nb + j + 1), first, r31);
        }
        for (; j < j1; j++) {
          for (let ii = i; ii < i + 4; ii++) {
            accum(at(c, ii * nb + j), first, dot1(at(a, ii * len + k0), at(b, j * len + k0), kl));
          }
        }
      }
      for (; i < iEnd; i++) {
        for (let j = symmetric ? max(j0, i) : j0; j < j1; j++) {
          accum(at(c, i * nb + j), first, dot1(at(a, i * len + k0), at(b, j * len + k0), kl));
        }
      }
    }
  }
  if (symmetric) {
    for (let i = 0; i < na; i++) for (let j = i + 1; j < na; j++) store<f64>(at(c, j * na + i), load<f64>(at(c, i * na + j)));
  }
}

/**
 * Householder reduction of the symmetric g [n][n] to tridiagonal form: d [n] diagonal, e [n] with
 * e[k] coupling d[k] and d[k+1] (e[n-1] = 0). Reflector k is H_k = I - tau[k]·v·vᵀ on indices
 * k+1..n-1, v stored in row k of g from column k+1 (v[0] = 1). Only the lower triangle is read
 * and updated. Each step's rank-2 update A -= v·wᵀ + w·vᵀ is fused with the next step's symmetric
 * mat-vec q = A·x (x = the next column, not yet normalized into v: A·v follows from A·x and A·e1),
 * so the trailing triangle is swept once per step. work: 5n f64.
 */
export function svdTridiagonalize(g: usize, n: i32, d: usize, e: usize, tau: usize, work: usize): void {
  const nb = <usize>n << 3;
  let x = work, q = work + nb, xn = work + 2 * nb, qn = work + 3 * nb;
  const w = work + 4 * nb;
  // Prologue: x = column 0 below the diagonal, q = A[1.., 1..]·x.
  const m0 = n - 1;
  for (let i = 0; i < m0; i++) store<f64>(at(x, i), load<f64>(at(g, (i + 1) * n)));
  memory.fill(q, 0, <usize>max(m0, 0) << 3);
  for (let i = 0; i < m0; i++) {
    const r = at(g, (i + 1) * n + 1);
    const xi = load<f64>(at(x, i));
    const vxi = f64x2.splat(xi);
    let acc = f64x2.splat(0);
    let j = 0;
    for (; j + 2 <= i; j += 2) {
      const o = <usize>j << 3;
      const rv = v128.load(r + o);
      acc = fma2(rv, v128.load(x + o), acc);
      v128.store(q + o, fma2(rv, vxi, v128.load(q + o)));
    }
    let dot = hsum(acc);
    for (; j < i; j++) {
      const rv = load<f64>(at(r, j));
      dot += rv * load<f64>(at(x, j));
      store<f64>(at(q, j), load<f64>(at(q, j)) + rv * xi);
    }
    store<f64>(at(q, i), load<f64>(at(q, i)) + dot + load<f64>(at(r, i)) * xi);
  }
  for (let k = 0; k < n - 1; k++) {
    const m = n - k - 1;
    store<f64>(at(d, k), load<f64>(at(g, k * n + k)));
    const v = at(g, k * n + k + 1);
    const alpha = load<f64>(x);
    let xnorm2: f64 = 0;
    for (let i = 1; i < m; i++) { const xi = load<f64>(at(x, i)); xnorm2 += xi * xi; }
    let update = false;
    if (xnorm2 == 0) {
      store<f64>(at(tau, k), 0);
      store<f64>(at(e, k), alpha);
      store<f64>(v, 1);
      for (let i = 1; i < m; i++) store<f64>(at(v, i), 0);
    } else {
      const norm = Math.sqrt(alpha * alpha + xnorm2);
      const beta = alpha >= 0 ? -norm : norm;
      const t = (beta - alpha) / beta;
      const scale = 1.0 / (alpha - beta);
      store<f64>(v, 1);
      for (let i = 1; i < m; i++) store<f64>(at(v, i), load<f64>(at(x, i)) * scale);
      store<f64>(at(tau, k), t);
      store<f64>(at(e, k), beta);
      // v = (x - beta·e1)·scale, so p = t·A·v = t·scale·(q - beta·A[:, first]).
      const ts = t * scale;
      let pv: f64 = 0;
      for (let i = 0; i < m; i++) {
        const p = ts * (load<f64>(at(q, i)) - beta * load<f64>(at(g, (k + 1 + i) * n + k + 1)));
        store<f64>(at(w, i), p);
        pv += p * load<f64>(at(v, i));
      }
      const half = 0.5 * t * pv;
      for (let i = 0; i < m; i++) store<f64>(at(w, i), load<f64>(at(w, i)) - half * load<f64>(at(v, i)));
      update = true;
    }
    // Sweep rows k+1..n-1 (local ii): update columns k+1..row, and accumulate the next step's
    // x (column k+1) and q = A[k+2.., k+2..]·x from the updated values.
    if (m > 1) memory.fill(qn, 0, <usize>(m - 1) << 3);
    const w0 = load<f64>(w);
    for (let ii = 0; ii < m; ii++) {
      const r = at(g, (k + 1 + ii) * n + k + 1);
      const vi = update ? load<f64>(at(v, ii)) : 0.0;
      const wi = update ? load<f64>(at(w, ii)) : 0.0;
      let r0 = load<f64>(r);
      if (update) { r0 -= vi * w0 + wi; store<f64>(r, r0); } // v[0] = 1
      if (ii == 0) continue;
      const ip = ii - 1; // local index in the next step
      store<f64>(at(xn, ip), r0);
      const xi = r0;
      const vxi = f64x2.splat(xi), nvi = f64x2.splat(-vi), nwi = f64x2.splat(-wi);
      let acc = f64x2.splat(0);
      let jj = 1;
      if (update) {
        for (; jj + 2 <= ii; jj += 2) {
          const o = <usize>jj << 3, on = <usize>(jj - 1) << 3;
          const rv = fma2(nwi, v128.load(v + o), fma2(nvi, v128.load(w + o), v128.load(r + o)));
          v128.store(r + o, rv);
          acc = fma2(rv, v128.load(xn + on), acc);
          v128.store(qn + on, fma2(rv, vxi, v128.load(qn + on)));
        }
      } else {
        for (; jj + 2 <= ii; jj += 2) {
          const o = <usize>jj << 3, on = <usize>(jj - 1) << 3;
          const rv = v128.load(r + o);
          acc = fma2(rv, v128.load(xn + on), acc);
          v128.store(qn + on, fma2(rv, vxi, v128.load(qn + on)));
        }
      }
      let dot = hsum(acc);
      for (; jj < ii; jj++) {
        let rv = load<f64>(at(r, jj));
        if (update) { rv -= vi * load<f64>(at(w, jj)) + wi * load<f64>(at(v, jj)); store<f64>(at(r, jj), rv); }
        dot += rv * load<f64>(at(xn, jj - 1));
        store<f64>(at(qn, jj - 1), load<f64>(at(qn, jj - 1)) + rv * xi);
      }
      let rd = load<f64>(at(r, ii));
      if (update) { rd -= vi * load<f64>(at(w, ii)) + wi * load<f64>(at(v, ii)); store<f64>(at(r, ii), rd); }
      store<f64>(at(qn, ip), load<f64>(at(qn, ip)) + dot + rd * xi);
    }
    let tmp = x; x = xn; xn = tmp;
    tmp = q; q = qn; qn = tmp;
  }
  store<f64>(at(d, n - 1), load<f64>(at(g, (n - 1) * n + n - 1)));
  store<f64>(at(e, n - 1), 0);
  store<f64>(at(tau, n - 1), 0);
}

/**
 * Eigenvalues of the symmetric tridiagonal (d, e) by implicit-shift QL; d is overwritten with them
 * (unsorted), e destroyed. If rot != 0 every Givens rotation (i, c, s), acting on eigenvector
 * columns i and i+1, is appended to rot as 3 f64. Returns the number of rotations, or -1 if an
 * eigenvalue failed to converge in 60 iterations. Running it twice on the same input gives the
 * same rotations, so the caller can count first and record second.
 */
export function svdTridiagonalQl(d: usize, e: usize, n: i32, rot: usize): i32 {
  let count = 0;
  // An off-diagonal below eps·‖T‖ also splits the matrix (changing the eigenvalues by at most that):
  // the relative test alone never passes between eigenvalues that are roundoff-sized zeros, as a
  // rank-deficient W (an fc layer compressed before) has many of.
  let norm: f64 = 0;
  for (let i = 0; i < n; i++) norm = max(norm, Math.abs(load<f64>(at(d, i))) + Math.abs(load<f64>(at(e, i))));
  const floor = norm * 2.220446049250313e-16;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    while (true) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(load<f64>(at(d, m))) + Math.abs(load<f64>(at(d, m + 1)));
        const em = Math.abs(load<f64>(at(e, m)));
        if (em + dd == dd || em <= floor) break;
      }
      if (m == l) break;
      if (iter++ == 60) return -1;
      const dl = load<f64>(at(d, l)), el = load<f64>(at(e, l));
      let g = (load<f64>(at(d, l + 1)) - dl) / (2.0 * el);
      let r = Math.hypot(g, 1.0);
      g = load<f64>(at(d, m)) - dl + el / (g + (g >= 0 ? r : -r));
      let s: f64 = 1, c: f64 = 1, p: f64 = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const ei = load<f64>(at(e, i));
        const f = s * ei, b = c * ei;
        r = Math.hypot(f, g);
        store<f64>(at(e, i + 1), r);
        if (r == 0) {
          store<f64>(at(d, i + 1), load<f64>(at(d, i + 1)) - p);
          store<f64>(at(e, m), 0);
          underflow = true;
          break;
        }
        s = f / r; c = g / r;
        g = load<f64>(at(d, i + 1)) - p;
        r = (load<f64>(at(d, i)) - g) * s + 2.0 * c * b;
        p = s * r;
        store<f64>(at(d, i + 1), g + p);
        g = c * r - b;
        if (rot) {
          const q = rot + (<usize>count * 24);
          store<f64>(q, <f64>i); store<f64>(q, c, 8); store<f64>(q, s, 16);
        }
        count++;
      }
      if (underflow) continue;
      store<f64>(at(d, l), load<f64>(at(d, l)) - p);
      store<f64>(at(e, l), g);
      store<f64>(at(e, m), 0);
    }
  }
  return count;
}

/**
 * y [n][t] = the eigenvectors of T at positions sel [t] (i32), built from the recorded rotations:
 * column j = G_1·G_2·…·G_count·e_sel[j], applied right to left on rows i, i+1.
 */
export function svdReplayRotations(rot: usize, count: i32, n: i32, t: i32, sel: usize, y: usize): void {
  memory.fill(y, 0, <usize>n * <usize>t << 3);
  for (let j = 0; j < t; j++) store<f64>(at(y, load<i32>(sel + (<usize>j << 2)) * t + j), 1);
  const rowBytes = <usize>t << 3;
  for (let q = count - 1; q >= 0; q--) {
    const rq = rot + (<usize>q * 24);
    const i = <i32>load<f64>(rq), c = load<f64>(rq, 8), s = load<f64>(rq, 16);
    const r0 = y + <usize>i * rowBytes, r1 = r0 + rowBytes;
    const vc = f64x2.splat(c), vs = f64x2.splat(s), vns = f64x2.splat(-s);
    let j = 0;
    for (; j + 2 <= t; j += 2) {
      const o = <usize>j << 3;
      const a = v128.load(r0 + o), b = v128.load(r1 + o);
      v128.store(r0 + o, fma2(vs, b, f64x2.mul(vc, a)));
      v128.store(r1 + o, fma2(vns, a, f64x2.mul(vc, b)));
    }
    for (; j < t; j++) {
      const o = <usize>j << 3;
      const a = load<f64>(r0 + o), b = load<f64>(r1 + o);
      store<f64>(r0 + o, c * a + s * b);
      store<f64>(r1 + o, c * b - s * a);
    }
  }
}

/** y [n][t] ← Q·y with Q = H_0·H_1·…·H_{n-2} from svdTridiagonalize (g, tau). work: t f64. */
export function svdBackTransform(g: usize, tau: usize, n: i32, t: i32, y: usize, work: usize): void {
  const rowBytes = <usize>t << 3;
  for (let k = n - 2; k >= 0; k--) {
    const tk = load<f64>(at(tau, k));
    if (tk == 0) continue;
    const v = at(g, k * n + k + 1);
    const m = n - k - 1;
    const y0 = y + <usize>(k + 1) * rowBytes;
    // z = vᵀ·Y_sub, then Y_sub -= tau·v·z
    memory.fill(work, 0, rowBytes);
    for (let i = 0; i < m; i++) {
      const vi = f64x2.splat(load<f64>(at(v, i)));
      const ri = y0 + <usize>i * rowBytes;
      let j = 0;
      for (; j + 2 <= t; j += 2) { const o = <usize>j << 3; v128.store(work + o, fma2(vi, v128.load(ri + o), v128.load(work + o))); }
      for (; j < t; j++) { const o = <usize>j << 3; store<f64>(work + o, load<f64>(work + o) + load<f64>(at(v, i)) * load<f64>(ri + o)); }
    }
    for (let i = 0; i < m; i++) {
      const f = -tk * load<f64>(at(v, i));
      const vf = f64x2.splat(f);
      const ri = y0 + <usize>i * rowBytes;
      let j = 0;
      for (; j + 2 <= t; j += 2) { const o = <usize>j << 3; v128.store(ri + o, fma2(vf, v128.load(work + o), v128.load(ri + o))); }
      for (; j < t; j++) { const o = <usize>j << 3; store<f64>(ri + o, load<f64>(ri + o) + f * load<f64>(work + o)); }
    }
  }
}

/** s[j] = ‖b[:, j]‖ for b [rows][t]; columns with s > 0 are divided by it, others left zero. */
export function svdNormalizeColumns(b: usize, rows: i32, t: i32, s: usize): void {
  for (let j = 0; j < t; j++) store<f64>(at(s, j), 0);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < t; j++) { const x = load<f64>(at(b, i * t + j)); store<f64>(at(s, j), load<f64>(at(s, j)) + x * x); }
  }
  for (let j = 0; j < t; j++) store<f64>(at(s, j), Math.sqrt(load<f64>(at(s, j))));
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < t; j++) {
      const sj = load<f64>(at(s, j));
      const p = at(b, i * t + j);
      store<f64>(p, sj > 0 ? load<f64>(p) / sj : 0);
    }
  }
}
