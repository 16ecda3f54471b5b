// Mini-batch geometry: a flipped roidb entry mirrors ground truth and proposals exactly as the image
// is mirrored (checked on pixels: the RoI of a painted rectangle covers that rectangle in the network
// input), overlaps are unchanged and dx targets change sign; image scaling (short side, long-side
// cap) scales the RoIs by the same factor.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import '../../src/index.js';
import { baseConfig } from '../../src/detection/model/config.js';
import { minibatchParts, roidbEntry } from '../../src/detection/training/minibatch.js';
import { createRgbImage, type RgbImage } from '../../src/data/types.js';
import { Rng } from '../../src/util/random.js';

const test = suite('detection: mini-batch flipping and scaling');

const W = 120,
  H = 90;
const BOX: [number, number, number, number] = [10, 20, 49, 59]; // a 40×40 red square near the left
function image(): RgbImage {
  const img = createRgbImage(W, H, [40, 40, 200]);
  for (let y = BOX[1]; y <= BOX[3]; y++) for (let x = BOX[0]; x <= BOX[2]; x++) img.data.set([250, 10, 10], (y * W + x) * 3);
  return img;
}
const rec = { id: 'a', imagePath: '', width: W, height: H, objects: [{ name: 'square', box: BOX, difficult: false }] };
const proposals = [12, 18, 50, 62, 60, 10, 110, 80, 0, 0, 30, 30];

test('a flipped entry mirrors boxes, keeps overlaps, negates dx', () => {
  const cfg = baseConfig();
  const a = roidbEntry(rec, proposals, ['square'], cfg, false),
    b = roidbEntry(rec, proposals, ['square'], cfg, true);
  assert.is(a.boxes.length, b.boxes.length);
  for (let i = 0; i < a.boxes.length / 4; i++) {
    assert.is(b.boxes[4 * i], W - 1 - a.boxes[4 * i + 2]);
    assert.is(b.boxes[4 * i + 2], W - 1 - a.boxes[4 * i]);
    assert.is(b.boxes[4 * i + 1], a.boxes[4 * i + 1]);
    assert.is(b.boxes[4 * i + 3], a.boxes[4 * i + 3]);
    assert.ok(Math.abs(a.maxOverlaps[i] - b.maxOverlaps[i]) < 1e-6);
    assert.is(a.maxClasses[i], b.maxClasses[i]);
    assert.ok(Math.abs(a.targets[4 * i] + b.targets[4 * i]) < 1e-6, `dx ${a.targets[4 * i]} vs ${b.targets[4 * i]}`);
    for (let k = 1; k < 4; k++) assert.ok(Math.abs(a.targets[4 * i + k] - b.targets[4 * i + k]) < 1e-6);
  }
  assert.ok(a.maxOverlaps[1] > 0.5 && a.targets[4] !== 0, 'the first proposal is foreground with a target');
});

/** Mean of the normalized red channel inside a RoI of a part's image. */
function meanRedInside(part: { images: Float32Array; shape: number[] }, roi: ArrayLike<number>): number {
  const [, , h, w] = part.shape;
  let s = 0,
    n = 0;
  for (let y = Math.ceil(roi[2]) + 1; y <= Math.floor(roi[4]) - 1; y++)
    for (let x = Math.ceil(roi[1]) + 1; x <= Math.floor(roi[3]) - 1; x++) {
      s += part.images[y * w + x];
      n++;
    }
  assert.ok(n > 0 && h > 0);
  return s / n;
}

test('the ground-truth RoI covers the painted square in the (flipped, scaled) network input', () => {
  const cfg = baseConfig();
  const red = (250 - cfg.pixelMeans[0]) / cfg.pixelStds[0];
  for (const flipped of [false, true])
    for (const scale of [90, 180]) {
      cfg.train.scales = [scale];
      const e = roidbEntry(rec, proposals, ['square'], cfg, flipped);
      const img = image();
      // Sample until the ground-truth box (index 0) is among the RoIs.
      for (let seed = 0; seed < 50; seed++) {
        const [part] = minibatchParts([e], cfg, new Rng(seed), () => img);
        const f = scale / H;
        assert.equal(part.shape, [1, 3, Math.round(H * f), Math.round(W * f)]);
        const R = part.labels.length;
        const gt = [...Array(R).keys()].find(
          (k) => Math.abs(part.rois[5 * k + 1] - e.boxes[0] * f) < 1e-4 && Math.abs(part.rois[5 * k + 3] - e.boxes[2] * f) < 1e-4,
        );
        if (gt === undefined) continue;
        const roi = part.rois.subarray(5 * gt, 5 * gt + 5);
        assert.ok(Math.abs(meanRedInside(part, roi) - red) < 0.05, `flipped=${flipped} scale=${scale}: the RoI is not on the square`);
        // The mirrored position (where the square would be without the flip) is background.
        const mirror = [0, part.shape[3] - 1 - roi[3], roi[2], part.shape[3] - 1 - roi[1], roi[4]];
        assert.ok(meanRedInside(part, mirror) < red - 1, 'the mirrored position is not the square');
        break;
      }
    }
});

test('the long side is capped at maxSize and RoIs scale with the image', () => {
  const cfg = baseConfig();
  cfg.train.scales = [600];
  cfg.train.maxSize = 400;
  const e = roidbEntry(rec, proposals, ['square'], cfg, false);
  const [part] = minibatchParts([e], cfg, new Rng(1), () => image());
  const f = 400 / W;
  assert.equal(part.shape, [1, 3, Math.round(H * f), 400]);
  assert.ok(Math.abs(part.scale - f) < 1e-9);
  const R = part.labels.length;
  for (let k = 0; k < R; k++) {
    const x1 = part.rois[5 * k + 1] / f,
      y2 = part.rois[5 * k + 4] / f;
    assert.ok(
      [...Array(e.boxes.length / 4).keys()].some((i) => Math.abs(e.boxes[4 * i] - x1) < 1e-3 && Math.abs(e.boxes[4 * i + 3] - y2) < 1e-3),
    );
  }
});

test.run();
