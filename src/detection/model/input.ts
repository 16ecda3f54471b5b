// The network's input for one image, shared by training and detection: the image blob (scaled,
// mean-subtracted, divided by the pixel std, mirrored when asked) and the proposals clipped to it.
import { prepareImage } from '../../data/transforms.js';
import type { RgbImage } from '../../data/types.js';
import type { FastRcnnConfig } from './config.js';

/** Proposals clipped to the image, degenerate (non-finite or inverted) ones dropped. */
export function cleanProposals(p: ArrayLike<number>, width: number, height: number, max = 0): Float32Array {
  const out: number[] = [];
  const n = p.length / 4;
  for (let i = 0; i < n && (!max || out.length < 4 * max); i++) {
    let x1 = p[4 * i],
      y1 = p[4 * i + 1],
      x2 = p[4 * i + 2],
      y2 = p[4 * i + 3];
    if (![x1, y1, x2, y2].every(Number.isFinite)) continue;
    x1 = Math.min(Math.max(x1, 0), width - 1);
    x2 = Math.min(Math.max(x2, 0), width - 1);
    y1 = Math.min(Math.max(y1, 0), height - 1);
    y2 = Math.min(Math.max(y2, 0), height - 1);
    if (x2 < x1 || y2 < y1) continue;
    out.push(x1, y1, x2, y2);
  }
  return new Float32Array(out);
}

/** The network input for one image: CHW floats at the scale, mirrored when asked. */
export function imageBlob(
  img: RgbImage,
  shortSide: number,
  maxSize: number,
  cfg: FastRcnnConfig,
  flip: boolean,
): { data: Float32Array; width: number; height: number; scale: number } {
  const { image, scale } = prepareImage(img, { shortSide, maxSize, means: cfg.pixelMeans, std: cfg.pixelStds, flip });
  return { data: image.data, width: image.width, height: image.height, scale };
}
