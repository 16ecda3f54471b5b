"""Box decoding, clipping and NMS with our +1 pixel rules (assembly/boxes.ts, assembly/nms.ts).

Boxes are pixel-inclusive: a box covers x1..x2, so its width is x2 - x1 + 1. torchvision's
ops.nms and box coder use continuous boxes (w = x2 - x1) and suppress at IoU > t where ours suppress
at IoU >= t, so these are written here, in float64 as ours, over float32 inputs.
"""

import numpy as np


def decode_boxes(rois, deltas):
    """Boxes [R, 4k] (float32) from rois [R, 4] and deltas [R, 4k]: the exact inverse of our encoder."""
    r = rois.astype(np.float64)
    d = deltas.astype(np.float64).reshape(len(r), -1, 4)
    w = (r[:, 2] - r[:, 0] + 1)[:, None]
    h = (r[:, 3] - r[:, 1] + 1)[:, None]
    cx, cy = r[:, 0, None] + 0.5 * w, r[:, 1, None] + 0.5 * h
    pcx, pcy = d[..., 0] * w + cx, d[..., 1] * h + cy
    pw, ph = np.exp(d[..., 2]) * w, np.exp(d[..., 3]) * h
    out = np.stack([pcx - 0.5 * pw, pcy - 0.5 * ph, pcx + 0.5 * pw - 1, pcy + 0.5 * ph - 1], axis=-1)
    return out.astype(np.float32).reshape(deltas.shape)


def clip_boxes(boxes, height, width):
    """Every coordinate into [0, W-1] x [0, H-1] (float32)."""
    b = boxes.reshape(-1, 4).copy()
    b[:, 0::2] = np.minimum(np.maximum(b[:, 0::2], np.float32(0)), np.float32(width - 1))
    b[:, 1::2] = np.minimum(np.maximum(b[:, 1::2], np.float32(0)), np.float32(height - 1))
    return b.reshape(boxes.shape)


def nms(boxes, scores, threshold):
    """Kept indices in descending score order (ties: lower index first); a box is suppressed when its
    IoU with a kept box is >= threshold (+1 areas, float64; a NaN IoU never suppresses)."""
    b = np.asarray(boxes, dtype=np.float32).astype(np.float64)
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    area = (b[:, 2] - b[:, 0] + 1) * (b[:, 3] - b[:, 1] + 1)
    keep = []
    for i in order:
        if keep:
            k = np.array(keep)
            iw = np.maximum(0, np.minimum(b[k, 2], b[i, 2]) - np.maximum(b[k, 0], b[i, 0]) + 1)
            ih = np.maximum(0, np.minimum(b[k, 3], b[i, 3]) - np.maximum(b[k, 1], b[i, 1]) + 1)
            inter = iw * ih
            with np.errstate(divide="ignore", invalid="ignore"):
                iou = inter / (area[k] + area[i] - inter)
            if np.any(iou >= threshold):
                continue
        keep.append(int(i))
    return np.array(keep, dtype=np.int64)
