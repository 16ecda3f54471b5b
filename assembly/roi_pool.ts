// RoI max pooling (Fast R-CNN sec. 2.1, eq. 4 for the backward pass) with the Caffe/torchvision
// `roi_pool` semantics, and RoIAlign (torchvision `roi_align`) for comparison.
//
// The forward passes run on a channels-last copy of the feature map (`xt`, [N][H][W][Cp], Cp = C
// rounded up to 4, made here from the NCHW input): one bin's pixels then hold all channels
// contiguously, so the max (or the bilinear sum) runs 4 channels per SIMD lane group, and the bin
// geometry is computed once per RoI and bin instead of once per output element.
// Outputs are NCHW-like [R][C][PH][PW]; argmax is the flat index h*W+w in the channel plane, -1 for
// an empty bin or a bin whose values are all <= -FLT_MAX (no gradient flows there, as in Caffe).
//
// rois: R rows of 5 f32 (batch, x1, y1, x2, y2) in image coordinates. The TypeScript side has
// checked batch indices and coordinates; inverted RoIs are legal and follow the reference formulas.

const NEG_FLT_MAX: f32 = -3.4028234663852886e38;
// Rounded RoI coordinates are clamped here so that `end - start + 1` cannot overflow i32.
const COORD_LIMIT: i32 = 1 << 28;
// RoIAlign samples are laid out per bin in chunks of this many (offsets + weights), in `samp`.
const SAMPLE_CHUNK: i32 = 64;
const SAMPLE_BYTES: i32 = 32; // 4 × i32 byte offsets + 4 × f32 weights
// RoI max pooling works on this many channels at a time (a multiple of 16).
const POOL_CHUNK: i32 = 512;

@inline function fmadd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// Lanes of a where mask m is set, else b (m is a comparison result: all-ones or all-zeros lanes, so
// the relaxed form, one blend instruction, gives the same result as the 3-instruction bitselect).
@inline function select(a: v128, b: v128, m: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_laneselect(a, b, m);
  return v128.bitselect(a, b, m);
}

@inline function padChannels(c: i32): i32 { return (c + 3) & ~3; }

// C `roundf`: half away from zero (JavaScript's Math.round rounds -2.5 to -2; Caffe gives -3).
@inline function roundHalfAway(x: f32): i32 {
  const t = Mathf.trunc(x);
  const frac = x - t; // exact for floats
  let r = <i32>t;
  if (frac >= <f32>0.5) r += 1;
  else if (frac <= <f32>-0.5) r -= 1;
  return r < -COORD_LIMIT ? -COORD_LIMIT : (r > COORD_LIMIT ? COORD_LIMIT : r);
}

@inline function clampI(v: i32, lo: i32, hi: i32): i32 { return v < lo ? lo : (v > hi ? hi : v); }

// x [N][C][H][W] -> xt [N][H][W][Cp]; padded channels are zero.
function toChannelsLast(x: usize, N: i32, C: i32, H: i32, W: i32, xt: usize): void {
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
function fromChannelsLast(xt: usize, N: i32, C: i32, H: i32, W: i32, x: usize): void {
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
function transposeBlock(src: usize, rows: i32, cols: i32, srcStep: usize, dst: usize, dstStep: usize): void {
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

// One RoI's result, held channels-last in `bins` ([PHW][rowW] values, then [PHW][rowW] switches),
// written to out/argmax [C][PHW] (C real channels) so the output streams sequentially.
function binsToOutput(bins: usize, PHW: i32, C: i32, rowW: i32, out: usize, argmax: usize): void {
  const rowB = <usize>rowW << 2, chanB = <usize>PHW << 2;
  transposeBlock(bins, PHW, C, rowB, out, chanB);
  transposeBlock(bins + <usize>PHW * rowB, PHW, C, rowB, argmax, chanB);
}

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

/**
 * RoI max pooling forward. x [N][C][H][W] f32, rois [R][5] f32, out [R][C][PH][PW] f32,
 * argmax [R][C][PH][PW] i32, xt: scratch of N*H*W*Cp f32 (Cp = C rounded up to 4), bins: scratch
 * of roiPoolBinScratchBytes(C, PH, PW) (one RoI's values and switches for a chunk of channels).
 * spatialScale is applied in float32, coordinates rounded half away from zero, bin size
 * roi/P computed in float32, bins [floor(i*b), ceil((i+1)*b)) + start clipped to the map.
 */
export function roiPoolForward(x: usize, N: i32, C: i32, H: i32, W: i32, rois: usize, R: i32,
  spatialScale: f32, PH: i32, PW: i32, out: usize, argmax: usize, xt: usize, bins: usize): void {
  toChannelsLast(x, N, C, H, W, xt);
  const Cp = padChannels(C);
  const PHW = PH * PW;
  const chanStride = <usize>PHW << 2; // bytes between channels of one output bin
  const pixStride = <usize>Cp << 2;
  const negMax = f32x4.splat(NEG_FLT_MAX);
  const minusOne = i32x4.splat(-1);
  for (let r = 0; r < R; r++) {
    const roi = rois + (<usize>r * 20);
    const b = <i32>load<f32>(roi);
    const sw = roundHalfAway(load<f32>(roi, 4) * spatialScale);
    const sh = roundHalfAway(load<f32>(roi, 8) * spatialScale);
    const ew = roundHalfAway(load<f32>(roi, 12) * spatialScale);
    const eh = roundHalfAway(load<f32>(roi, 16) * spatialScale);
    const rw = max(ew - sw + 1, 1);
    const rh = max(eh - sh + 1, 1);
    const bh: f32 = <f32>rh / <f32>PH;
    const bw: f32 = <f32>rw / <f32>PW;
    const img = xt + (<usize>b * <usize>H * <usize>W * pixStride);
    const outR = out + (<usize>r * <usize>C * chanStride);
    const amR = argmax + (<usize>r * <usize>C * chanStride);
    // Channel chunks keep one chunk's results (2·PHW·POOL_CHUNK words) in L1/L2 next to the map.
    for (let c0 = 0; c0 < C; c0 += POOL_CHUNK) {
      const cEnd = min(c0 + POOL_CHUNK, C);
      const rowW = min(POOL_CHUNK, Cp - c0); // words per bin row in `bins`
      const rowB = <usize>rowW << 2;
      const binIdx = bins + <usize>PHW * rowB;
      for (let i = 0; i < PH; i++) {
        const hs = clampI(<i32>Mathf.floor(<f32>i * bh) + sh, 0, H);
        const he = clampI(<i32>Mathf.ceil(<f32>(i + 1) * bh) + sh, 0, H);
        for (let j = 0; j < PW; j++) {
          const ws = clampI(<i32>Mathf.floor(<f32>j * bw) + sw, 0, W);
          const we = clampI(<i32>Mathf.ceil(<f32>(j + 1) * bw) + sw, 0, W);
          const ob = bins + <usize>(i * PW + j) * rowB - (<usize>c0 << 2);
          const ab = binIdx + <usize>(i * PW + j) * rowB - (<usize>c0 << 2);
          if (he <= hs || we <= ws) {
            for (let c = c0; c < c0 + rowW; c += 4) {
              v128.store(ob + (<usize>c << 2), f32x4.splat(0));
              v128.store(ab + (<usize>c << 2), minusOne);
            }
            continue;
          }
          // 16 channels at a time: four running maxima and their switches stay in registers
          // while the bin's pixels stream by. pmax(best, v) = best < v ? v : best is exactly
          // "v > best" (the first maximum wins, NaN never wins).
          let c = c0;
          for (; c + 16 <= cEnd; c += 16) {
            let b0 = negMax, b1 = negMax, b2 = negMax, b3 = negMax;
            let i0 = minusOne, i1 = minusOne, i2 = minusOne, i3 = minusOne;
            for (let h = hs; h < he; h++) {
              let p = img + (<usize>(h * W + ws) * pixStride) + (<usize>c << 2);
              let hw = h * W + ws;
              for (let w = ws; w < we; w++) {
                const idx = i32x4.splat(hw);
                const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
                i0 = select(idx, i0, f32x4.lt(b0, v0)); b0 = f32x4.pmax(b0, v0);
                i1 = select(idx, i1, f32x4.lt(b1, v1)); b1 = f32x4.pmax(b1, v1);
                i2 = select(idx, i2, f32x4.lt(b2, v2)); b2 = f32x4.pmax(b2, v2);
                i3 = select(idx, i3, f32x4.lt(b3, v3)); b3 = f32x4.pmax(b3, v3);
                p += pixStride; hw++;
              }
            }
            const o = <usize>c << 2;
            v128.store(ob + o, b0); v128.store(ob + o, b1, 16); v128.store(ob + o, b2, 32); v128.store(ob + o, b3, 48);
            v128.store(ab + o, i0); v128.store(ab + o, i1, 16); v128.store(ab + o, i2, 32); v128.store(ab + o, i3, 48);
          }
          for (; c < cEnd; c += 4) {
            let b0 = negMax, i0 = minusOne;
            for (let h = hs; h < he; h++) {
              let p = img + (<usize>(h * W + ws) * pixStride) + (<usize>c << 2);
              let hw = h * W + ws;
              for (let w = ws; w < we; w++) {
                const v0 = v128.load(p);
                i0 = select(i32x4.splat(hw), i0, f32x4.lt(b0, v0)); b0 = f32x4.pmax(b0, v0);
                p += pixStride; hw++;
              }
            }
            v128.store(ob + (<usize>c << 2), b0);
            v128.store(ab + (<usize>c << 2), i0);
          }
        }
      }
      binsToOutput(bins, PHW, cEnd - c0, rowW, outR + <usize>c0 * chanStride, amR + <usize>c0 * chanStride);
    }
  }
}

/**
 * RoI max pooling backward (paper eq. 4): gradInput[N][C][H][W] = sum over RoIs and bins of
 * gradOutput routed to the argmax switch; bins with argmax -1 give nothing. gradInput is overwritten.
 */
export function roiPoolBackward(gradOutput: usize, argmax: usize, rois: usize, R: i32,
  N: i32, C: i32, H: i32, W: i32, PH: i32, PW: i32, gradInput: usize): void {
  const HW = H * W;
  const PHW = PH * PW;
  memory.fill(gradInput, 0, <usize>N * <usize>C * <usize>HW << 2);
  for (let r = 0; r < R; r++) {
    const b = <i32>load<f32>(rois + (<usize>r * 20));
    let g = gradOutput + (<usize>r * <usize>C * <usize>PHW << 2);
    let a = argmax + (<usize>r * <usize>C * <usize>PHW << 2);
    for (let c = 0; c < C; c++) {
      const plane = gradInput + (<usize>(b * C + c) * <usize>HW << 2);
      for (let k = 0; k < PHW; k++) {
        const s = load<i32>(a);
        if (s >= 0) {
          const q = plane + (<usize>s << 2);
          store<f32>(q, load<f32>(q) + load<f32>(g));
        }
        g += 4; a += 4;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// RoIAlign (torchvision semantics). Geometry in float64; accumulation in float32.

// Per-RoI geometry shared by the forward and backward passes, kept in module globals (no heap).
let alSh: f64 = 0, alSw: f64 = 0, alBh: f64 = 0, alBw: f64 = 0;
let alGh: i32 = 0, alGw: i32 = 0;
let alInvCount: f32 = 1;

function alignGeometry(roi: usize, scale: f64, PH: i32, PW: i32, samplingRatio: i32, aligned: i32): void {
  const off: f64 = aligned ? 0.5 : 0.0;
  alSw = <f64>load<f32>(roi, 4) * scale - off;
  alSh = <f64>load<f32>(roi, 8) * scale - off;
  let rw = <f64>load<f32>(roi, 12) * scale - off - alSw;
  let rh = <f64>load<f32>(roi, 16) * scale - off - alSh;
  if (!aligned) { rw = max(rw, 1.0); rh = max(rh, 1.0); }
  alBh = rh / <f64>PH;
  alBw = rw / <f64>PW;
  alGh = samplingRatio > 0 ? samplingRatio : <i32>Math.ceil(rh / <f64>PH);
  alGw = samplingRatio > 0 ? samplingRatio : <i32>Math.ceil(rw / <f64>PW);
  const count = max(alGh * alGw, 1);
  alInvCount = <f32>(1.0 / <f64>count);
  // torchvision loops iy < gh, ix < gw: a non-positive grid side means no samples at all.
  if (alGh <= 0 || alGw <= 0) { alGh = 0; alGw = 1; }
}

// Writes up to SAMPLE_CHUNK samples of bin (i, j), starting at flat sample `from`, into samp as
// (4 byte offsets into one channels-last image, 4 weights already divided by the count).
// Samples outside [-1, H] × [-1, W] are skipped (they add zero but were counted). Returns the
// number written; *next (global) is where the following chunk starts.
let alNext: i32 = 0;
function alignSamples(i: i32, j: i32, from: i32, H: i32, W: i32, pixStride: i32, samp: usize): i32 {
  const total = alGh * alGw;
  let k = 0;
  let s = from;
  const Hf = <f64>H, Wf = <f64>W;
  for (; s < total && k < SAMPLE_CHUNK; s++) {
    const iy = s / alGw, ix = s % alGw;
    let y = alSh + <f64>i * alBh + (<f64>iy + 0.5) * alBh / <f64>alGh;
    let x = alSw + <f64>j * alBw + (<f64>ix + 0.5) * alBw / <f64>alGw;
    if (y < -1.0 || y > Hf || x < -1.0 || x > Wf) continue;
    if (y <= 0) y = 0;
    if (x <= 0) x = 0;
    let yl = <i32>y, xl = <i32>x, yh: i32, xh: i32;
    if (yl >= H - 1) { yh = yl = H - 1; y = <f64>yl; } else yh = yl + 1;
    if (xl >= W - 1) { xh = xl = W - 1; x = <f64>xl; } else xh = xl + 1;
    const ly = y - <f64>yl, lx = x - <f64>xl;
    const hy = 1.0 - ly, hx = 1.0 - lx;
    const p = samp + <usize>(k * SAMPLE_BYTES);
    store<i32>(p, (yl * W + xl) * pixStride);
    store<i32>(p, (yl * W + xh) * pixStride, 4);
    store<i32>(p, (yh * W + xl) * pixStride, 8);
    store<i32>(p, (yh * W + xh) * pixStride, 12);
    store<f32>(p, <f32>(hy * hx) * alInvCount, 16);
    store<f32>(p, <f32>(hy * lx) * alInvCount, 20);
    store<f32>(p, <f32>(ly * hx) * alInvCount, 24);
    store<f32>(p, <f32>(ly * lx) * alInvCount, 28);
    k++;
  }
  alNext = s;
  return k;
}

/**
 * RoIAlign forward. x [N][C][H][W], rois [R][5], out [R][C][PH][PW]. samplingRatio <= 0 means
 * adaptive (ceil(roi/P) per axis); aligned != 0 shifts by -0.5 px and drops the minimum size 1.
 * Scratch: xt N*H*W*Cp f32, bins PH*PW*Cp f32 (one RoI's sums, channels-last), samp
 * roiAlignSampleScratchBytes().
 */
export function roiAlignForward(x: usize, N: i32, C: i32, H: i32, W: i32, rois: usize, R: i32,
  spatialScale: f64, PH: i32, PW: i32, samplingRatio: i32, aligned: i32,
  out: usize, xt: usize, bins: usize, samp: usize): void {
  toChannelsLast(x, N, C, H, W, xt);
  const Cp = padChannels(C);
  const PHW = PH * PW;
  const chanStride = <usize>PHW << 2;
  const pixStride = Cp << 2;
  for (let r = 0; r < R; r++) {
    const roi = rois + (<usize>r * 20);
    const b = <i32>load<f32>(roi);
    alignGeometry(roi, spatialScale, PH, PW, samplingRatio, aligned);
    const img = xt + (<usize>b * <usize>H * <usize>W * <usize>pixStride);
    const total = alGh * alGw;
    for (let i = 0; i < PH; i++) {
      for (let j = 0; j < PW; j++) {
        const acc = bins + (<usize>((i * PW + j) * Cp) << 2);
        memory.fill(acc, 0, <usize>Cp << 2);
        let from = 0;
        while (from < total) {
          const ns = alignSamples(i, j, from, H, W, pixStride, samp);
          from = alNext;
          if (ns == 0) continue;
          // 16 channels at a time in registers, all samples of the chunk.
          let c = 0;
          for (; c + 16 <= Cp; c += 16) {
            const a = acc + (<usize>c << 2);
            const base = img + (<usize>c << 2);
            let a0 = v128.load(a), a1 = v128.load(a, 16), a2 = v128.load(a, 32), a3 = v128.load(a, 48);
            for (let s = 0; s < ns; s++) {
              const p = samp + <usize>(s * SAMPLE_BYTES);
              const q1 = base + <usize>load<i32>(p), q2 = base + <usize>load<i32>(p, 4);
              const q3 = base + <usize>load<i32>(p, 8), q4 = base + <usize>load<i32>(p, 12);
              const w1 = v128.load32_splat(p, 16), w2 = v128.load32_splat(p, 20);
              const w3 = v128.load32_splat(p, 24), w4 = v128.load32_splat(p, 28);
              a0 = fmadd(w1, v128.load(q1), a0); a0 = fmadd(w2, v128.load(q2), a0);
              a0 = fmadd(w3, v128.load(q3), a0); a0 = fmadd(w4, v128.load(q4), a0);
              a1 = fmadd(w1, v128.load(q1, 16), a1); a1 = fmadd(w2, v128.load(q2, 16), a1);
              a1 = fmadd(w3, v128.load(q3, 16), a1); a1 = fmadd(w4, v128.load(q4, 16), a1);
              a2 = fmadd(w1, v128.load(q1, 32), a2); a2 = fmadd(w2, v128.load(q2, 32), a2);
              a2 = fmadd(w3, v128.load(q3, 32), a2); a2 = fmadd(w4, v128.load(q4, 32), a2);
              a3 = fmadd(w1, v128.load(q1, 48), a3); a3 = fmadd(w2, v128.load(q2, 48), a3);
              a3 = fmadd(w3, v128.load(q3, 48), a3); a3 = fmadd(w4, v128.load(q4, 48), a3);
            }
            v128.store(a, a0); v128.store(a, a1, 16); v128.store(a, a2, 32); v128.store(a, a3, 48);
          }
          for (; c < Cp; c += 4) {
            const a = acc + (<usize>c << 2);
            const base = img + (<usize>c << 2);
            let a0 = v128.load(a);
            for (let s = 0; s < ns; s++) {
              const p = samp + <usize>(s * SAMPLE_BYTES);
              a0 = fmadd(v128.load32_splat(p, 16), v128.load(base + <usize>load<i32>(p)), a0);
              a0 = fmadd(v128.load32_splat(p, 20), v128.load(base + <usize>load<i32>(p, 4)), a0);
              a0 = fmadd(v128.load32_splat(p, 24), v128.load(base + <usize>load<i32>(p, 8)), a0);
              a0 = fmadd(v128.load32_splat(p, 28), v128.load(base + <usize>load<i32>(p, 12)), a0);
            }
            v128.store(a, a0);
          }
        }
      }
    }
    transposeBlock(bins, PHW, C, <usize>Cp << 2, out + (<usize>r * <usize>C * chanStride), chanStride);
  }
}

/**
 * RoIAlign backward: gradInput [N][C][H][W] (overwritten) from gradOutput [R][C][PH][PW].
 * Scratch: gt N*H*W*Cp f32 (channels-last gradient), bins PH*PW*Cp f32 (one RoI's output
 * gradient, channels-last), samp roiAlignSampleScratchBytes().
 */
export function roiAlignBackward(gradOutput: usize, N: i32, C: i32, H: i32, W: i32, rois: usize, R: i32,
  spatialScale: f64, PH: i32, PW: i32, samplingRatio: i32, aligned: i32,
  gradInput: usize, gt: usize, bins: usize, samp: usize): void {
  const Cp = padChannels(C);
  const PHW = PH * PW;
  const chanStride = <usize>PHW << 2;
  const pixStride = Cp << 2;
  memory.fill(gt, 0, <usize>N * <usize>H * <usize>W * <usize>Cp << 2);
  memory.fill(bins, 0, <usize>PHW * <usize>Cp << 2); // padded lanes stay zero
  for (let r = 0; r < R; r++) {
    const roi = rois + (<usize>r * 20);
    const b = <i32>load<f32>(roi);
    alignGeometry(roi, spatialScale, PH, PW, samplingRatio, aligned);
    const img = gt + (<usize>b * <usize>H * <usize>W * <usize>pixStride);
    const total = alGh * alGw;
    transposeBlock(gradOutput + (<usize>r * <usize>C * chanStride), C, PHW, chanStride, bins, <usize>Cp << 2);
    for (let i = 0; i < PH; i++) {
      for (let j = 0; j < PW; j++) {
        const gbuf = bins + (<usize>((i * PW + j) * Cp) << 2);
        let from = 0;
        while (from < total) {
          const ns = alignSamples(i, j, from, H, W, pixStride, samp);
          from = alNext;
          // One corner at a time, so corners that coincide at the border add up in order.
          for (let s = 0; s < ns; s++) {
            const p = samp + <usize>(s * SAMPLE_BYTES);
            for (let k = 0; k < 4; k++) {
              const q = img + <usize>load<i32>(p + (<usize>k << 2));
              const w = v128.load32_splat(p + (<usize>k << 2), 16);
              let c = 0;
              for (; c + 16 <= Cp; c += 16) {
                const d = q + (<usize>c << 2), g = gbuf + (<usize>c << 2);
                v128.store(d, fmadd(w, v128.load(g), v128.load(d)));
                v128.store(d, fmadd(w, v128.load(g, 16), v128.load(d, 16)), 16);
                v128.store(d, fmadd(w, v128.load(g, 32), v128.load(d, 32)), 32);
                v128.store(d, fmadd(w, v128.load(g, 48), v128.load(d, 48)), 48);
              }
              for (; c < Cp; c += 4) {
                const d = q + (<usize>c << 2);
                v128.store(d, fmadd(w, v128.load(gbuf + (<usize>c << 2)), v128.load(d)));
              }
            }
          }
        }
      }
    }
  }
  fromChannelsLast(gt, N, C, H, W, gradInput);
}

/** Scratch for roiPoolForward's `bins` argument, in bytes. */
export function roiPoolBinScratchBytes(C: i32, PH: i32, PW: i32): i32 {
  return 2 * PH * PW * min(POOL_CHUNK, padChannels(C)) * 4;
}

/** Scratch for roiAlignForward/Backward's `samp` argument, in bytes. */
export function roiAlignSampleScratchBytes(): i32 { return SAMPLE_CHUNK * SAMPLE_BYTES; }
