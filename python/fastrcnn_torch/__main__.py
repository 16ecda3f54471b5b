"""python3 -m fastrcnn_torch detect --model M --image IMG --proposals P.json [--threshold T]

Detections of one image by the twin, printed as the JSON `fastrcnn detect --json` writes (class,
score to 4 decimals, box to 0.1 px, at or above the threshold, default 0.5). The proposals file is
ours (`{"boxes": [[x1, y1, x2, y2], ...]}`, e.g. <data>/proposals/<id>.json from `fastrcnn proposals`).
Images are decoded by torchvision: PNG gives our pixels exactly; a JPEG decoder may differ from
ours in the last bits, and EXIF rotation is not applied.
"""

import argparse
import json
import sys

import numpy as np
import torchvision

from .detect import detect
from .model import load_model


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m fastrcnn_torch", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("detect", help="detections of one image from its proposals")
    d.add_argument("--model", required=True, help="our model file (.safetensors)")
    d.add_argument("--image", required=True, help="PNG or JPEG image")
    d.add_argument("--proposals", required=True, help='proposals JSON ({"boxes": [[x1, y1, x2, y2], ...]})')
    d.add_argument("--threshold", type=float, default=0.5, help="report detections scoring at least this (default 0.5)")
    a = p.parse_args(argv)
    model, config, _ = load_model(a.model)
    image = torchvision.io.read_image(a.image, torchvision.io.ImageReadMode.RGB).permute(1, 2, 0).numpy()
    with open(a.proposals) as f:
        boxes = json.load(f).get("boxes")
    if not isinstance(boxes, list):
        sys.exit(f'{a.proposals}: expected {{"boxes": [[x1, y1, x2, y2], ...]}}')
    # ours reads proposals into float32
    dets = detect(model, image, np.asarray(boxes, dtype=np.float32).reshape(-1, 4), config)
    shown = [
        {"class": x.class_name, "score": round(x.score, 4), "box": [round(v, 1) for v in x.box]} for x in dets if x.score >= a.threshold
    ]
    print(json.dumps({"image": a.image, "width": image.shape[1], "height": image.shape[0], "detections": shown}, indent=1))


if __name__ == "__main__":
    main()
