// Photometric augmentation (train.colourJitter): each plane of the network input is an affine map
// of the plain input (imageBlob, built independently) with gains and shifts in the documented
// ranges; RoIs and labels are kept; pre-training crops get it too; 0 leaves the input alone.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import '../../src/index.js';
import { baseConfig, validateConfig } from '../../src/detection/model/config.js';
import { imageBlob } from '../../src/detection/model/input.js';
import { minibatchParts, roidbEntry } from '../../src/detection/training/minibatch.js';
import { sampleCropArrays } from '../../src/detection/training/pretrain.js';
import { Rng } from '../../src/util/random.js';
import { squareScene } from './squareScene.js';

const test = suite('detection: colour jitter');
const { W, H, img, rec, proposals } = squareScene();
// One more row whose colours vary along x.
for (let x = 0; x < W; x++) img.data.set([x * 4, 255 - x * 3, 60], (40 * W + x) * 3);

/** Least-squares gain and bias of got ≈ g·ref + b over one plane, in float64, and the worst residual. */
function fit(got: Float32Array, ref: Float32Array, o: number, n: number) {
  let sx = 0,
    sy = 0,
    sxx = 0,
    sxy = 0;
  for (let i = 0; i < n; i++) {
    const x = ref[o + i],
      y = got[o + i];
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const g = (n * sxy - sx * sy) / (n * sxx - sx * sx),
    b = (sy - g * sx) / n;
  let r = 0;
  for (let i = 0; i < n; i++) r = Math.max(r, Math.abs(got[o + i] - (g * ref[o + i] + b)));
  return { g, b, r };
}

test('Fast R-CNN images: each plane an affine map of the plain input, within the ranges; RoIs kept', () => {
  const cfg = baseConfig();
  cfg.train.scales = [48];
  cfg.train.batchSize = 8;
  cfg.train.imsPerBatch = 1;
  const entry = roidbEntry(rec, proposals, ['square'], cfg, false);
  const ref = imageBlob(img, 48, cfg.train.maxSize, cfg, false).data;
  const j = 0.3,
    on = structuredClone(cfg);
  on.train.colourJitter = j;
  const gains: number[] = [],
    biases: number[] = [];
  for (let s = 0; s < 30; s++) {
    const a = minibatchParts([entry], cfg, new Rng(s), () => img)[0],
      b = minibatchParts([entry], on, new Rng(s), () => img)[0];
    assert.equal(Array.from(a.images), Array.from(ref), 'off: the plain input');
    assert.equal(Array.from(b.rois), Array.from(a.rois));
    assert.equal(Array.from(b.labels), Array.from(a.labels));
    const f = [0, 1, 2].map((c) => fit(b.images, ref, c * W * H, W * H));
    for (const x of f) {
      assert.ok(x.r < 1e-4, `affine residual ${x.r}`);
      assert.ok(x.g >= (1 - j) * (1 - j / 2) - 1e-6 && x.g <= (1 + j) * (1 + j / 2) + 1e-6, `gain ${x.g}`);
      assert.ok(Math.abs(x.b) <= j + 1e-6, `bias ${x.b}`);
    }
    assert.ok(Math.abs(f[0].b - f[1].b) < 1e-4 && Math.abs(f[1].b - f[2].b) < 1e-4, 'one brightness shift for all planes');
    gains.push(...f.map((x) => x.g));
    biases.push(f[0].b);
  }
  assert.ok(Math.max(...gains) - Math.min(...gains) > 0.3, 'gains vary');
  assert.ok(Math.max(...biases) - Math.min(...biases) > 0.2, 'shifts vary');
});

test('pre-training crops are jittered too; the option is validated', () => {
  const cfg = baseConfig();
  cfg.train.scales = [48];
  cfg.train.pretrain.batch = 4;
  cfg.train.pretrain.cropSize = 16;
  const entry = roidbEntry(rec, proposals, ['square'], cfg, false);
  const on = structuredClone(cfg);
  on.train.colourJitter = 0.2;
  const a = sampleCropArrays([entry], cfg, new Rng(3), () => img),
    b = sampleCropArrays([entry], on, new Rng(3), () => img);
  const n = 16 * 16;
  const f = fit(b.images, a.images, 0, n);
  assert.ok(f.r < 1e-4 && Math.abs(f.g - 1) + Math.abs(f.b) > 1e-3, JSON.stringify(f));
  const bad = structuredClone(cfg);
  bad.train.colourJitter = 1.5;
  assert.throws(() => validateConfig(bad), /train.colourJitter/);
});

test.run();
