// Image and box transforms for the detector's input: scale so the short side is s (long side capped),
// horizontal flip, and uint8 RGB -> float CHW with pixel means subtracted. Resampling is bilinear with
// pixel centres at +0.5 and clamped borders, the mapping OpenCV's INTER_LINEAR uses (what the original
// Fast R-CNN resized with), driven by the nominal scale so boxes scale by exactly the same factor.
import type { Box, FloatImage, RgbImage } from './types.js';

/** The original Fast R-CNN's BGR pixel means, in RGB order. */
export const PIXEL_MEANS_RGB: [number, number, number] = [122.7717, 115.9465, 102.9801];

/**
 * Scale that makes the short side `shortSide`, reduced so the long side is at most `maxSize`
 * (the cap is tested on the rounded size, as in the original blob code).
 */
export function computeScale(width: number, height: number, shortSide: number, maxSize = Infinity): number {
  const lo = Math.min(width, height),
    hi = Math.max(width, height);
  let scale = shortSide / lo;
  if (Math.round(scale * hi) > maxSize) scale = maxSize / hi;
  return scale;
}

/** Output size for a scale: each side rounded, at least 1. */
export function scaledSize(width: number, height: number, scale: number): { width: number; height: number } {
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

interface Taps {
  i0: Int32Array;
  i1: Int32Array;
  w1: Float64Array;
}

/** Per output index: the two source indices and the weight of the second. */
function taps(srcLen: number, dstLen: number, scale: number): Taps {
  const i0 = new Int32Array(dstLen),
    i1 = new Int32Array(dstLen),
    w1 = new Float64Array(dstLen);
  for (let d = 0; d < dstLen; d++) {
    const s = Math.min(Math.max((d + 0.5) / scale - 0.5, 0), srcLen - 1);
    const a = Math.floor(s);
    i0[d] = a;
    i1[d] = Math.min(a + 1, srcLen - 1);
    w1[d] = s - a;
  }
  return { i0, i1, w1 };
}

/**
 * Bilinear resize of an RGB image to outWidth x outHeight. The source coordinate of output pixel d is
 * (d + 0.5) / scale - 0.5 with scale defaulting to out/in per axis; pass the nominal scale to match
 * boxes scaled by it exactly.
 */
export function resizeBilinear(
  img: RgbImage,
  outWidth: number,
  outHeight: number,
  scaleX = outWidth / img.width,
  scaleY = outHeight / img.height,
): RgbImage {
  const { width: W, data: src } = img;
  const tx = taps(W, outWidth, scaleX),
    ty = taps(img.height, outHeight, scaleY);
  const out = new Uint8Array(outWidth * outHeight * 3);
  for (let y = 0; y < outHeight; y++) {
    const r0 = ty.i0[y] * W,
      r1 = ty.i1[y] * W,
      wy = ty.w1[y];
    for (let x = 0; x < outWidth; x++) {
      const a = (r0 + tx.i0[x]) * 3,
        b = (r0 + tx.i1[x]) * 3,
        c = (r1 + tx.i0[x]) * 3,
        d = (r1 + tx.i1[x]) * 3,
        wx = tx.w1[x];
      const o = (y * outWidth + x) * 3;
      for (let k = 0; k < 3; k++) {
        const top = src[a + k] + (src[b + k] - src[a + k]) * wx;
        const bot = src[c + k] + (src[d + k] - src[c + k]) * wx;
        out[o + k] = Math.round(top + (bot - top) * wy);
      }
    }
  }
  return { width: outWidth, height: outHeight, data: out };
}

/** Bilinear resize of a float CHW image (any channel count, from data.length); same mapping as resizeBilinear. */
export function resizeBilinearFloat(
  img: FloatImage,
  outWidth: number,
  outHeight: number,
  scaleX = outWidth / img.width,
  scaleY = outHeight / img.height,
): FloatImage {
  const { width: W, height: H, data: src } = img;
  const C = src.length / (W * H);
  const tx = taps(W, outWidth, scaleX),
    ty = taps(H, outHeight, scaleY);
  const out = new Float32Array(C * outWidth * outHeight);
  for (let c = 0; c < C; c++) {
    const plane = c * W * H,
      oplane = c * outWidth * outHeight;
    for (let y = 0; y < outHeight; y++) {
      const r0 = plane + ty.i0[y] * W,
        r1 = plane + ty.i1[y] * W,
        wy = ty.w1[y];
      for (let x = 0; x < outWidth; x++) {
        const x0 = tx.i0[x],
          x1 = tx.i1[x],
          wx = tx.w1[x];
        const top = src[r0 + x0] + (src[r0 + x1] - src[r0 + x0]) * wx;
        const bot = src[r1 + x0] + (src[r1 + x1] - src[r1 + x0]) * wx;
        out[oplane + y * outWidth + x] = top + (bot - top) * wy;
      }
    }
  }
  return { width: outWidth, height: outHeight, data: out };
}

/** Resize so the short side is `shortSide` with the long side capped at `maxSize`; returns the scale used. */
export function resizeToShortSide(img: RgbImage, shortSide: number, maxSize = Infinity): { image: RgbImage; scale: number } {
  const scale = computeScale(img.width, img.height, shortSide, maxSize);
  const { width, height } = scaledSize(img.width, img.height, scale);
  return { image: resizeBilinear(img, width, height, scale, scale), scale };
}

/** Mirror left-right. */
export function flipImage(img: RgbImage): RgbImage {
  const { width: W, height: H, data: src } = img;
  const out = new Uint8Array(src.length);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const s = (y * W + x) * 3,
        d = (y * W + (W - 1 - x)) * 3;
      out[d] = src[s];
      out[d + 1] = src[s + 1];
      out[d + 2] = src[s + 2];
    }
  return { width: W, height: H, data: out };
}

/** Mirror a CHW float image left-right. */
export function flipFloatImage(img: FloatImage): FloatImage {
  const { width: W, height: H, data: src } = img;
  const out = new Float32Array(src.length);
  for (let row = 0; row < src.length / W; row++) {
    const o = row * W;
    for (let x = 0; x < W; x++) out[o + W - 1 - x] = src[o + x];
  }
  return { width: W, height: H, data: out };
}

/** Multiply box coordinates by the image scale (what the original does to RoIs and ground truth). */
export function scaleBoxes(boxes: readonly Box[], scale: number): Box[] {
  return boxes.map((b) => b.map((v) => v * scale) as Box);
}

/** uint8 RGB (interleaved) -> float CHW with (pixel - mean[c]) / std[c] (std defaults to 1). */
export function toFloatCHW(img: RgbImage, means: ArrayLike<number> = PIXEL_MEANS_RGB, std?: ArrayLike<number>): FloatImage {
  const n = img.width * img.height,
    src = img.data,
    out = new Float32Array(3 * n);
  for (let c = 0; c < 3; c++) {
    const m = means[c],
      inv = std ? 1 / std[c] : 1,
      o = c * n;
    for (let i = 0; i < n; i++) out[o + i] = (src[i * 3 + c] - m) * inv;
  }
  return { width: img.width, height: img.height, data: out };
}

export interface PrepareOptions {
  /** Target short side in pixels. */
  shortSide: number;
  /** Cap on the long side. */
  maxSize?: number;
  means?: ArrayLike<number>;
  std?: ArrayLike<number>;
  flip?: boolean;
}

/**
 * The detector's input pipeline for one image, in the original's order: flip, subtract means (float),
 * then resize the float image. Boxes for this image map by flipBoxes (if flipped) then scaleBoxes(scale).
 */
export function prepareImage(img: RgbImage, opts: PrepareOptions): { image: FloatImage; scale: number } {
  const src = opts.flip ? flipImage(img) : img;
  const f = toFloatCHW(src, opts.means ?? PIXEL_MEANS_RGB, opts.std);
  const scale = computeScale(img.width, img.height, opts.shortSide, opts.maxSize);
  const { width, height } = scaledSize(img.width, img.height, scale);
  return { image: resizeBilinearFloat(f, width, height, scale, scale), scale };
}

/**
 * Reorders the three colour planes of a CHW float image stored at data[at..]: output plane k is input
 * plane perm[k]. In place.
 */
export function permuteChannelPlanes(data: Float32Array, at: number, planeSize: number, perm: readonly number[]): void {
  if (perm.length !== 3 || [...perm].sort().join() !== '0,1,2')
    throw new Error(`permuteChannelPlanes: perm must order 0, 1, 2, got [${perm.join(', ')}]`);
  if (perm[0] === 0 && perm[1] === 1) return;
  const src = data.slice(at, at + 3 * planeSize);
  for (let k = 0; k < 3; k++) data.set(src.subarray(perm[k] * planeSize, (perm[k] + 1) * planeSize), at + k * planeSize);
}

/**
 * Photometric jitter of one normalized CHW image in place (augmentation): every value of plane c
 * becomes x·gain[c] + bias[c]. Drawn by colourJitter() per image; brightness, contrast and colour
 * balance all change through these six numbers.
 */
export function jitterColourPlanes(
  data: Float32Array,
  at: number,
  planeSize: number,
  gain: readonly number[],
  bias: readonly number[],
): void {
  for (let c = 0; c < 3; c++) {
    const g = gain[c],
      b = bias[c],
      o = at + c * planeSize;
    for (let i = 0; i < planeSize; i++) data[o + i] = data[o + i] * g + b;
  }
}

/**
 * Gains and biases of a colour jitter of strength j (0..1): a shared contrast factor 1 ± j, per-channel
 * colour gains 1 ± j/2 and a shared brightness shift ± j (in units of the pixel std).
 */
export function colourJitter(j: number, uniform: (lo: number, hi: number) => number): { gain: number[]; bias: number[] } {
  const contrast = uniform(1 - j, 1 + j),
    shift = uniform(-j, j);
  const gain = [0, 1, 2].map(() => contrast * uniform(1 - j / 2, 1 + j / 2));
  return { gain, bias: [shift, shift, shift] };
}
