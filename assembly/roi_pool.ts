// RoI max pooling (Fast R-CNN sec. 2.1, eq. 4 for the backward pass) with the Caffe/torchvision
// `roi_pool` semantics (RoIAlign, for comparison, is in roi_align.ts).
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

import { POOL_CHUNK, padChannels, toChannelsLast, transposeBlock } from './roi_layout';

const NEG_FLT_MAX: f32 = -3.4028234663852886e38;
// Rounded RoI coordinates are clamped here so that `end - start + 1` cannot overflow i32.
const COORD_LIMIT: i32 = 1 << 28;

// Lanes of a where mask m is set, else b (m is a comparison result: all-ones or all-zeros lanes, so
// the relaxed form, one blend instruction, gives the same result as the 3-instruction bitselect).
@inline function select(a: v128, b: v128, m: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_laneselect(a, b, m);
  return v128.bitselect(a, b, m);
}

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

// One RoI's result, held channels-last in `bins` ([PHW][rowW] values, then [PHW][rowW] switches),
// written to out/argmax [C][PHW] (C real channels) so the output streams sequentially.
function binsToOutput(bins: usize, PHW: i32, C: i32, rowW: i32, out: usize, argmax: usize): void {
  const rowB = <usize>rowW << 2, chanB = <usize>PHW << 2;
  transposeBlock(bins, PHW, C, rowB, out, chanB);
  transposeBlock(bins + <usize>PHW * rowB, PHW, C, rowB, argmax, chanB);
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
  roiPoolForwardRange(xt, C, H, W, rois, spatialScale, PH, PW, out, argmax, 0, R, bins);
}

/**
 * roiPoolForward's RoIs [lo, hi), from the channels-last map xt (roiChannelsLast) — for the threads,
 * each with its own `bins`. A RoI's outputs depend on that RoI alone.
 */
export function roiPoolForwardRange(xt: usize, C: i32, H: i32, W: i32, rois: usize, spatialScale: f32, PH: i32, PW: i32,
  out: usize, argmax: usize, lo: i32, hi: i32, bins: usize): void {
  const Cp = padChannels(C);
  const PHW = PH * PW;
  const chanStride = <usize>PHW << 2; // bytes between channels of one output bin
  const pixStride = <usize>Cp << 2;
  const negMax = f32x4.splat(NEG_FLT_MAX);
  const minusOne = i32x4.splat(-1);
  for (let r = lo; r < hi; r++) {
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
  roiPoolBackwardRange(gradOutput, argmax, rois, R, N, C, H, W, PH, PW, gradInput, 0, C);
}

/**
 * roiPoolBackward on the channels [lo, hi) (of every image), for the threads: a channel's planes
 * take only that channel's gradients, added in RoI order as in one call.
 */
export function roiPoolBackwardRange(gradOutput: usize, argmax: usize, rois: usize, R: i32,
  N: i32, C: i32, H: i32, W: i32, PH: i32, PW: i32, gradInput: usize, lo: i32, hi: i32): void {
  const HW = H * W;
  const PHW = PH * PW;
  for (let n = 0; n < N; n++) memory.fill(gradInput + (<usize>(n * C + lo) * <usize>HW << 2), 0, <usize>(hi - lo) * <usize>HW << 2);
  for (let r = 0; r < R; r++) {
    const b = <i32>load<f32>(rois + (<usize>r * 20));
    let g = gradOutput + (<usize>(r * C + lo) * <usize>PHW << 2);
    let a = argmax + (<usize>(r * C + lo) * <usize>PHW << 2);
    for (let c = lo; c < hi; c++) {
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

/** x [N][C][H][W] -> xt [N][H][W][Cp] (Cp = C rounded up to 4, padded channels zero): the map the RoI forward ranges read. */
export function roiChannelsLast(x: usize, N: i32, C: i32, H: i32, W: i32, xt: usize): void {
  toChannelsLast(x, N, C, H, W, xt);
}

/** Scratch for roiPoolForward's `bins` argument, in bytes. */
export function roiPoolBinScratchBytes(C: i32, PH: i32, PW: i32): i32 {
  return 2 * PH * PW * min(POOL_CHUNK, padChannels(C)) * 4;
}
