// Boxes in TypeScript, with the VOC pixel-inclusive rules: a box (x1, y1, x2, y2) covers pixels x1..x2,
// so its width is x2 − x1 + 1 and its area and every IoU use +1; a horizontal flip in an image of
// width W maps x to W − 1 − x. The WASM kernels (assembly/boxes.ts, assembly/nms.ts, wrapped by
// src/detection/model/wasm/) apply the same rules to whole arrays; this module is the one TypeScript
// copy, used by the VOC AP (src/eval/vocAp.ts), proposal recall, the flips of images' boxes, the
// scale levels of detection and the data's object sizes.
import type { Box } from './types.js';

/** Area of box i of a flat [n·4] array, pixel-inclusive: (x2 − x1 + 1)·(y2 − y1 + 1). */
export function boxArea(b: ArrayLike<number>, i = 0): number {
  return (b[i * 4 + 2] - b[i * 4] + 1) * (b[i * 4 + 3] - b[i * 4 + 1] + 1);
}

/**
 * IoU of box i of `a` and box j of `b` (flat [n·4] arrays), +1 areas, computed as the VOC devkit does:
 * the intersection is max(iw, 0)·max(ih, 0), so degenerate boxes give what the devkit gives (NaN for 0/0).
 */
export function boxPairIou(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number): number {
  const iw = Math.min(a[i * 4 + 2], b[j * 4 + 2]) - Math.max(a[i * 4], b[j * 4]) + 1;
  const ih = Math.min(a[i * 4 + 3], b[j * 4 + 3]) - Math.max(a[i * 4 + 1], b[j * 4 + 1]) + 1;
  const inter = Math.max(iw, 0) * Math.max(ih, 0);
  return inter / (boxArea(a, i) + boxArea(b, j) - inter);
}

/** Boxes of a flipped image (pixel-inclusive): x1' = W-1-x2, x2' = W-1-x1. */
export function flipBoxes(boxes: readonly Box[], width: number): Box[] {
  return boxes.map((b) => flipBoxesFlat(b, width, [0, 0, 0, 0] as Box));
}

/**
 * flipBoxes on a flat array of 4-tuples (e.g. tensor data or a proposals file), into `out` (a new
 * Float32Array by default; `out` may be `boxes` itself to flip in place).
 */
export function flipBoxesFlat<T extends { [i: number]: number } = Float32Array>(
  boxes: ArrayLike<number>,
  width: number,
  out: T = new Float32Array(boxes.length) as unknown as T,
): T {
  for (let i = 0; i < boxes.length; i += 4) {
    const x1 = boxes[i],
      y1 = boxes[i + 1],
      x2 = boxes[i + 2],
      y2 = boxes[i + 3];
    out[i] = width - 1 - x2;
    out[i + 1] = y1;
    out[i + 2] = width - 1 - x1;
    out[i + 3] = y2;
  }
  return out;
}
