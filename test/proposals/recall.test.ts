// Recall metrics on hand-computed cases (+1 pixel areas).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { boxPairIou } from '../../src/data/boxes.js';
import { bestOverlaps, datasetRecall } from '../../src/proposals/recall.js';

test('IoU uses +1 areas', () => {
  // 10x10 boxes overlapping in a 5x10 strip: 50 / (100 + 100 - 50)
  assert.ok(Math.abs(boxPairIou([0, 0, 9, 9], 0, [5, 0, 14, 9], 0) - 50 / 150) < 1e-12);
  assert.is(boxPairIou([0, 0, 0, 0], 0, [0, 0, 0, 0], 0), 1); // a single pixel has area 1
  assert.is(boxPairIou([0, 0, 4, 4], 0, [5, 0, 9, 4], 0), 0); // touching, not overlapping
  assert.ok(Math.abs(boxPairIou([0, 0, 4, 4], 0, [4, 4, 8, 8], 0) - 1 / 49) < 1e-12); // one shared pixel
});

test('best overlaps and dataset recall at 0.5 / 0.7, ABO, boxes per image', () => {
  const gt1 = [0, 0, 9, 9, 20, 20, 29, 29];
  const props1 = [0, 0, 9, 7, 50, 50, 60, 60, 20, 20, 29, 29]; // 0.8 for the first, 1 for the second
  const b = bestOverlaps(props1, gt1);
  assert.ok(Math.abs(b[0] - 0.8) < 1e-12);
  assert.is(b[1], 1);
  const gt2 = [0, 0, 9, 9];
  const props2 = [0, 0, 9, 5]; // 60 / 100 = 0.6
  const r = datasetRecall([
    { proposals: props1, gt: gt1 },
    { proposals: props2, gt: gt2 },
    { proposals: [], gt: [] },
  ]);
  assert.is(r.images, 3);
  assert.is(r.groundTruth, 3);
  assert.equal(r.thresholds, [0.5, 0.7]);
  assert.ok(Math.abs(r.recall[0] - 1) < 1e-12);
  assert.ok(Math.abs(r.recall[1] - 2 / 3) < 1e-12);
  assert.ok(Math.abs(r.averageBestOverlap - (0.8 + 1 + 0.6) / 3) < 1e-12);
  assert.ok(Math.abs(r.meanBoxesPerImage - 4 / 3) < 1e-12);
  // keeping only the first proposal of each image loses the second object of image 1
  const capped = datasetRecall(
    [
      { proposals: props1, gt: gt1 },
      { proposals: props2, gt: gt2 },
    ],
    [0.5],
    1,
  );
  assert.ok(Math.abs(capped.recall[0] - 2 / 3) < 1e-12);
  assert.is(capped.meanBoxesPerImage, 1);
  // IoU exactly at the threshold counts
  assert.is(datasetRecall([{ proposals: [0, 0, 9, 4], gt: [0, 0, 9, 9] }], [0.5]).recall[0], 1);
  assert.throws(() => bestOverlaps([1, 2, 3], [0, 0, 1, 1]), /flat \[n\*4\]/);
});

test.run();
