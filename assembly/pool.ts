// 2-D max pooling, NCHW float32, with argmax switches for the backward pass.
//
// argmax[n,c,oh,ow] is the flat index h*W + w, inside the input plane, of the window's maximum: the
// first one in row-major window order wins ties, padding never wins, and a NaN wins over numbers
// (the first NaN), so NaNs propagate as in Caffe/torch. A window with no input element (possible
// only with padding ≥ kernel) gives y = 0 and argmax = -1, and routes no gradient.

// Lanes where v replaces best: v > best, or v is NaN while best is not. With best not NaN that is
// !(v <= best); with best NaN nothing replaces it.
@inline function takes(v: v128, best: v128): v128 {
  return v128.andnot(f32x4.eq(best, best), f32x4.le(v, best));
}

// One output by scalar code: branch-free compare (random data makes the branch a coin flip).
@inline function poolOne(xp: usize, W: i32, hs: i32, he: i32, ws: i32, we: i32, y: usize, argmax: usize): void {
  let best: f32 = 0;
  let at: i32 = -1;
  if (hs < he && ws < we) {
    at = hs * W + ws;
    best = load<f32>(xp + (<usize>at << 2));
    for (let h = hs; h < he; h++) {
      const row = h * W;
      for (let w = ws; w < we; w++) {
        const v = load<f32>(xp + (<usize>(row + w) << 2));
        // v > best, or v is the first NaN (best is not NaN yet)
        const take = <i32>(v > best) | (<i32>(v != v) & <i32>(best == best));
        best = select<f32>(v, best, take);
        at = select<i32>(row + w, at, take);
      }
    }
  }
  store<f32>(y, best);
  store<i32>(argmax, at);
}

/** y[N,C,OH,OW] = max over each window of x[N,C,H,W]; argmax (i32) as above. */
export function maxPool2dForward(x: usize, N: i32, C: i32, H: i32, W: i32, KH: i32, KW: i32,
                                 strideH: i32, strideW: i32, padH: i32, padW: i32, OH: i32, OW: i32,
                                 y: usize, argmax: usize): void {
  const planes = N * C;
  // Four neighbouring outputs at once when strideW is 1 or 2 and their windows lie inside the row:
  // columns [owLo, owHi) have w0 = ow*strideW - padW >= 0 and w0 + KW <= W.
  const simd = strideW == 1 || strideW == 2;
  const pair = KW == 2 && strideW == 2;
  const owLo = min((padW + strideW - 1) / strideW, OW);
  const owHi = W + padW - KW < 0 ? 0 : min((W + padW - KW) / strideW + 1, OW);
  // lane q of a group reads w = w0 + q*strideW + kw
  const laneStep = strideW == 2 ? i32x4(0, 2, 4, 6) : i32x4(0, 1, 2, 3);
  for (let p = 0; p < planes; p++) {
    const xp = x + (<usize>(p * H * W) << 2);
    let o = <usize>(p * OH * OW) << 2;
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * strideH - padH;
      const hs = max(h0, 0), he = min(h0 + KH, H);
      let ow = 0;
      if (simd && hs < he) {
        for (; ow < owLo; ow++, o += 4) {
          const w0 = ow * strideW - padW;
          poolOne(xp, W, hs, he, max(w0, 0), min(w0 + KW, W), y + o, argmax + o);
        }
        for (; ow + 4 <= owHi; ow += 4, o += 16) {
          const w0 = ow * strideW - padW;
          let best: v128, at: v128;
          if (pair) {
            // 2-wide windows at stride 2 (the usual 2×2/2 pool): one pair of loads per row gives
            // both columns of all four windows
            at = i32x4.add(i32x4.splat(hs * W + w0), laneStep);
            let row = xp + (<usize>(hs * W + w0) << 2);
            let a0 = v128.load(row), a1 = v128.load(row, 16);
            best = i32x4.shuffle(a0, a1, 0, 2, 4, 6);
            let v = i32x4.shuffle(a0, a1, 1, 3, 5, 7);
            let idx = i32x4.add(at, i32x4.splat(1));
            let take = takes(v, best);
            best = v128.bitselect(v, best, take);
            at = v128.bitselect(idx, at, take);
            for (let h = hs + 1; h < he; h++) {
              row += <usize>W << 2;
              a0 = v128.load(row); a1 = v128.load(row, 16);
              idx = i32x4.add(i32x4.splat(h * W + w0), laneStep);
              v = i32x4.shuffle(a0, a1, 0, 2, 4, 6);
              take = takes(v, best);
              best = v128.bitselect(v, best, take);
              at = v128.bitselect(idx, at, take);
              v = i32x4.shuffle(a0, a1, 1, 3, 5, 7);
              idx = i32x4.add(idx, i32x4.splat(1));
              take = takes(v, best);
              best = v128.bitselect(v, best, take);
              at = v128.bitselect(idx, at, take);
            }
          } else {
            best = f32x4.splat(0); at = i32x4.splat(0);
            for (let h = hs; h < he; h++) {
              const row = xp + (<usize>(h * W + w0) << 2);
              for (let kw = 0; kw < KW; kw++) {
                const src = row + (<usize>kw << 2);
                let v: v128;
                if (strideW == 1) v = v128.load(src);
                else v = i32x4.shuffle(v128.load(src), v128.load(src, 12), 0, 2, 5, 7);
                const idx = i32x4.add(i32x4.splat(h * W + w0 + kw), laneStep);
                if (h == hs && kw == 0) { best = v; at = idx; continue; }
                const take = takes(v, best);
                best = v128.bitselect(v, best, take);
                at = v128.bitselect(idx, at, take);
              }
            }
          }
          v128.store(y + o, best);
          v128.store(argmax + o, at);
        }
      }
      for (; ow < OW; ow++, o += 4) {
        const w0 = ow * strideW - padW;
        poolOne(xp, W, hs, he, max(w0, 0), min(w0 + KW, W), y + o, argmax + o);
      }
    }
  }
}

/** maxPool2dForward on the planes [lo, hi) of the N·C (each plane is pooled on its own), for the threads. */
export function maxPool2dForwardRange(x: usize, H: i32, W: i32, KH: i32, KW: i32, strideH: i32, strideW: i32,
                                      padH: i32, padW: i32, OH: i32, OW: i32, y: usize, argmax: usize, lo: i32, hi: i32): void {
  const o = <usize>lo * <usize>(OH * OW) << 2;
  maxPool2dForward(x + (<usize>lo * <usize>(H * W) << 2), 1, hi - lo, H, W, KH, KW, strideH, strideW, padH, padW, OH, OW,
    y + o, argmax + o);
}

/** maxPool2dBackward on the planes [lo, hi) of the N·C, for the threads. */
export function maxPool2dBackwardRange(dy: usize, argmax: usize, H: i32, W: i32, OH: i32, OW: i32, dx: usize,
                                       lo: i32, hi: i32): void {
  const o = <usize>lo * <usize>(OH * OW) << 2;
  maxPool2dBackward(dy + o, argmax + o, 1, hi - lo, H, W, OH, OW, dx + (<usize>lo * <usize>(H * W) << 2));
}

/** dx[N,C,H,W] = 0, then each dy[n,c,oh,ow] added at its argmax (overlapping windows add up). */
export function maxPool2dBackward(dy: usize, argmax: usize, N: i32, C: i32, H: i32, W: i32, OH: i32, OW: i32,
                                  dx: usize): void {
  const planes = N * C, HW = H * W, P = OH * OW;
  memory.fill(dx, 0, <usize>(planes * HW) << 2);
  for (let p = 0; p < planes; p++) {
    const dxp = dx + (<usize>(p * HW) << 2);
    const base = <usize>(p * P) << 2;
    for (let i = 0; i < P; i++) {
      const o = base + (<usize>i << 2);
      const at = load<i32>(argmax + o);
      if (at >= 0) {
        const d = dxp + (<usize>at << 2);
        store<f32>(d, load<f32>(d) + load<f32>(dy + o));
      }
    }
  }
}
