// Elementwise, reduction and data-movement kernels for the CPU backend. Shapes with broadcasting are
// described by the caller as up to 6 dims of (outShape, aStrides, bStrides) with stride 0 where an
// input is broadcast, so one strided loop serves every case; the innermost dim takes a SIMD fast path
// when both inputs are contiguous there.

// unary opcodes
const U_NEG: i32 = 0, U_EXP: i32 = 1, U_LOG: i32 = 2, U_SQRT: i32 = 3, U_RELU: i32 = 4, U_STEP: i32 = 5,
  U_ABS: i32 = 6, U_AFFINE: i32 = 7, U_POW: i32 = 8, U_SIGN: i32 = 9, U_SQUARE: i32 = 10, U_RECIP: i32 = 11;
// binary opcodes
const B_ADD: i32 = 0, B_SUB: i32 = 1, B_MUL: i32 = 2, B_DIV: i32 = 3, B_MAX: i32 = 4, B_MIN: i32 = 5,
  B_GT: i32 = 6, B_GE: i32 = 7, B_EQ: i32 = 8, B_LT: i32 = 9;

@inline function unaryScalar(op: i32, x: f32, p: f32, q: f32): f32 {
  switch (op) {
    case U_NEG: return -x;
    case U_EXP: return Mathf.exp(x);
    case U_LOG: return Mathf.log(x);
    case U_SQRT: return Mathf.sqrt(x);
    case U_RELU: return x > 0 ? x : 0;
    case U_STEP: return x > 0 ? 1 : 0;
    case U_ABS: return Mathf.abs(x);
    case U_AFFINE: return x * p + q;
    case U_POW: return Mathf.pow(x, p);
    case U_SIGN: return x > 0 ? 1 : (x < 0 ? -1 : 0);
    case U_SQUARE: return x * x;
    case U_RECIP: return 1 / x;
  }
  return x;
}

export function ewUnary(op: i32, x: usize, y: usize, n: i32, p: f32, q: f32): void {
  let i = 0;
  // SIMD paths for the hot ones
  if (op == U_RELU || op == U_AFFINE || op == U_NEG || op == U_SQRT || op == U_STEP || op == U_ABS || op == U_SQUARE) {
    const zero = f32x4.splat(0), one = f32x4.splat(1), vp = f32x4.splat(p), vq = f32x4.splat(q);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(x + (<usize>i << 2));
      let r: v128;
      if (op == U_RELU) r = f32x4.max(v, zero);
      else if (op == U_AFFINE) r = f32x4.add(f32x4.mul(v, vp), vq);
      else if (op == U_NEG) r = f32x4.neg(v);
      else if (op == U_SQRT) r = f32x4.sqrt(v);
      else if (op == U_STEP) r = v128.and(f32x4.gt(v, zero), one);
      else if (op == U_ABS) r = f32x4.abs(v);
      else r = f32x4.mul(v, v);
      v128.store(y + (<usize>i << 2), r);
    }
  }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), unaryScalar(op, load<f32>(x + (<usize>i << 2)), p, q));
}

/**
 * ewUnary on the elements [lo, hi) of 0 .. n, for the threads: lo (and hi, unless it is n) a
 * multiple of 4, so every element takes the path (SIMD or scalar) it takes in one call.
 */
export function ewUnaryRange(op: i32, x: usize, y: usize, p: f32, q: f32, lo: i32, hi: i32): void {
  ewUnary(op, x + (<usize>lo << 2), y + (<usize>lo << 2), hi - lo, p, q);
}

@inline function binaryScalar(op: i32, a: f32, b: f32): f32 {
  switch (op) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return a / b;
    case B_MAX: return a >= b || isNaN(a) ? a : b;
    case B_MIN: return a <= b || isNaN(a) ? a : b;
    case B_GT: return a > b ? 1 : 0;
    case B_GE: return a >= b ? 1 : 0;
    case B_EQ: return a == b ? 1 : 0;
    case B_LT: return a < b ? 1 : 0;
  }
  return 0;
}

@inline function binaryVec(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case B_ADD: return f32x4.add(a, b);
    case B_SUB: return f32x4.sub(a, b);
    case B_MUL: return f32x4.mul(a, b);
    case B_DIV: return f32x4.div(a, b);
  }
  return a;
}

// Inner row: n outputs, a and b with element strides sa, sb (0 or 1 in practice).
@inline function binaryRow(op: i32, a: usize, sa: i32, b: usize, sb: i32, y: usize, n: i32): void {
  let i = 0;
  if (op <= B_DIV) {
    if (sa == 1 && sb == 1) {
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(y + o, binaryVec(op, v128.load(a + o), v128.load(b + o)));
      }
    } else if (sa == 1 && sb == 0) {
      const vb = v128.load32_splat(b);
      for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(y + o, binaryVec(op, v128.load(a + o), vb)); }
    } else if (sa == 0 && sb == 1) {
      const va = v128.load32_splat(a);
      for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(y + o, binaryVec(op, va, v128.load(b + o))); }
    }
  }
  for (; i < n; i++) {
    store<f32>(y + (<usize>i << 2), binaryScalar(op, load<f32>(a + (<usize>(i * sa) << 2)), load<f32>(b + (<usize>(i * sb) << 2))));
  }
}

// dims: i32[rank] output shape; sA, sB: i32[rank] element strides (0 where broadcast). rank <= 6.
// idx: i32[6] scratch for the outer counters (the caller's, not static memory: threads share this
// module's memory, and instances started later would rewrite static data).
export function ewBinary(op: i32, a: usize, b: usize, y: usize, rank: i32, dims: usize, sA: usize, sB: usize, idx: usize): void {
  if (rank == 0) { store<f32>(y, binaryScalar(op, load<f32>(a), load<f32>(b))); return; }
  const last = rank - 1;
  const n = load<i32>(dims + (<usize>last << 2));
  const ia = load<i32>(sA + (<usize>last << 2)), ib = load<i32>(sB + (<usize>last << 2));
  let outer = 1;
  for (let d = 0; d < last; d++) outer *= load<i32>(dims + (<usize>d << 2));
  // counters over the outer dims
  for (let d = 0; d < 6; d++) store<i32>(idx + (<usize>d << 2), 0);
  let offA = 0, offB = 0;
  for (let r = 0; r < outer; r++) {
    binaryRow(op, a + (<usize>offA << 2), ia, b + (<usize>offB << 2), ib, y + (<usize>(r * n) << 2), n);
    // increment the multi-index of the outer dims, updating offsets
    for (let d = last - 1; d >= 0; d--) {
      const p = idx + (<usize>d << 2);
      const v = load<i32>(p) + 1;
      const sa = load<i32>(sA + (<usize>d << 2)), sb = load<i32>(sB + (<usize>d << 2));
      if (v < load<i32>(dims + (<usize>d << 2))) { store<i32>(p, v); offA += sa; offB += sb; break; }
      store<i32>(p, 0); offA -= sa * (v - 1); offB -= sb * (v - 1);
    }
  }
}

/**
 * ewBinary on the output elements [lo, hi) of the whole (flat, row-major) output, for the threads;
 * no static counters, so threads may run it at once. The caller keeps every element on the path
 * (SIMD or scalar) it takes in one ewBinary call: lo and hi fall on row starts, or on multiples of 4
 * within rows (rows of a multiple of 4, or a single row).
 */
export function ewBinaryRange(op: i32, a: usize, b: usize, y: usize, rank: i32, dims: usize, sA: usize, sB: usize,
                              lo: i32, hi: i32): void {
  if (rank == 0) {
    if (lo < hi) store<f32>(y, binaryScalar(op, load<f32>(a), load<f32>(b)));
    return;
  }
  const last = rank - 1;
  const n = load<i32>(dims + (<usize>last << 2));
  const ia = load<i32>(sA + (<usize>last << 2)), ib = load<i32>(sB + (<usize>last << 2));
  let r = lo / n, c0 = lo - r * n, at = lo;
  while (at < hi) {
    const c1 = min(n, c0 + (hi - at));
    let rem = r, offA = 0, offB = 0;
    for (let d = last - 1; d >= 0; d--) {
      const dd = load<i32>(dims + (<usize>d << 2));
      const i = rem % dd;
      rem /= dd;
      offA += i * load<i32>(sA + (<usize>d << 2));
      offB += i * load<i32>(sB + (<usize>d << 2));
    }
    binaryRow(op, a + (<usize>(offA + c0 * ia) << 2), ia, b + (<usize>(offB + c0 * ib) << 2), ib, y + (<usize>(r * n + c0) << 2), c1 - c0);
    at += c1 - c0;
    r++;
    c0 = 0;
  }
}

// Strided gather into a contiguous output: y[i0..] = x[sum i_d * sX_d]. Serves transpose, broadcastTo,
// and slice (with a base offset). dims/sX: i32[rank], rank <= 6; idx: i32[6] scratch (as ewBinary's).
// bytes: 4 (f32/i32 alike).
export function ewStridedCopy(x: usize, y: usize, rank: i32, dims: usize, sX: usize, idx: usize): void {
  if (rank == 0) { store<i32>(y, load<i32>(x)); return; }
  const last = rank - 1;
  const n = load<i32>(dims + (<usize>last << 2));
  const ix = load<i32>(sX + (<usize>last << 2));
  let outer = 1;
  for (let d = 0; d < last; d++) outer *= load<i32>(dims + (<usize>d << 2));
  for (let d = 0; d < 6; d++) store<i32>(idx + (<usize>d << 2), 0);
  let off = 0;
  for (let r = 0; r < outer; r++) {
    const dst = y + (<usize>(r * n) << 2);
    const src = x + (<usize>off << 2);
    if (ix == 1) memory.copy(dst, src, <usize>n << 2);
    else if (ix == 0) { const v = load<i32>(src); for (let i = 0; i < n; i++) store<i32>(dst + (<usize>i << 2), v); }
    else for (let i = 0; i < n; i++) store<i32>(dst + (<usize>i << 2), load<i32>(src + (<usize>(i * ix) << 2)));
    for (let d = last - 1; d >= 0; d--) {
      const p = idx + (<usize>d << 2);
      const v = load<i32>(p) + 1;
      const s = load<i32>(sX + (<usize>d << 2));
      if (v < load<i32>(dims + (<usize>d << 2))) { store<i32>(p, v); off += s; break; }
      store<i32>(p, 0); off -= s * (v - 1);
    }
  }
}

// Reductions over the middle axis of a [outer, r, inner] view. op: 0 sum, 1 max, 2 min.
export function ewReduce(op: i32, x: usize, y: usize, outer: i32, r: i32, inner: i32): void {
  ewReduceRange(op, x, y, r, inner, 0, outer);
}

/** ewReduce on the outer indices [lo, hi), for the threads (each output summed by one thread, in order). */
export function ewReduceRange(op: i32, x: usize, y: usize, r: i32, inner: i32, lo: i32, hi: i32): void {
  for (let o = lo; o < hi; o++) {
    const base = x + (<usize>(o * r * inner) << 2);
    const out = y + (<usize>(o * inner) << 2);
    if (inner == 1) {
      // contiguous reduction: SIMD accumulate
      let i = 0;
      if (op == 0) {
        let acc = f32x4.splat(0);
        for (; i + 4 <= r; i += 4) acc = f32x4.add(acc, v128.load(base + (<usize>i << 2)));
        let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
        for (; i < r; i++) s += load<f32>(base + (<usize>i << 2));
        store<f32>(out, s);
      } else {
        let m = load<f32>(base);
        for (i = 1; i < r; i++) {
          const v = load<f32>(base + (<usize>i << 2));
          if (op == 1 ? (v > m || isNaN(v)) : (v < m || isNaN(v))) m = v;
        }
        store<f32>(out, m);
      }
      continue;
    }
    memory.copy(out, base, <usize>inner << 2);
    for (let k = 1; k < r; k++) {
      const row = base + (<usize>(k * inner) << 2);
      let i = 0;
      if (op == 0) {
        for (; i + 4 <= inner; i += 4) {
          const o2 = <usize>i << 2;
          v128.store(out + o2, f32x4.add(v128.load(out + o2), v128.load(row + o2)));
        }
        for (; i < inner; i++) store<f32>(out + (<usize>i << 2), load<f32>(out + (<usize>i << 2)) + load<f32>(row + (<usize>i << 2)));
      } else {
        for (; i < inner; i++) {
          const v = load<f32>(row + (<usize>i << 2)), m = load<f32>(out + (<usize>i << 2));
          if (op == 1 ? (v > m || isNaN(v)) : (v < m || isNaN(v))) store<f32>(out + (<usize>i << 2), v);
        }
      }
    }
  }
}

// argmax over the middle axis of [outer, r, inner]; first maximum wins; i32 output [outer, inner].
export function ewArgMax(x: usize, y: usize, outer: i32, r: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = x + (<usize>(o * r * inner + i) << 2);
      let best = load<f32>(base), bi = 0;
      for (let k = 1; k < r; k++) {
        const v = load<f32>(base + (<usize>(k * inner) << 2));
        if (v > best || (isNaN(v) && !isNaN(best))) { best = v; bi = k; }
      }
      store<i32>(y + (<usize>(o * inner + i) << 2), bi);
    }
  }
}

// y[i, :] = x[idx[i], :] (row width w floats); rows outside [0, n) are rejected by the caller.
export function ewGatherRows(x: usize, idx: usize, y: usize, m: i32, w: i32): void {
  const rowBytes = <usize>w << 2;
  for (let i = 0; i < m; i++) {
    const r = load<i32>(idx + (<usize>i << 2));
    memory.copy(y + <usize>i * rowBytes, x + <usize>r * rowBytes, rowBytes);
  }
}

// y[idx[i], :] += x[i, :]; y must be zeroed (or hold the values to add onto) by the caller.
export function ewScatterAddRows(x: usize, idx: usize, y: usize, m: i32, w: i32): void {
  for (let i = 0; i < m; i++) {
    const dst = y + (<usize>(load<i32>(idx + (<usize>i << 2)) * w) << 2);
    const src = x + (<usize>(i * w) << 2);
    let j = 0;
    for (; j + 4 <= w; j += 4) { const o = <usize>j << 2; v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o))); }
    for (; j < w; j++) store<f32>(dst + (<usize>j << 2), load<f32>(dst + (<usize>j << 2)) + load<f32>(src + (<usize>j << 2)));
  }
}

// Softmax along rows of [m, n], numerically stable; log=1 gives log-softmax.
export function ewSoftmaxRows(x: usize, y: usize, m: i32, n: i32, log: i32): void {
  ewSoftmaxRowsRange(x, y, n, log, 0, m);
}

/** ewSoftmaxRows on the rows [lo, hi), for the threads. */
export function ewSoftmaxRowsRange(x: usize, y: usize, n: i32, log: i32, lo: i32, hi: i32): void {
  for (let r = lo; r < hi; r++) {
    const a = x + (<usize>(r * n) << 2), b = y + (<usize>(r * n) << 2);
    let mx = load<f32>(a);
    for (let i = 1; i < n; i++) mx = max(mx, load<f32>(a + (<usize>i << 2)));
    let s: f64 = 0;
    for (let i = 0; i < n; i++) s += Math.exp(<f64>(load<f32>(a + (<usize>i << 2)) - mx));
    if (log) {
      const ls = <f32>Math.log(s);
      for (let i = 0; i < n; i++) store<f32>(b + (<usize>i << 2), load<f32>(a + (<usize>i << 2)) - mx - ls);
    } else {
      const inv = 1 / s;
      for (let i = 0; i < n; i++) store<f32>(b + (<usize>i << 2), <f32>(Math.exp(<f64>(load<f32>(a + (<usize>i << 2)) - mx)) * inv));
    }
  }
}

// f32 <-> i32 casts (truncation toward zero, as TF.js/PyTorch).
export function ewCastF32ToI32(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<i32>(y + (<usize>i << 2), <i32>load<f32>(x + (<usize>i << 2)));
}
export function ewCastI32ToF32(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(y + (<usize>i << 2), <f32>load<i32>(x + (<usize>i << 2)));
}

// Fills n 32-bit words with a bit pattern (0 for zeros, 0x3f800000 for ones).
export function ewFill(y: usize, n: i32, bits: i32): void {
  if (bits == 0) { memory.fill(y, 0, <usize>n << 2); return; }
  for (let i = 0; i < n; i++) store<i32>(y + (<usize>i << 2), bits);
}
