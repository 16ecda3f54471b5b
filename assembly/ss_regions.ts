// Selective Search, step 2a: what the hierarchical grouping needs to know about the starting regions
// (paper sec. 3.1–3.2): size, bounding box, which regions touch (8-connected), a colour histogram
// (25 bins per channel) and a texture histogram (8 gradient orientations × 10 bins per channel).
// Histograms are L1-normalized over the whole descriptor. Row strides are multiples of 4 floats so
// the grouping kernel can run SIMD over them: colour 76 (75 + one zero pad), texture 240.

import { deinterleave, filterRows, filterCols } from './ss_filter';

const SS_COLOR_BINS: i32 = 25;
const SS_COLOR_STRIDE: i32 = 76;
const SS_TEXTURE_BINS: i32 = 10;
const SS_TEXTURE_STRIDE: i32 = 240;

/** sizes i32[R] (pixels) and boxes i32[R*4] (x1, y1, x2, y2, inclusive) of the labelled regions. */
export function ssRegionStats(labels: usize, w: i32, h: i32, R: i32, sizes: usize, boxes: usize): void {
  for (let r = 0; r < R; r++) {
    store<i32>(sizes + (<usize>r << 2), 0);
    const b = boxes + (<usize>r << 4);
    store<i32>(b, w); store<i32>(b, h, 4); store<i32>(b, -1, 8); store<i32>(b, -1, 12);
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const l = load<i32>(labels + (<usize>(y * w + x) << 2));
      const s = sizes + (<usize>l << 2);
      store<i32>(s, load<i32>(s) + 1);
      const b = boxes + (<usize>l << 4);
      if (x < load<i32>(b)) store<i32>(b, x);
      if (y < load<i32>(b, 4)) store<i32>(b, y, 4);
      if (x > load<i32>(b, 8)) store<i32>(b, x, 8);
      if (y > load<i32>(b, 12)) store<i32>(b, y, 12);
    }
  }
}

/**
 * The distinct pairs of 8-connected neighbouring regions: writes (lo[e], hi[e]) with lo < hi, sorted
 * by lo then by first occurrence, and returns their count E. lo, hi, bucket: i32[4*w*h] (lo and hi are
 * scratch first, then the output); counts: i32[R+1]; stamp: i32[R].
 */
export function ssAdjacency(labels: usize, w: i32, h: i32, R: i32, lo: usize, hi: usize, bucket: usize,
  counts: usize, stamp: usize): i32 {
  let m = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const a = load<i32>(labels + (<usize>p << 2));
      for (let dir = 0; dir < 4; dir++) {
        let q = -1;
        if (dir == 0) { if (x < w - 1) q = p + 1; }
        else if (dir == 1) { if (y < h - 1) q = p + w; }
        else if (dir == 2) { if (x < w - 1 && y < h - 1) q = p + w + 1; }
        else if (x < w - 1 && y > 0) q = p - w + 1;
        if (q < 0) continue;
        const b = load<i32>(labels + (<usize>q << 2));
        if (a == b) continue;
        store<i32>(lo + (<usize>m << 2), a < b ? a : b);
        store<i32>(hi + (<usize>m << 2), a < b ? b : a);
        m++;
      }
    }
  }
  // counting sort of the his by lo into bucket (stable)
  memory.fill(counts, 0, <usize>(R + 1) << 2);
  for (let i = 0; i < m; i++) {
    const c = counts + (<usize>(load<i32>(lo + (<usize>i << 2)) + 1) << 2);
    store<i32>(c, load<i32>(c) + 1);
  }
  for (let r = 0; r < R; r++) {
    const c = counts + (<usize>(r + 1) << 2);
    store<i32>(c, load<i32>(c) + load<i32>(c - 4));
  }
  for (let r = 0; r < R; r++) store<i32>(stamp + (<usize>r << 2), load<i32>(counts + (<usize>r << 2)));
  for (let i = 0; i < m; i++) {
    const c = stamp + (<usize>load<i32>(lo + (<usize>i << 2)) << 2);
    const pos = load<i32>(c);
    store<i32>(c, pos + 1);
    store<i32>(bucket + (<usize>pos << 2), load<i32>(hi + (<usize>i << 2)));
  }
  // keep the first occurrence of each hi within a lo's bucket
  for (let r = 0; r < R; r++) store<i32>(stamp + (<usize>r << 2), -1);
  let e = 0;
  for (let r = 0; r < R; r++) {
    const end = load<i32>(counts + (<usize>(r + 1) << 2));
    for (let j = load<i32>(counts + (<usize>r << 2)); j < end; j++) {
      const b = load<i32>(bucket + (<usize>j << 2));
      const s = stamp + (<usize>b << 2);
      if (load<i32>(s) == r) continue;
      store<i32>(s, r);
      store<i32>(lo + (<usize>e << 2), r);
      store<i32>(hi + (<usize>e << 2), b);
      e++;
    }
  }
  return e;
}

/** Colour histograms hist f32[R*76] of an interleaved u8 image: 25 bins per channel over [0,256). */
export function ssColorHist(img: usize, labels: usize, n: i32, R: i32, sizes: usize, hist: usize): void {
  memory.fill(hist, 0, <usize>(R * SS_COLOR_STRIDE) << 2);
  for (let i = 0; i < n; i++) {
    const row = hist + (<usize>(load<i32>(labels + (<usize>i << 2)) * SS_COLOR_STRIDE) << 2);
    for (let c = 0; c < 3; c++) {
      const v = <i32>load<u8>(img + <usize>(i * 3 + c));
      const bin = c * SS_COLOR_BINS + (v * SS_COLOR_BINS >> 8);
      const a = row + (<usize>bin << 2);
      store<f32>(a, load<f32>(a) + 1);
    }
  }
  for (let r = 0; r < R; r++) {
    const total = <f32>(load<i32>(sizes + (<usize>r << 2)) * 3);
    const row = hist + (<usize>(r * SS_COLOR_STRIDE) << 2);
    for (let j = 0; j < 3 * SS_COLOR_BINS; j++) {
      const a = row + (<usize>j << 2);
      store<f32>(a, load<f32>(a) / total);
    }
  }
}

/** Bytes of scratch for ssTextureBins: four f32 planes plus the filter taps. */
export function ssTextureScratchBytes(n: i32): i32 { return 4 * (n << 2) + 256; }

/**
 * Texture bins of each pixel (paper sec. 3.2: Gaussian derivatives, sigma 1, in 8 orientations per
 * channel, 10 bins). Per channel, gx and gy are Gaussian-derivative responses (taps |x| <= 4); the
 * directional derivative at 0, 45, 90, 135 degrees split into its positive and negative parts gives 8
 * non-negative responses; each is scaled by 10 / (its maximum over the image) and truncated to a bin
 * (0..9). bins: u8[n*24], index p*24 + c*8 + o with o = 2*dir + (1 for the negative part).
 */
export function ssTextureBins(img: usize, w: i32, h: i32, bins: usize, scratch: usize): void {
  const n = w * h;
  const plane = scratch, tmp = scratch + (<usize>n << 2);
  const gx = scratch + (<usize>(2 * n) << 2), gy = scratch + (<usize>(3 * n) << 2);
  const gTaps = scratch + (<usize>(4 * n) << 2), dTaps = gTaps + 32;
  const len = 5;
  let gs: f32 = 0, ds: f32 = 0;
  for (let i = 0; i < len; i++) {
    const e = Mathf.exp(<f32>-0.5 * <f32>(i * i));
    gs += i == 0 ? e : <f32>2 * e;
    ds += <f32>2 * <f32>(i * i) * e;
  }
  for (let i = 0; i < len; i++) {
    const e = Mathf.exp(<f32>-0.5 * <f32>(i * i));
    store<f32>(gTaps + (<usize>i << 2), e / gs);
    store<f32>(dTaps + (<usize>i << 2), <f32>i * e / ds); // a unit ramp gives derivative 1
  }
  const half: f32 = <f32>0.70710678;
  for (let c = 0; c < 3; c++) {
    deinterleave(img, c, plane, n);
    filterRows(plane, tmp, w, h, dTaps, len, true);
    filterCols(tmp, gx, w, h, gTaps, len, false);
    filterRows(plane, tmp, w, h, gTaps, len, false);
    filterCols(tmp, gy, w, h, dTaps, len, true);
    // the maxima of the 8 responses (positive, negative for each of the 4 directions), 4 pixels a step
    const H = f32x4.splat(half);
    let M0 = f32x4.splat(0), M1 = M0, M2 = M0, M3 = M0, M4 = M0, M5 = M0, M6 = M0, M7 = M0;
    let p = 0;
    for (; p + 4 <= n; p += 4) {
      const A = v128.load(gx + (<usize>p << 2)), B = v128.load(gy + (<usize>p << 2));
      const D45 = f32x4.mul(f32x4.add(A, B), H), D135 = f32x4.mul(f32x4.sub(B, A), H);
      M0 = f32x4.max(M0, A); M1 = f32x4.max(M1, f32x4.neg(A));
      M2 = f32x4.max(M2, D45); M3 = f32x4.max(M3, f32x4.neg(D45));
      M4 = f32x4.max(M4, B); M5 = f32x4.max(M5, f32x4.neg(B));
      M6 = f32x4.max(M6, D135); M7 = f32x4.max(M7, f32x4.neg(D135));
    }
    let m0 = hmax(M0), m1 = hmax(M1), m2 = hmax(M2), m3 = hmax(M3), m4 = hmax(M4), m5 = hmax(M5), m6 = hmax(M6), m7 = hmax(M7);
    for (; p < n; p++) {
      const a = load<f32>(gx + (<usize>p << 2)), b = load<f32>(gy + (<usize>p << 2));
      const d45 = (a + b) * half, d135 = (b - a) * half;
      m0 = Mathf.max(m0, a); m1 = Mathf.max(m1, -a);
      m2 = Mathf.max(m2, d45); m3 = Mathf.max(m3, -d45);
      m4 = Mathf.max(m4, b); m5 = Mathf.max(m5, -b);
      m6 = Mathf.max(m6, d135); m7 = Mathf.max(m7, -d135);
    }
    const s0 = scale(m0), s1 = scale(m1), s2 = scale(m2), s3 = scale(m3);
    const s4 = scale(m4), s5 = scale(m5), s6 = scale(m6), s7 = scale(m7);
    // bins, 4 pixels a step: 8 orientation vectors -> bytes -> transposed to 8 bytes per pixel
    p = 0;
    for (; p + 4 <= n; p += 4) {
      const A = v128.load(gx + (<usize>p << 2)), B = v128.load(gy + (<usize>p << 2));
      const D45 = f32x4.mul(f32x4.add(A, B), H), D135 = f32x4.mul(f32x4.sub(B, A), H);
      const X = i8x16.narrow_i16x8_u(
        i16x8.narrow_i32x4_s(quantV(A, s0), quantV(f32x4.neg(A), s1)),
        i16x8.narrow_i32x4_s(quantV(D45, s2), quantV(f32x4.neg(D45), s3)));
      const Y = i8x16.narrow_i16x8_u(
        i16x8.narrow_i32x4_s(quantV(B, s4), quantV(f32x4.neg(B), s5)),
        i16x8.narrow_i32x4_s(quantV(D135, s6), quantV(f32x4.neg(D135), s7)));
      const P01 = i8x16.shuffle(X, Y, 0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29);
      const P23 = i8x16.shuffle(X, Y, 2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15, 19, 23, 27, 31);
      const o = bins + <usize>(p * 24 + c * 8);
      v128.store64_lane(o, P01, 0);
      v128.store64_lane(o + 24, P01, 1);
      v128.store64_lane(o + 48, P23, 0);
      v128.store64_lane(o + 72, P23, 1);
    }
    for (; p < n; p++) {
      const a = load<f32>(gx + (<usize>p << 2)), b = load<f32>(gy + (<usize>p << 2));
      const d45 = (a + b) * half, d135 = (b - a) * half;
      const o = bins + <usize>(p * 24 + c * 8);
      store<u8>(o, quant(a, s0)); store<u8>(o, quant(-a, s1), 1);
      store<u8>(o, quant(d45, s2), 2); store<u8>(o, quant(-d45, s3), 3);
      store<u8>(o, quant(b, s4), 4); store<u8>(o, quant(-b, s5), 5);
      store<u8>(o, quant(d135, s6), 6); store<u8>(o, quant(-d135, s7), 7);
    }
  }
}

@inline function hmax(v: v128): f32 {
  return Mathf.max(Mathf.max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)),
    Mathf.max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

// the vector form of quant(): max(v*s, 0), truncated, at most 9
@inline function quantV(v: v128, s: f32): v128 {
  return i32x4.min_s(i32x4.trunc_sat_f32x4_s(f32x4.max(f32x4.mul(v, f32x4.splat(s)), f32x4.splat(0))), i32x4.splat(SS_TEXTURE_BINS - 1));
}

@inline function scale(mx: f32): f32 { return mx > 0 ? <f32>SS_TEXTURE_BINS / mx : 0; }

@inline function quant(v: f32, s: f32): u8 {
  if (!(v > 0)) return 0;
  const b = <i32>(v * s);
  return <u8>(b > SS_TEXTURE_BINS - 1 ? SS_TEXTURE_BINS - 1 : b);
}

/** Texture histograms hist f32[R*240] from ssTextureBins' per-pixel bins. */
export function ssTextureHist(bins: usize, labels: usize, n: i32, R: i32, sizes: usize, hist: usize): void {
  memory.fill(hist, 0, <usize>(R * SS_TEXTURE_STRIDE) << 2);
  for (let i = 0; i < n; i++) {
    const row = hist + (<usize>(load<i32>(labels + (<usize>i << 2)) * SS_TEXTURE_STRIDE) << 2);
    const src = bins + <usize>(i * 24);
    for (let j = 0; j < 24; j++) {
      const a = row + (<usize>(j * SS_TEXTURE_BINS + <i32>load<u8>(src + <usize>j)) << 2);
      store<f32>(a, load<f32>(a) + 1);
    }
  }
  for (let r = 0; r < R; r++) {
    const total = <f32>(load<i32>(sizes + (<usize>r << 2)) * 24);
    const row = hist + (<usize>(r * SS_TEXTURE_STRIDE) << 2);
    for (let j = 0; j < SS_TEXTURE_STRIDE; j++) {
      const a = row + (<usize>j << 2);
      store<f32>(a, load<f32>(a) / total);
    }
  }
}
