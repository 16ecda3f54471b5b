#!/usr/bin/env python3
"""OpenCV's Selective Search (ximgproc, fast mode) on a VOC-format folder, for examples/bench/ss-recall.ts.

Writes JSON: {"opencv": version, "threads": 1, "images": {id: {"ms": t, "boxes": [x1, y1, x2, y2, ...]}}}
with boxes 0-based, pixel-inclusive (our convention: OpenCV's Rect (x, y, w, h) -> x, y, x+w-1, y+h-1),
in OpenCV's rank order. Time per image is the wall time of process() alone (switchToSelectiveSearchFast
converts the image to HSV and Lab, which is also timed), one OpenCV thread (cv2.setNumThreads(1)).

Usage: /usr/bin/python3 examples/bench/ss_opencv.py VOC_DIR SPLIT OUT.json [--limit N] [--threads T]
(the Debian python3-opencv; SPLIT names ImageSets/Main/SPLIT.txt, 'all' reads every JPEGImages file,
'ids:FILE' takes the ids listed in FILE).
"""
import json
import os
import sys
import time

import cv2


def main():
    args = sys.argv[1:]
    limit = None
    threads = 1
    if '--limit' in args:
        i = args.index('--limit')
        limit = int(args[i + 1])
        del args[i:i + 2]
    if '--threads' in args:
        i = args.index('--threads')
        threads = int(args[i + 1])
        del args[i:i + 2]
    root, split, out = args
    cv2.setNumThreads(threads)
    if split.startswith('ids:'):  # a file listing the ids, one per line
        with open(split[4:]) as f:
            ids = [l.strip() for l in f if l.strip()]
    elif split == 'all':
        ids = sorted(os.path.splitext(f)[0] for f in os.listdir(os.path.join(root, 'JPEGImages')))
    else:
        with open(os.path.join(root, 'ImageSets', 'Main', split + '.txt')) as f:
            ids = [l.split()[0] for l in f if l.strip() and not l.startswith('#')]
    if limit:
        ids = ids[:limit]
    ss = cv2.ximgproc.segmentation.createSelectiveSearchSegmentation()
    res = {}
    for k, id_ in enumerate(ids):
        path = None
        for ext in ('.jpg', '.png', '.jpeg', '.JPG', '.PNG', '.JPEG'):
            p = os.path.join(root, 'JPEGImages', id_ + ext)
            if os.path.exists(p):
                path = p
                break
        if path is None:
            continue
        img = cv2.imread(path, cv2.IMREAD_COLOR)
        if k == 0:  # warm-up, untimed
            ss.setBaseImage(img)
            ss.switchToSelectiveSearchFast()
            ss.process()
        t0 = time.perf_counter()
        ss.setBaseImage(img)
        ss.switchToSelectiveSearchFast()
        rects = ss.process()
        ms = (time.perf_counter() - t0) * 1000
        boxes = []
        for x, y, w, h in rects.tolist():
            boxes += [x, y, x + w - 1, y + h - 1]
        res[id_] = {'ms': ms, 'boxes': boxes}
    with open(out, 'w') as f:
        json.dump({'opencv': cv2.__version__, 'threads': threads, 'images': res}, f)


if __name__ == '__main__':
    main()
