// RoIAlign (torchvision `roi_align`), beside RoI max pooling (roi_pool.ts) for comparison. Runs on
// the same channels-last copy of the feature map; outputs [R][C][PH][PW].

import { POOL_CHUNK, fmadd, fromChannelsLast, padChannels, toChannelsLast, transposeBlock } from './roi_layout';

// Samples are laid out per bin in chunks of this many (offsets + weights), in `samp`.
const SAMPLE_CHUNK: i32 = 64;
const SAMPLE_BYTES: i32 = 32; // 4 × i32 byte offsets + 4 × f32 weights

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

/** Scratch for roiAlignForward/Backward's `samp` argument, in bytes. */
export function roiAlignSampleScratchBytes(): i32 { return SAMPLE_CHUNK * SAMPLE_BYTES; }
