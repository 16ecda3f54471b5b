// Channels-last copies of a feature map for the RoI kernels (roi_pool.ts, roi_align.ts): with all
// channels of a pixel contiguous, one bin's max or bilinear sum runs 4 channels per SIMD lane group.

// RoI max pooling and RoIAlign work on this many channels at a time (a multiple of 16).
export const POOL_CHUNK: i32 = 512;

@inline export function fmadd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline export function padChannels(c: i32): i32 { return (c + 3) & ~3; }

// 4 rows of 4 lanes at src (row stride srcStep bytes) -> 4 rows at dst (stride dstStep), transposed.
@inline function transpose4(src: usize, srcStep: usize, dst: usize, dstStep: usize): void {
  const r0 = v128.load(src), r1 = v128.load(src + srcStep), r2 = v128.load(src + 2 * srcStep), r3 = v128.load(src + 3 * srcStep);
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst + dstStep, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * dstStep, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * dstStep, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

// x [N][C][H][W] -> xt [N][H][W][Cp]; padded channels are zero.
export function toChannelsLast(x: usize, N: i32, C: i32, H: i32, W: i32, xt: usize): void {
  const HW = H * W;
  const Cp = padChannels(C);
  if (Cp != C) memory.fill(xt, 0, <usize>N * <usize>HW * <usize>Cp << 2);
  for (let n = 0; n < N; n++) {
    const src = x + (<usize>n * <usize>C * <usize>HW << 2);
    const dst = xt + (<usize>n * <usize>HW * <usize>Cp << 2);
    // Tiles of 4 channels × 4 pixels through a SIMD 4×4 transpose; edges scalar.
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      const s0 = src + (<usize>c * <usize>HW << 2);
      const s1 = s0 + (<usize>HW << 2), s2 = s1 + (<usize>HW << 2), s3 = s2 + (<usize>HW << 2);
      let p = 0;
      for (; p + 4 <= HW; p += 4) {
        const o = <usize>p << 2;
        const r0 = v128.load(s0 + o), r1 = v128.load(s1 + o), r2 = v128.load(s2 + o), r3 = v128.load(s3 + o);
        const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
        const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
        const d = dst + ((<usize>p * <usize>Cp + <usize>c) << 2);
        const step = <usize>Cp << 2;
        v128.store(d, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
        v128.store(d + step, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
        v128.store(d + 2 * step, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
        v128.store(d + 3 * step, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
      }
      for (; p < HW; p++) {
        const d = dst + ((<usize>p * <usize>Cp + <usize>c) << 2);
        const o = <usize>p << 2;
        store<f32>(d, load<f32>(s0 + o));
        store<f32>(d + 4, load<f32>(s1 + o));
        store<f32>(d + 8, load<f32>(s2 + o));
        store<f32>(d + 12, load<f32>(s3 + o));
      }
    }
    for (; c < C; c++) {
      const s = src + (<usize>c * <usize>HW << 2);
      for (let p = 0; p < HW; p++) {
        store<f32>(dst + ((<usize>p * <usize>Cp + <usize>c) << 2), load<f32>(s + (<usize>p << 2)));
      }
    }
  }
}

// xt [N][H][W][Cp] -> x [N][C][H][W] (the inverse of toChannelsLast, for gradients).
export function fromChannelsLast(xt: usize, N: i32, C: i32, H: i32, W: i32, x: usize): void {
  const HW = H * W;
  const Cp = padChannels(C);
  for (let n = 0; n < N; n++) {
    const src = xt + (<usize>n * <usize>HW * <usize>Cp << 2);
    const dst = x + (<usize>n * <usize>C * <usize>HW << 2);
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      const d0 = dst + (<usize>c * <usize>HW << 2);
      const d1 = d0 + (<usize>HW << 2), d2 = d1 + (<usize>HW << 2), d3 = d2 + (<usize>HW << 2);
      let p = 0;
      const step = <usize>Cp << 2;
      for (; p + 4 <= HW; p += 4) {
        const s = src + ((<usize>p * <usize>Cp + <usize>c) << 2);
        const r0 = v128.load(s), r1 = v128.load(s + step), r2 = v128.load(s + 2 * step), r3 = v128.load(s + 3 * step);
        const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
        const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
        const o = <usize>p << 2;
        v128.store(d0 + o, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
        v128.store(d1 + o, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
        v128.store(d2 + o, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
        v128.store(d3 + o, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
      }
      for (; p < HW; p++) {
        const s = src + ((<usize>p * <usize>Cp + <usize>c) << 2);
        const o = <usize>p << 2;
        store<f32>(d0 + o, load<f32>(s));
        store<f32>(d1 + o, load<f32>(s + 4));
        store<f32>(d2 + o, load<f32>(s + 8));
        store<f32>(d3 + o, load<f32>(s + 12));
      }
    }
    for (; c < C; c++) {
      const d = dst + (<usize>c * <usize>HW << 2);
      for (let p = 0; p < HW; p++) {
        store<f32>(d + (<usize>p << 2), load<f32>(src + ((<usize>p * <usize>Cp + <usize>c) << 2)));
      }
    }
  }
}

// dst[c][b] = src[b][c] for b < rows, c < cols (32-bit elements; row strides in bytes), in 4×4
// SIMD blocks so both sides are read and written in order.
export function transposeBlock(src: usize, rows: i32, cols: i32, srcStep: usize, dst: usize, dstStep: usize): void {
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    const d = dst + <usize>c * dstStep;
    let b = 0;
    for (; b + 4 <= rows; b += 4) transpose4(src + <usize>b * srcStep + (<usize>c << 2), srcStep, d + (<usize>b << 2), dstStep);
    for (; b < rows; b++) {
      const v = v128.load(src + <usize>b * srcStep + (<usize>c << 2));
      const o = d + (<usize>b << 2);
      store<i32>(o, i32x4.extract_lane(v, 0)); store<i32>(o + dstStep, i32x4.extract_lane(v, 1));
      store<i32>(o + 2 * dstStep, i32x4.extract_lane(v, 2)); store<i32>(o + 3 * dstStep, i32x4.extract_lane(v, 3));
    }
  }
  for (; c < cols; c++) {
    for (let b = 0; b < rows; b++) store<i32>(dst + <usize>c * dstStep + (<usize>b << 2), load<i32>(src + <usize>b * srcStep + (<usize>c << 2)));
  }
}
