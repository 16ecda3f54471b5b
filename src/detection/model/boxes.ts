// The public box functions: IoU, NMS, the R-CNN box coder and clipping. Each takes Tensors or plain
// arrays and answers in kind (Tensor in → Tensor out), running the typed-array WASM wrappers of
// ./wasm/boxes.ts and ./wasm/nms.ts, which own the +1 pixel conventions.
import { engine } from '../../tensor/engine.js';
import { Tensor } from '../../tensor/tensor.js';
import { shapeStr } from '../../core/types.js';
import * as k from './wasm/boxes.js';
import * as kn from './wasm/nms.js';

export type { BoxCoding, BoxCoderOptions, ClipMode } from './wasm/boxes.js';
export type { NmsOptions } from './wasm/nms.js';
type Boxes = Tensor | ArrayLike<number>;

function values(name: string, fn: string, t: Boxes, cols?: number): ArrayLike<number> {
  if (!(t instanceof Tensor)) return t;
  t.assertAlive(fn);
  if (cols !== undefined && (t.rank !== 2 || t.shape[1] % cols !== 0)) {
    throw new Error(`${fn}: ${name} must be [n,${cols}${cols === 4 ? '' : 'k'}], got ${shapeStr(t.shape)}`);
  }
  return t.dataSync();
}

const f32 = (d: Float32Array, shape: number[]) => engine.makeTensor(d, shape, 'float32');

/** IoU matrix [n,m] of boxes a [n,4] and b [m,4] (+1 pixel areas by default). */
export function boxIou(a: Boxes, b: Boxes, opts: { coding?: k.BoxCoding } = {}): Tensor | Float32Array {
  const av = values('a', 'boxIou', a, 4),
    bv = values('b', 'boxIou', b, 4);
  const out = k.boxIou(av, bv, opts);
  return a instanceof Tensor ? f32(out, [av.length / 4, bv.length / 4]) : out;
}

/**
 * Greedy NMS: indices of the kept boxes in score order (stable on ties). A box is suppressed when its
 * IoU with a kept box is >= iouThreshold (the original Fast R-CNN rule; +1 areas).
 */
export function nms(boxes: Boxes, scores: Boxes, iouThreshold: number, opts: kn.NmsOptions = {}): Tensor | Int32Array {
  const keep = kn.nms(values('boxes', 'nms', boxes, 4), values('scores', 'nms', scores), iouThreshold, opts);
  return boxes instanceof Tensor ? engine.makeTensor(keep, [keep.length], 'int32') : keep;
}

/** NMS within each class id; kept indices over all classes in score order. */
export function batchedNms(
  boxes: Boxes,
  scores: Boxes,
  classIds: Boxes,
  iouThreshold: number,
  opts: kn.NmsOptions = {},
): Tensor | Int32Array {
  const keep = kn.batchedNms(
    values('boxes', 'batchedNms', boxes, 4),
    values('scores', 'batchedNms', scores),
    values('classIds', 'batchedNms', classIds),
    iouThreshold,
    opts,
  );
  return boxes instanceof Tensor ? engine.makeTensor(keep, [keep.length], 'int32') : keep;
}

/** Regression targets [n,4] of gt boxes relative to proposals (R-CNN parameterization). */
export function encodeBoxes(proposals: Boxes, gtBoxes: Boxes, opts: k.BoxCoderOptions = {}): Tensor | Float32Array {
  const out = k.encodeBoxes(values('proposals', 'encodeBoxes', proposals, 4), values('gtBoxes', 'encodeBoxes', gtBoxes, 4), opts);
  return proposals instanceof Tensor ? f32(out, [out.length / 4, 4]) : out;
}

/** Boxes [n,4k] from proposals [n,4] and deltas [n,4k]: the exact inverse of encodeBoxes. */
export function decodeBoxes(proposals: Boxes, deltas: Boxes, opts: k.BoxCoderOptions = {}): Tensor | Float32Array {
  const out = k.decodeBoxes(values('proposals', 'decodeBoxes', proposals, 4), values('deltas', 'decodeBoxes', deltas, 4), opts);
  return deltas instanceof Tensor ? f32(out, deltas.shape.slice()) : out;
}

/** Clips boxes [n,4k] into an image of height × width (VOC: [0, W−1] × [0, H−1] by default). */
export function clipBoxes(boxes: Boxes, imageHeight: number, imageWidth: number, mode: k.ClipMode = 'legacy'): Tensor | Float32Array {
  const out = k.clipBoxes(values('boxes', 'clipBoxes', boxes, 4), imageHeight, imageWidth, mode);
  return boxes instanceof Tensor ? f32(out, boxes.shape.slice()) : out;
}
