// Channel-order augmentation (train.permuteChannels): Fast R-CNN images and pre-training crops keep
// their pixels and RoIs, with the three colour planes in a random order, every order appearing.
// Checked against the unaugmented network input built independently (imageBlob), and on a painted
// image where each plane is recognizable (a red square on blue).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import '../../src/index.js';
import { baseConfig } from '../../src/detection/model/config.js';
import { imageBlob } from '../../src/detection/model/input.js';
import { minibatchParts, roidbEntry } from '../../src/detection/training/minibatch.js';
import { sampleCropArrays } from '../../src/detection/training/pretrain.js';
import { permuteChannelPlanes } from '../../src/data/transforms.js';
import { createRgbImage } from '../../src/data/types.js';
import { Rng } from '../../src/util/random.js';
import { squareScene } from './squareScene.js';

const test = suite('detection: channel-order augmentation');

const { W, H, img, rec, proposals } = squareScene();

/** Which plane of `ref` each plane of `got` equals (exactly), or -1. */
function planeOrder(got: Float32Array, ref: Float32Array, at: number, plane: number): number[] {
  return [0, 1, 2].map(
    (k) => [0, 1, 2].find((j) => got.subarray(at + k * plane, at + (k + 1) * plane).every((v, i) => v === ref[at + j * plane + i])) ?? -1,
  );
}

test('permuteChannelPlanes moves whole planes; a bad order is an error', () => {
  const d = Float32Array.from([9, 0, 0, 1, 1, 2, 2, 7]);
  permuteChannelPlanes(d, 1, 2, [2, 0, 1]);
  assert.equal(Array.from(d), [9, 2, 2, 0, 0, 1, 1, 7]);
  assert.throws(() => permuteChannelPlanes(d, 0, 2, [0, 0, 1]), /perm must order 0, 1, 2/);
});

test('Fast R-CNN images: the planes of imageBlob in a random order (all six), RoIs and labels kept', () => {
  const cfg = baseConfig();
  cfg.train.scales = [48];
  cfg.train.batchSize = 8;
  cfg.train.imsPerBatch = 1;
  const entry = roidbEntry(rec, proposals, ['square'], cfg, false);
  const ref = imageBlob(img, 48, cfg.train.maxSize, cfg, false).data;
  const on = structuredClone(cfg);
  on.train.permuteChannels = true;
  const seen = new Set<string>();
  for (let s = 0; s < 40; s++) {
    const a = minibatchParts([entry], cfg, new Rng(s), () => img)[0],
      b = minibatchParts([entry], on, new Rng(s), () => img)[0];
    assert.equal(Array.from(a.images), Array.from(ref), 'off: the plain input');
    assert.equal(Array.from(b.rois), Array.from(a.rois));
    assert.equal(Array.from(b.labels), Array.from(a.labels));
    const order = planeOrder(b.images, ref, 0, W * H);
    assert.equal([...order].sort(), [0, 1, 2], `planes ${order}`);
    seen.add(order.join());
  }
  assert.is(seen.size, 6);
});

test('pre-training crops: each crop its own order, the same regions', () => {
  const cfg = baseConfig();
  cfg.train.pretrain = { ...cfg.train.pretrain, batch: 24, cropSize: 16, bgFraction: 0.5 };
  const entry = roidbEntry(rec, proposals, ['square'], cfg, false);
  const on = structuredClone(cfg);
  on.train.permuteChannels = true;
  const a = sampleCropArrays([entry], cfg, new Rng(4), () => img);
  const b = sampleCropArrays([entry], on, new Rng(4), () => img);
  // The first crop is drawn before any order: same region; its planes are a permutation.
  const P = 16 * 16;
  assert.equal(Array.from(b.rois.subarray(0, 5)), Array.from(a.rois.subarray(0, 5)));
  assert.equal([...planeOrder(b.images, a.images, 0, P)].sort(), [0, 1, 2]);
  // On a one-colour image each crop's planes are constants: every order appears over the batch.
  const flat = createRgbImage(W, H, [40, 90, 200]);
  const c = sampleCropArrays([entry], on, new Rng(5), () => flat);
  const level = [0, 1, 2].map((k) => ([40, 90, 200][k] - cfg.pixelMeans[k]) / cfg.pixelStds[k]);
  const orders = new Set<string>();
  for (let i = 0; i < 24; i++) {
    const at = i * 3 * P;
    // A plane's level names the channel it came from (inside the image; the crop window can stick out).
    const order = [0, 1, 2].map((k) => level.findIndex((l) => Math.abs(c.images[at + k * P + 8 * 16 + 8] - l) < 1e-4));
    assert.equal([...order].sort(), [0, 1, 2], `crop ${i}: ${order}`);
    orders.add(order.join());
  }
  assert.is(orders.size, 6);
});

test.run();
