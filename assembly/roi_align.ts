// RoIAlign (torchvision `roi_align`), beside RoI max pooling (roi_pool.ts) for comparison. Runs on
// the same channels-last copy of the feature map; outputs [R][C][PH][PW].

import { fmadd, padChannels, toChannelsLast, transposeBlock } from './roi_layout';

// Samples are laid out per bin in chunks of this many (offsets + weights), in `samp`.
const SAMPLE_CHUNK: i32 = 64;
const SAMPLE_BYTES: i32 = 32; // 4 × i32 byte offsets + 4 × f32 weights
// A sample's row (y) and column (x) are separable: one RoI's rows PH × gh and columns PW × gw are
// worked out once into tables after the samples in `samp` (AXIS_CAP entries each; a RoI with more,
// only possible with adaptive sampling, works its rows or columns out per sample).
const AXIS_CAP: i32 = 512;
const AXIS_BYTES: i32 = 24; // i32 byte offsets of the lower and upper neighbor (-1: outside), f64 l, f64 1 - l
const Y_TABLE: i32 = SAMPLE_CHUNK * SAMPLE_BYTES;
const X_TABLE: i32 = Y_TABLE + AXIS_CAP * AXIS_BYTES;
const AXIS_TMP: i32 = X_TABLE + AXIS_CAP * AXIS_BYTES; // one row and one column entry, per sample

// RoIAlign (torchvision semantics). Geometry in float64; accumulation in float32.

// Per-RoI geometry shared by the forward and backward passes, kept in module globals (no heap).
let alSh: f64 = 0, alSw: f64 = 0, alBh: f64 = 0, alBw: f64 = 0;
let alGh: i32 = 0, alGw: i32 = 0;
let alInvCount: f32 = 1;
let alRowTable = false, alColTable = false;

// A RoI's geometry, and its row and column tables in samp where they fit: H, W the map's size,
// pixStride the bytes between its pixels (channels-last).
function alignGeometry(roi: usize, scale: f64, PH: i32, PW: i32, samplingRatio: i32, aligned: i32,
  H: i32, W: i32, pixStride: i32, samp: usize): void {
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
  alRowTable = alGh <= AXIS_CAP / PH;
  alColTable = alGw <= AXIS_CAP / PW;
  const rowUnit = W * pixStride;
  if (alRowTable) {
    let e = samp + <usize>Y_TABLE;
    for (let i = 0; i < PH; i++) {
      for (let iy = 0; iy < alGh; iy++, e += <usize>AXIS_BYTES) axisEntry(sampleY(i, iy), H, rowUnit, e);
    }
  }
  if (alColTable) {
    let e = samp + <usize>X_TABLE;
    for (let j = 0; j < PW; j++) {
      for (let ix = 0; ix < alGw; ix++, e += <usize>AXIS_BYTES) axisEntry(sampleX(j, ix), W, pixStride, e);
    }
  }
}

@inline function sampleY(i: i32, iy: i32): f64 { return alSh + <f64>i * alBh + (<f64>iy + 0.5) * alBh / <f64>alGh; }
@inline function sampleX(j: i32, ix: i32): f64 { return alSw + <f64>j * alBw + (<f64>ix + 0.5) * alBw / <f64>alGw; }

// One axis of a sample at v on an axis of n pixels, unit bytes apart, into the entry at e: outside
// [-1, n] it is marked -1; else clamped to [0, n - 1], the two neighbors' byte offsets and the
// weights l (of the upper) and 1 - l.
function axisEntry(v: f64, n: i32, unit: i32, e: usize): void {
  if (v < -1.0 || v > <f64>n) { store<i32>(e, -1); return; }
  if (v <= 0) v = 0;
  let lo = <i32>v, hi: i32;
  if (lo >= n - 1) { hi = lo = n - 1; v = <f64>lo; } else hi = lo + 1;
  const l = v - <f64>lo;
  store<i32>(e, lo * unit);
  store<i32>(e, hi * unit, 4);
  store<f64>(e, l, 8);
  store<f64>(e, 1.0 - l, 16);
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
  let iy = from / alGw, ix = from - iy * alGw;
  const rows = samp + <usize>(Y_TABLE + i * alGh * AXIS_BYTES);
  const cols = samp + <usize>(X_TABLE + j * alGw * AXIS_BYTES);
  const ye0 = samp + <usize>AXIS_TMP, xe0 = ye0 + <usize>AXIS_BYTES;
  for (; s < total && k < SAMPLE_CHUNK; s++) {
    let ye = ye0, xe = xe0;
    if (alRowTable) ye = rows + <usize>(iy * AXIS_BYTES);
    else axisEntry(sampleY(i, iy), H, W * pixStride, ye);
    if (alColTable) xe = cols + <usize>(ix * AXIS_BYTES);
    else axisEntry(sampleX(j, ix), W, pixStride, xe);
    if (++ix == alGw) { ix = 0; iy++; }
    const yl = load<i32>(ye), xl = load<i32>(xe);
    if (yl == -1 || xl == -1) continue;
    const yh = load<i32>(ye, 4), xh = load<i32>(xe, 4);
    const ly = load<f64>(ye, 8), hy = load<f64>(ye, 16);
    const lx = load<f64>(xe, 8), hx = load<f64>(xe, 16);
    const p = samp + <usize>(k * SAMPLE_BYTES);
    store<i32>(p, yl + xl);
    store<i32>(p, yl + xh, 4);
    store<i32>(p, yh + xl, 8);
    store<i32>(p, yh + xh, 12);
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
  roiAlignForwardRange(xt, C, H, W, rois, spatialScale, PH, PW, samplingRatio, aligned, out, 0, R, bins, samp);
}

/**
 * roiAlignForward's RoIs [lo, hi), from the channels-last map xt (roiChannelsLast) — for the
 * threads, each with its own `bins` and `samp`. A RoI's outputs depend on that RoI alone.
 */
export function roiAlignForwardRange(xt: usize, C: i32, H: i32, W: i32, rois: usize, spatialScale: f64, PH: i32, PW: i32,
  samplingRatio: i32, aligned: i32, out: usize, lo: i32, hi: i32, bins: usize, samp: usize): void {
  const Cp = padChannels(C);
  const PHW = PH * PW;
  const chanStride = <usize>PHW << 2;
  const pixStride = Cp << 2;
  for (let r = lo; r < hi; r++) {
    const roi = rois + (<usize>r * 20);
    const b = <i32>load<f32>(roi);
    alignGeometry(roi, spatialScale, PH, PW, samplingRatio, aligned, H, W, pixStride, samp);
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
  roiAlignBackwardRange(gradOutput, N, C, H, W, rois, R, spatialScale, PH, PW, samplingRatio, aligned, gradInput, gt, 0, C, bins, samp);
}

/**
 * roiAlignBackward on the channels [lo, hi) (lo a multiple of 4), for the threads: each thread
 * zeroes and fills its own channel lanes of the shared channels-last gradient gt [N][H][W][Cp]
 * (lanes [lo, hi rounded up to 4)), then writes gradInput's planes [lo, hi). Every value takes
 * its gradients in the one-call order (RoIs, bins, samples, corners), so any split gives the same
 * bits. bins: PH*PW*(hi - lo rounded up to 4) f32 of its own; samp roiAlignSampleScratchBytes().
 */
export function roiAlignBackwardRange(gradOutput: usize, N: i32, C: i32, H: i32, W: i32, rois: usize, R: i32,
  spatialScale: f64, PH: i32, PW: i32, samplingRatio: i32, aligned: i32,
  gradInput: usize, gt: usize, lo: i32, hi: i32, bins: usize, samp: usize): void {
  const Cp = padChannels(C);
  const PHW = PH * PW;
  const chanStride = <usize>PHW << 2;
  const pixStride = Cp << 2;
  const cw = padChannels(hi) - lo; // lanes of gt this range owns (the padding goes with the last)
  const rowB = <usize>cw << 2; // a bin's row in `bins`
  const NHW = N * H * W;
  if (cw == Cp) memory.fill(gt, 0, <usize>NHW * <usize>pixStride);
  else for (let p = 0; p < NHW; p++) memory.fill(gt + <usize>p * <usize>pixStride + (<usize>lo << 2), 0, rowB);
  memory.fill(bins, 0, <usize>PHW * rowB); // padded lanes stay zero
  const lanes = gt + (<usize>lo << 2);
  for (let r = 0; r < R; r++) {
    const roi = rois + (<usize>r * 20);
    const b = <i32>load<f32>(roi);
    alignGeometry(roi, spatialScale, PH, PW, samplingRatio, aligned, H, W, pixStride, samp);
    const img = lanes + (<usize>b * <usize>H * <usize>W * <usize>pixStride);
    const total = alGh * alGw;
    transposeBlock(gradOutput + (<usize>(r * C + lo) * chanStride), hi - lo, PHW, chanStride, bins, rowB);
    for (let i = 0; i < PH; i++) {
      for (let j = 0; j < PW; j++) {
        const gbuf = bins + <usize>(i * PW + j) * rowB;
        let from = 0;
        while (from < total) {
          const ns = alignSamples(i, j, from, H, W, pixStride, samp);
          from = alNext;
          // 16 channels of the bin's gradient in registers while the chunk's samples scatter them;
          // corners one at a time (those that coincide at the border add up in order).
          let c = 0;
          for (; c + 16 <= cw; c += 16) {
            const g = gbuf + (<usize>c << 2), base = img + (<usize>c << 2);
            const g0 = v128.load(g), g1 = v128.load(g, 16), g2 = v128.load(g, 32), g3 = v128.load(g, 48);
            for (let s = 0; s < ns; s++) {
              const p = samp + <usize>(s * SAMPLE_BYTES);
              for (let k = 0; k < 4; k++) {
                const pk = p + (<usize>k << 2);
                const d = base + <usize>load<i32>(pk), w = v128.load32_splat(pk, 16);
                v128.store(d, fmadd(w, g0, v128.load(d)));
                v128.store(d, fmadd(w, g1, v128.load(d, 16)), 16);
                v128.store(d, fmadd(w, g2, v128.load(d, 32)), 32);
                v128.store(d, fmadd(w, g3, v128.load(d, 48)), 48);
              }
            }
          }
          for (; c < cw; c += 4) {
            const base = img + (<usize>c << 2);
            const g0 = v128.load(gbuf + (<usize>c << 2));
            for (let s = 0; s < ns; s++) {
              const p = samp + <usize>(s * SAMPLE_BYTES);
              for (let k = 0; k < 4; k++) {
                const pk = p + (<usize>k << 2);
                const d = base + <usize>load<i32>(pk);
                v128.store(d, fmadd(v128.load32_splat(pk, 16), g0, v128.load(d)));
              }
            }
          }
        }
      }
    }
  }
  fromChannelsLastRange(gt, N, C, H, W, lo, hi, gradInput);
}

// gt [N][H][W][Cp] -> x [N][C][H][W] for the channels [lo, hi) (lo a multiple of 4): fromChannelsLast
// on one range of channels, 4×4 tiles through a SIMD transpose, edges scalar.
function fromChannelsLastRange(gt: usize, N: i32, C: i32, H: i32, W: i32, lo: i32, hi: i32, x: usize): void {
  const HW = H * W;
  const step = <usize>padChannels(C) << 2;
  for (let n = 0; n < N; n++) {
    const src = gt + <usize>n * <usize>HW * step;
    const dst = x + (<usize>n * <usize>C * <usize>HW << 2);
    let c = lo;
    for (; c + 4 <= hi; c += 4) {
      const d0 = dst + (<usize>c * <usize>HW << 2);
      const d1 = d0 + (<usize>HW << 2), d2 = d1 + (<usize>HW << 2), d3 = d2 + (<usize>HW << 2);
      let p = 0;
      for (; p + 4 <= HW; p += 4) {
        const s = src + <usize>p * step + (<usize>c << 2);
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
        const s = src + <usize>p * step + (<usize>c << 2);
        const o = <usize>p << 2;
        store<f32>(d0 + o, load<f32>(s));
        store<f32>(d1 + o, load<f32>(s, 4));
        store<f32>(d2 + o, load<f32>(s, 8));
        store<f32>(d3 + o, load<f32>(s, 12));
      }
    }
    for (; c < hi; c++) {
      const d = dst + (<usize>c * <usize>HW << 2);
      for (let p = 0; p < HW; p++) store<f32>(d + (<usize>p << 2), load<f32>(src + <usize>p * step + (<usize>c << 2)));
    }
  }
}

/** Scratch for roiAlignForward/Backward's `samp` argument, in bytes. */
export function roiAlignSampleScratchBytes(): i32 { return AXIS_TMP + 2 * AXIS_BYTES; }
