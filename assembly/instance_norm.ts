// Instance normalization over each (n, c) plane of M = H·W floats:
//   y = (x − mean) · inv · gamma[c] + beta[c],   inv = 1 / sqrt(var + eps)
// and its backward. Statistics are two-pass (mean, then the centered sums) with float32 SIMD partial
// sums folded into float64 every BLOCK elements, so a large mean (+1000) costs no accuracy. The mean
// is kept as hi + lo float32 parts in the forward so x − mean is exact to float32 rounding of the result.

const BLOCK = 512; // floats summed in float32 lanes before folding into float64

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline function hsum(v: v128): f64 {
  return (<f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1)) +
    (<f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3));
}

/** Σ p[0..M) in float64 (blocked float32 SIMD partials). */
function planeSum(p: usize, M: i32): f64 {
  let s: f64 = 0;
  let i = 0;
  const M4 = M & ~3;
  while (i < M4) {
    const end = min(i + BLOCK, M4);
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
    for (; i + 8 <= end; i += 8) {
      const o = p + (<usize>i << 2);
      a0 = f32x4.add(a0, v128.load(o));
      a1 = f32x4.add(a1, v128.load(o, 16));
    }
    if (i < end) { a0 = f32x4.add(a0, v128.load(p + (<usize>i << 2))); i += 4; }
    s += hsum(f32x4.add(a0, a1));
  }
  for (; i < M; i++) s += <f64>load<f32>(p + (<usize>i << 2));
  return s;
}

/**
 * Forward. x, y: [N,C,M]; gamma, beta: [C]; mean, inv: [N,C] (saved for the backward: the float32
 * mean and 1/sqrt(var + eps) with the biased variance over M).
 */
export function instanceNormForward(x: usize, gamma: usize, beta: usize, N: i32, C: i32, M: i32, eps: f32,
                                    y: usize, mean: usize, inv: usize): void {
  instanceNormForwardRange(x, gamma, beta, N, C, M, eps, y, mean, inv, 0, N * C);
}

/** The forward on the planes [lo, hi) of 0 .. N·C (plane n·C + c), for the threads. */
export function instanceNormForwardRange(x: usize, gamma: usize, beta: usize, N: i32, C: i32, M: i32, eps: f32,
                                         y: usize, mean: usize, inv: usize, lo: i32, hi: i32): void {
  const rM: f64 = M > 0 ? 1.0 / <f64>M : 0.0;
  const M4 = M & ~3;
  {
    for (let pl = lo; pl < hi; pl++) {
      const c = pl % C;
      const xp = x + (<usize>pl * <usize>M << 2), yp = y + (<usize>pl * <usize>M << 2);
      const m64 = planeSum(xp, M) * rM;
      const mhi = <f32>m64, mlo = <f32>(m64 - <f64>mhi);
      const vhi = f32x4.splat(mhi), vlo = f32x4.splat(mlo);
      // centered sums; var = E[d²] − E[d]² removes what is left of the first pass's rounding
      let s1: f64 = 0, s2: f64 = 0;
      let i = 0;
      while (i < M4) {
        const end = min(i + BLOCK, M4);
        let a1 = f32x4.splat(0), a2 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0);
        for (; i + 8 <= end; i += 8) {
          const o = xp + (<usize>i << 2);
          const d0 = f32x4.sub(f32x4.sub(v128.load(o), vhi), vlo);
          const d1 = f32x4.sub(f32x4.sub(v128.load(o, 16), vhi), vlo);
          a1 = f32x4.add(a1, d0); a2 = madd(d0, d0, a2);
          b1 = f32x4.add(b1, d1); b2 = madd(d1, d1, b2);
        }
        if (i < end) {
          const d0 = f32x4.sub(f32x4.sub(v128.load(xp + (<usize>i << 2)), vhi), vlo);
          a1 = f32x4.add(a1, d0); a2 = madd(d0, d0, a2);
          i += 4;
        }
        s1 += hsum(f32x4.add(a1, b1)); s2 += hsum(f32x4.add(a2, b2));
      }
      for (; i < M; i++) {
        const d = <f64>((load<f32>(xp + (<usize>i << 2)) - mhi) - mlo);
        s1 += d; s2 += d * d;
      }
      // E[d] is the first pass's residual (float32 partials of large values are coarse): correct the mean
      const e1 = s1 * rM;
      const v = max(s2 * rM - e1 * e1, 0.0);
      const inv64 = 1.0 / Math.sqrt(v + <f64>eps);
      const mc = <f64>mhi + (<f64>mlo + e1);
      const chi = <f32>mc, clo = <f32>(mc - <f64>chi);
      store<f32>(mean + (<usize>pl << 2), chi);
      store<f32>(inv + (<usize>pl << 2), <f32>inv64);
      const s = <f32>(inv64 * <f64>load<f32>(gamma + (<usize>c << 2)));
      const b = load<f32>(beta + (<usize>c << 2));
      const vs = f32x4.splat(s), vb = f32x4.splat(b);
      const vchi = f32x4.splat(chi), vclo = f32x4.splat(clo);
      i = 0;
      for (; i < M4; i += 4) {
        const o = <usize>i << 2;
        v128.store(yp + o, madd(f32x4.sub(f32x4.sub(v128.load(xp + o), vchi), vclo), vs, vb));
      }
      for (; i < M; i++) {
        const o = <usize>i << 2;
        store<f32>(yp + o, ((load<f32>(xp + o) - chi) - clo) * s + b);
      }
    }
  }
}

/**
 * Backward, with xhat = (x − mean)·inv per plane:
 *   dbeta[c] = Σ_{n,m} dy,  dgamma[c] = Σ_{n,m} dy·xhat,
 *   dx = gamma[c]·inv·(dy − mean_m(dy) − xhat·mean_m(dy·xhat)).
 * dx = 0 skips the input gradient. dgamma and dbeta are written (not accumulated).
 */
export function instanceNormBackward(dy: usize, x: usize, gamma: usize, mean: usize, inv: usize,
                                     N: i32, C: i32, M: i32, dx: usize, dgamma: usize, dbeta: usize): void {
  instanceNormBackwardRange(dy, x, gamma, mean, inv, N, C, M, dx, dgamma, dbeta, 0, C);
}

/** The backward on the channels [lo, hi) (each channel's dgamma, dbeta summed over n in order), for the threads. */
export function instanceNormBackwardRange(dy: usize, x: usize, gamma: usize, mean: usize, inv: usize,
                                          N: i32, C: i32, M: i32, dx: usize, dgamma: usize, dbeta: usize, lo: i32, hi: i32): void {
  const rM: f64 = M > 0 ? 1.0 / <f64>M : 0.0;
  const M4 = M & ~3;
  for (let c = lo; c < hi; c++) {
    const g = <f64>load<f32>(gamma + (<usize>c << 2));
    let dg: f64 = 0, db: f64 = 0;
    for (let n = 0; n < N; n++) {
      const pl = n * C + c;
      const off = <usize>pl * <usize>M << 2;
      const xp = x + off, gp = dy + off;
      const m = load<f32>(mean + (<usize>pl << 2));
      const iv = <f64>load<f32>(inv + (<usize>pl << 2));
      const vm = f32x4.splat(m);
      let s1: f64 = 0, s2: f64 = 0; // Σ dy, Σ dy·(x − mean)
      let i = 0;
      while (i < M4) {
        const end = min(i + BLOCK, M4);
        let a1 = f32x4.splat(0), a2 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0);
        for (; i + 8 <= end; i += 8) {
          const o = <usize>i << 2;
          const g0 = v128.load(gp + o), g1 = v128.load(gp + o, 16);
          a1 = f32x4.add(a1, g0); a2 = madd(g0, f32x4.sub(v128.load(xp + o), vm), a2);
          b1 = f32x4.add(b1, g1); b2 = madd(g1, f32x4.sub(v128.load(xp + o, 16), vm), b2);
        }
        if (i < end) {
          const o = <usize>i << 2;
          const g0 = v128.load(gp + o);
          a1 = f32x4.add(a1, g0); a2 = madd(g0, f32x4.sub(v128.load(xp + o), vm), a2);
          i += 4;
        }
        s1 += hsum(f32x4.add(a1, b1)); s2 += hsum(f32x4.add(a2, b2));
      }
      for (; i < M; i++) {
        const o = <usize>i << 2;
        const gv = <f64>load<f32>(gp + o);
        s1 += gv; s2 += gv * <f64>(load<f32>(xp + o) - m);
      }
      db += s1;
      dg += s2 * iv;
      if (dx) {
        // dx = k·((dy − a) + q·(x − mean)) with k = gamma·inv, a = mean(dy), q = −inv²·mean(dy·(x − mean));
        // dy − a first, so a constant dy (or M = 1) cancels exactly before the scale by k
        const k = <f32>(g * iv), a = <f32>(s1 * rM), q = <f32>(-iv * iv * s2 * rM);
        const vk = f32x4.splat(k), va = f32x4.splat(a), vq = f32x4.splat(q);
        const dp = dx + off;
        i = 0;
        for (; i < M4; i += 4) {
          const o = <usize>i << 2;
          const t = madd(f32x4.sub(v128.load(xp + o), vm), vq, f32x4.sub(v128.load(gp + o), va));
          v128.store(dp + o, f32x4.mul(t, vk));
        }
        for (; i < M; i++) {
          const o = <usize>i << 2;
          store<f32>(dp + o, ((load<f32>(xp + o) - m) * q + (load<f32>(gp + o) - a)) * k);
        }
      }
    }
    store<f32>(dgamma + (<usize>c << 2), <f32>dg);
    store<f32>(dbeta + (<usize>c << 2), <f32>db);
  }
}
