// The scale rule on made-up size statistics: the median object lands near the RoI's natural size
// (stride × pool), clamps at both ends, the pyramid and crops follow, and open values are filled in.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  MAX_TEST_SIDE,
  MAX_TRAIN_SIDE,
  MIN_SIDE,
  chooseScales,
  datasetStats,
  resolveScales,
} from '../../src/detection/model/dataScales.js';
import { presetConfig } from '../../src/detection/model/presets.js';

const test = suite('detection: scales from the data');
const model = presetConfig('default').model; // stride 8, 4x4 pooling: r = 32 px

/** n images of w×h, each with one square object of side `obj(i)`. */
function records(n: number, w: number, h: number, obj: (i: number) => number) {
  return Array.from({ length: n }, (_, i) => ({
    width: w,
    height: h,
    objects: [{ box: [0, 0, obj(i) - 1, obj(i) - 1] as [number, number, number, number] }],
  }));
}

test('statistics: sides and sqrt(w·h) object sizes with the +1 rule', () => {
  const s = datasetStats(records(11, 300, 200, (i) => 10 + 10 * i));
  assert.is(s.images, 11);
  assert.is(s.objects, 11);
  assert.equal([s.shortSide.p50, s.longSide.p50], [200, 300]);
  assert.equal([s.objectSize.min, s.objectSize.p10, s.objectSize.p50, s.objectSize.p90, s.objectSize.max], [10, 20, 60, 100, 110]);
});

test('the median object becomes ~48 px (1.5 x 32): 250 px images with 64 px objects train at 3/4 size', () => {
  const c = chooseScales(datasetStats(records(20, 330, 250, () => 64)), model);
  // 250 × 48/64 = 187.5 → nearest multiple of 8, drawn at ×0.75 (138 → 136) and ×1.25 (230 → 232) too
  assert.equal(c.trainScales, [136, 184, 232]);
  assert.equal(c.testScales, [184, 280, 368]); // on the middle scale: ×1.5 = 276 → 280, ×2
  assert.is(c.pyramidArea, 48);
  assert.is(c.cropSize, 36);
  assert.match(c.why, /training at short side 184 \(median object -> 47 px/);
  assert.match(c.why, /each image drawn at one of \[136, 184, 232\]/);
});

test('clamps: at most 2x upsampling, the middle training scale within [MIN_SIDE, MAX_TRAIN_SIDE], pyramid top at MAX_TEST_SIDE', () => {
  const tiny = chooseScales(datasetStats(records(5, 200, 150, () => 6)), model);
  // 48/6 would be 8x: capped at 2x of 150 = 300 → 304 (the middle scale), drawn at ×0.75 and ×1.25 too
  assert.equal(tiny.trainScales, [232, 304, 384]);
  const huge = chooseScales(datasetStats(records(5, 2000, 1500, () => 40)), model);
  assert.equal(huge.trainScales, [240, MAX_TRAIN_SIDE, 400]); // the cap holds the middle scale; the jitter goes ±25% around it
  assert.ok(huge.testScales.every((s) => s <= MAX_TEST_SIDE));
  const big = chooseScales(datasetStats(records(5, 500, 375, () => 370)), model);
  // whole-image objects: the middle scale as small as allowed; the jitter goes ±25% around it
  assert.equal(big.trainScales, [72, MIN_SIDE, 120]);
});

test('resolveScales fills only what the config leaves open, and nothing without objects', () => {
  const stats = datasetStats(records(20, 330, 250, () => 64));
  const cfg = presetConfig('default');
  cfg.test.scales = [];
  cfg.train.scales = [];
  cfg.train.pretrain.cropSize = 48;
  cfg.test.pyramidArea = 40;
  const { config: r, why } = resolveScales(cfg, stats);
  assert.equal([r.train.scales, r.test.scales, r.test.pyramidArea, r.train.pretrain.cropSize], [[136, 184, 232], [184, 280, 368], 40, 48]);
  assert.match(
    why,
    /testing on \[184, 280, 368\] with each RoI at the level nearest 40 px, crops 48 px$/,
    'the line names the values used',
  );
  // a given training scale list is kept as it is, the pyramid built on its middle
  const given = presetConfig('default');
  given.train.scales = [200, 160];
  const g = resolveScales(given, stats);
  assert.equal(
    [g.config.train.scales, g.config.test.scales],
    [
      [200, 160],
      [200, 304, 400],
    ],
  );
  assert.not.match(g.why, /each image drawn/);
  const fixed = presetConfig('shapes');
  assert.is(resolveScales(fixed, stats).why, '');
  assert.throws(() => chooseScales(datasetStats([]), model), /no images with objects/);
});

test.run();
