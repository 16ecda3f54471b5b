"""The network's input as ours makes it (src/detection/model/input.ts, src/data/transforms.ts), bit for bit:
flip, (pixel - mean) / std into float32 CHW, then a bilinear resize of the float image whose source
coordinate is (d + 0.5) / scale - 0.5 clamped to the image (OpenCV's INTER_LINEAR mapping), driven by
the nominal scale. The arithmetic is float64 rounded to float32 where ours stores float32, so the
blob equals ours exactly and the RoIs round to the same feature cells.
"""

import math

import numpy as np


def js_round(x):
    """JavaScript's Math.round: the nearest integer, halves toward +infinity (Python's round() goes to even)."""
    f = math.floor(x)
    return f + 1 if x - f >= 0.5 else f


def compute_scale(width, height, short_side, max_size):
    """The factor that makes the short side `short_side`, reduced so the rounded long side is at most max_size."""
    lo, hi = min(width, height), max(width, height)
    scale = short_side / lo
    if js_round(scale * hi) > max_size:
        scale = max_size / hi
    return scale


def _taps(src_len, dst_len, scale):
    s = np.clip((np.arange(dst_len, dtype=np.float64) + 0.5) / scale - 0.5, 0, src_len - 1)
    i0 = np.floor(s).astype(np.int64)
    return i0, np.minimum(i0 + 1, src_len - 1), s - i0


def image_blob(image, short_side, max_size, pixel_means, pixel_stds, flip=False):
    """(blob float32 [3, h, w], scale) of an RGB uint8 image [H, W, 3] at a short side."""
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image must be uint8 [H, W, 3] (RGB), got {image.dtype} {list(image.shape)}")
    height, width = image.shape[:2]
    if flip:
        image = image[:, ::-1]
    chw = image.transpose(2, 0, 1).astype(np.float64)
    means = np.asarray(pixel_means, dtype=np.float64)[:, None, None]
    inv = 1.0 / np.asarray(pixel_stds, dtype=np.float64)[:, None, None]
    f = ((chw - means) * inv).astype(np.float32).astype(np.float64)
    scale = compute_scale(width, height, short_side, max_size)
    out_w, out_h = max(1, js_round(width * scale)), max(1, js_round(height * scale))
    x0, x1, wx = _taps(width, out_w, scale)
    y0, y1, wy = _taps(height, out_h, scale)
    top = f[:, y0][:, :, x0] + (f[:, y0][:, :, x1] - f[:, y0][:, :, x0]) * wx
    bot = f[:, y1][:, :, x0] + (f[:, y1][:, :, x1] - f[:, y1][:, :, x0]) * wx
    blob = top + (bot - top) * wy[:, None]
    return blob.astype(np.float32), scale


def clean_proposals(proposals, width, height, max_count=0):
    """float32 [R, 4]: proposals clipped to the image, non-finite or inverted ones dropped, at most max_count (0 = all)."""
    p = np.asarray(proposals, dtype=np.float64).reshape(-1, 4)
    out = []
    for x1, y1, x2, y2 in p:
        if max_count and len(out) >= max_count:
            break
        if not all(math.isfinite(v) for v in (x1, y1, x2, y2)):
            continue
        x1, x2 = min(max(x1, 0), width - 1), min(max(x2, 0), width - 1)
        y1, y2 = min(max(y1, 0), height - 1), min(max(y2, 0), height - 1)
        if x2 < x1 or y2 < y1:
            continue
        out.append((x1, y1, x2, y2))
    return np.array(out, dtype=np.float32).reshape(-1, 4)
