// Separable 1-D filters over f32 planes for the Selective Search kernels (Gaussian smoothing before
// segmentation, Gaussian-derivative texture responses). Borders clamp to the edge pixel. A symmetric
// ("even") filter computes t0*x[0] + sum_i t_i*(x[-i] + x[+i]); an antisymmetric ("odd") one computes
// sum_i t_i*(x[+i] - x[-i]). The SIMD interior and the scalar border do the same operations in the
// same order, so every pixel is rounded identically (and the plain and relaxed builds agree).

/** Copies channel c of an interleaved 3-channel u8 image into an f32 plane. */
export function deinterleave(src: usize, c: i32, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), <f32>load<u8>(src + <usize>(i * 3 + c)));
}

@inline function tap(taps: usize, i: i32): f32 { return load<f32>(taps + (<usize>i << 2)); }

/** Filters every row of src (w×h) into dst with taps[0..len-1]. */
export function filterRows(src: usize, dst: usize, w: i32, h: i32, taps: usize, len: i32, odd: bool): void {
  const r = len - 1;
  for (let y = 0; y < h; y++) {
    const s = src + (<usize>(y * w) << 2), d = dst + (<usize>(y * w) << 2);
    let x = 0;
    // scalar border (and whole rows too short for the interior)
    const lo = r < w ? r : w;
    for (; x < lo; x++) store<f32>(d + (<usize>x << 2), rowPixel(s, x, w, taps, len, odd));
    const hiEnd = w - r; // interior: x - r >= 0 and x + r <= w - 1
    for (; x + 4 <= hiEnd; x += 4) {
      const p = s + (<usize>x << 2);
      let acc = odd ? f32x4.splat(0) : f32x4.mul(f32x4.splat(tap(taps, 0)), v128.load(p));
      for (let i = 1; i < len; i++) {
        const o = <usize>i << 2;
        const l = v128.load(p - o), rr = v128.load(p + o);
        acc = f32x4.add(acc, f32x4.mul(f32x4.splat(tap(taps, i)), odd ? f32x4.sub(rr, l) : f32x4.add(l, rr)));
      }
      v128.store(d + (<usize>x << 2), acc);
    }
    for (; x < w; x++) store<f32>(d + (<usize>x << 2), rowPixel(s, x, w, taps, len, odd));
  }
}

@inline function rowPixel(s: usize, x: i32, w: i32, taps: usize, len: i32, odd: bool): f32 {
  let acc: f32 = odd ? 0 : tap(taps, 0) * load<f32>(s + (<usize>x << 2));
  for (let i = 1; i < len; i++) {
    const xl = x - i < 0 ? 0 : x - i, xr = x + i >= w ? w - 1 : x + i;
    const l = load<f32>(s + (<usize>xl << 2)), rr = load<f32>(s + (<usize>xr << 2));
    acc += tap(taps, i) * (odd ? rr - l : l + rr);
  }
  return acc;
}

/** Filters every column of src (w×h) into dst with taps[0..len-1] (rows are contiguous: SIMD over x). */
export function filterCols(src: usize, dst: usize, w: i32, h: i32, taps: usize, len: i32, odd: bool): void {
  const stride = <usize>w << 2;
  for (let y = 0; y < h; y++) {
    const d = dst + (<usize>(y * w) << 2);
    let x = 0;
    for (; x + 4 <= w; x += 4) {
      const c = src + (<usize>(y * w + x) << 2);
      let acc = odd ? f32x4.splat(0) : f32x4.mul(f32x4.splat(tap(taps, 0)), v128.load(c));
      for (let i = 1; i < len; i++) {
        const yu = y - i < 0 ? 0 : y - i, yd = y + i >= h ? h - 1 : y + i;
        const u = v128.load(src + <usize>yu * stride + (<usize>x << 2));
        const dn = v128.load(src + <usize>yd * stride + (<usize>x << 2));
        acc = f32x4.add(acc, f32x4.mul(f32x4.splat(tap(taps, i)), odd ? f32x4.sub(dn, u) : f32x4.add(u, dn)));
      }
      v128.store(d + (<usize>x << 2), acc);
    }
    for (; x < w; x++) {
      let acc: f32 = odd ? 0 : tap(taps, 0) * load<f32>(src + (<usize>(y * w + x) << 2));
      for (let i = 1; i < len; i++) {
        const yu = y - i < 0 ? 0 : y - i, yd = y + i >= h ? h - 1 : y + i;
        const u = load<f32>(src + <usize>yu * stride + (<usize>x << 2));
        const dn = load<f32>(src + <usize>yd * stride + (<usize>x << 2));
        acc += tap(taps, i) * (odd ? dn - u : u + dn);
      }
      store<f32>(d + (<usize>x << 2), acc);
    }
  }
}
