"""Detection on one image as ours does it (src/detection/model/detect.ts): proposals cleaned, each RoI
assigned a pyramid level, RoIs on the same feature cells computed once, the head in chunks, softmax,
class-specific decoding and clipping, the mirror image averaged in when test.flip, then per class a
score threshold and NMS, and the best maxPerImage over all classes.
"""

from collections import namedtuple

import numpy as np
import torch

from .boxes import clip_boxes, decode_boxes, nms
from .input import clean_proposals, compute_scale, image_blob, js_round

# Every test setting a model file's config has. A key outside these is an option this twin cannot
# reproduce: refused, never ignored.
TEST_KEYS = {"scales", "maxSize", "pyramidArea", "nms", "scoreThresh", "maxPerImage", "maxProposals", "bboxReg", "flip", "chunk"}

Detection = namedtuple("Detection", "class_index class_name score box")
RawDetections = namedtuple("RawDetections", "rois scores boxes")


def check_test_config(test):
    unknown = set(test) - TEST_KEYS
    if unknown:
        raise ValueError(f"fastrcnn_torch does not support test setting(s) {sorted(unknown)} (knows {sorted(TEST_KEYS)})")
    missing = TEST_KEYS - set(test)
    if missing:
        raise ValueError(f"test config lacks {sorted(missing)}")
    if not test["scales"]:
        raise ValueError("test.scales is empty (it is chosen from the data when training; give the scales)")
    return test


def _levels(rois, factors, area):
    """The pyramid level whose scale factor brings each RoI's area closest to area² (one level: all 0)."""
    lv = np.zeros(len(rois), dtype=np.int64)
    if len(factors) <= 1:
        return lv
    for i, (x1, y1, x2, y2) in enumerate(rois.astype(np.float64)):
        a = (x2 - x1 + 1) * (y2 - y1 + 1)
        best, bd = 0, float("inf")
        for k, s in enumerate(factors):
            d = abs(a * s * s - area * area)
            if d < bd:
                best, bd = k, d
        lv[i] = best
    return lv


@torch.no_grad()
def _score_rois(model, image, rois, levels, config, test, flip):
    """Softmax scores [R, K+1] and deltas [R, 4(K+1)] of every RoI, on the image or its mirror image."""
    k1 = model.num_classes
    width = image.shape[1]
    scores = np.zeros((len(rois), k1), dtype=np.float32)
    deltas = np.zeros((len(rois), 4 * k1), dtype=np.float32)
    r4 = rois
    if flip:
        r = rois.astype(np.float64)
        r4 = np.stack([width - 1 - r[:, 2], r[:, 1], width - 1 - r[:, 0], r[:, 3]], axis=1).astype(np.float32)
    device = next(model.parameters()).device
    for lv, short_side in enumerate(test["scales"]):
        blob, scale = image_blob(image, short_side, test["maxSize"], config["pixelMeans"], config["pixelStds"], flip)
        # distinct feature-cell footprints at this scale (the original's DEDUP_BOXES = 1/stride)
        f = scale / model.stride
        members = np.nonzero(levels == lv)[0]
        uniq, rep, inv = {}, [], []
        for i in members:
            key = tuple(js_round(float(v) * f) for v in r4[i])
            if key not in uniq:
                uniq[key] = len(rep)
                rep.append(i)
            inv.append(uniq[key])
        if not rep:
            continue
        feats = model.features(torch.from_numpy(blob)[None].to(device))
        scaled = (r4[rep].astype(np.float64) * scale).astype(np.float32)
        u_scores, u_deltas = [], []
        for c0 in range(0, len(rep), test["chunk"]):
            part = torch.from_numpy(scaled[c0 : c0 + test["chunk"]]).to(device)
            batch = torch.zeros(len(part), 1, device=device)
            cls, bbox = model.head(model.pool(feats, torch.cat([batch, part], 1)))
            u_scores.append(torch.softmax(cls, 1).cpu().numpy())
            u_deltas.append(bbox.cpu().numpy())
        scores[members] = np.concatenate(u_scores)[inv]
        deltas[members] = np.concatenate(u_deltas)[inv]
    if flip:
        deltas[:, 0::4] = -deltas[:, 0::4]
    return scores, deltas


def im_detect(model, image, proposals, config, test=None):
    """RawDetections(rois [R, 4], scores [R, K+1], boxes [R, 4(K+1)]) of an RGB uint8 image [H, W, 3]
    from proposals [P, 4] (x1, y1, x2, y2, pixel-inclusive), under `test` (default config['test'])."""
    test = check_test_config(dict(test if test is not None else config["test"]))
    was_training = model.training
    model.eval()
    try:
        image = np.asarray(image)
        height, width = image.shape[:2]
        k1 = model.num_classes
        rois = clean_proposals(proposals, width, height, test["maxProposals"])
        if not len(rois):
            return RawDetections(rois, np.zeros((0, k1), np.float32), np.zeros((0, 4 * k1), np.float32))
        factors = [compute_scale(width, height, s, test["maxSize"]) for s in test["scales"]]
        levels = _levels(rois, factors, test["pyramidArea"])
        scores, deltas = _score_rois(model, image, rois, levels, config, test, False)
        if test["flip"]:
            s2, d2 = _score_rois(model, image, rois, levels, config, test, True)
            scores = (0.5 * (scores.astype(np.float64) + s2)).astype(np.float32)
            deltas = (0.5 * (deltas.astype(np.float64) + d2)).astype(np.float32)
        if not test["bboxReg"]:
            return RawDetections(rois, scores, np.tile(rois, (1, k1)))
        return RawDetections(rois, scores, clip_boxes(decode_boxes(rois, deltas), height, width))
    finally:
        model.train(was_training)


def postprocess(raw, classes, test):
    """Per class: RoIs scoring above scoreThresh, NMS at test.nms; then the best maxPerImage over all classes."""
    dets = []
    scores = raw.scores.astype(np.float64)  # compared in float64, as ours (a float32 threshold would differ)
    for k in range(1, len(classes) + 1):
        idx = np.nonzero(scores[:, k] > test["scoreThresh"])[0]
        if not len(idx):
            continue
        b = raw.boxes[idx, 4 * k : 4 * k + 4]
        s = raw.scores[idx, k]
        for m in nms(b, s, test["nms"]):
            dets.append(Detection(k, classes[k - 1], float(s[m]), [float(v) for v in b[m]]))
    dets.sort(key=lambda d: (-d.score, d.class_index))
    if test["maxPerImage"] > 0:
        dets = dets[: test["maxPerImage"]]
    return dets


def detect(model, image, proposals, config, test=None):
    """Detections (class_index 1..K, class_name, score, box in image pixels), best first."""
    test = dict(test if test is not None else config["test"])
    return postprocess(im_detect(model, image, proposals, config, test), model.classes, test)
