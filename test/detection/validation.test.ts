// Validation while training: the mAP it reports equals `fastrcnn test` (testStep) on the same model
// and split; `auto` holds out a seeded part that is not trained on; the best model is written; the
// CSV and SVG carry the values; bad validation splits and budgets are clear errors.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../src/index.js';
import '../helpers/backend.js';
import { trainDetector } from '../../src/app/train.js';
import { testStep } from '../../src/app/pipeline.js';
import { loadModel } from '../../src/app/files.js';
import { parseLossCsv } from '../../src/detection/training/lossPlot.js';
import { autoValidationCount, holdOut } from '../../src/detection/training/validation.js';
import { readSplitIds } from '../../src/app/data/voc.js';
import { rejects } from '../helpers/rejects.js';
import { tempDir, tinyConfig, tinyDataset } from './helpers.js';

const test = suite('detection: validation while training');
const data = tinyDataset(16, 31);
const quiet = { log: null, progress: 'none' as const, workers: 1 };

test('the validation mAP equals testStep on the final model and split; best model and CSV/SVG written', async () => {
  const d = tempDir('val');
  const cfg = tinyConfig(12);
  cfg.test.scoreThresh = 0;
  const r = await trainDetector({ data, out: join(d, 'm.safetensors'), config: cfg, valSplit: 'test', valEvery: 4, ...quiet });
  r.model.dispose();
  assert.equal(
    r.validation.map((v) => v.iteration + 1),
    [4, 8, 12],
  );
  const t = testStep({ model: r.modelPath!, data, split: 'test', results: join(d, 'results'), log: () => {}, workers: 1 });
  assert.is(r.validation[2].map07, t.table.map07, 'validation at the end = fastrcnn test');
  assert.ok(t.table.map07 > 0, 'the model detects something, so the equality means something');
  const best = Math.max(...r.validation.map((v) => v.map07));
  assert.is(r.bestPath, join(d, 'm.best.safetensors'));
  const b = loadModel(r.bestPath!);
  assert.is(+b.metadata.valMap07, best);
  b.model.dispose();
  const logs = parseLossCsv(readFileSync(r.lossCsv, 'utf8'));
  assert.equal(
    logs.filter((l) => l.valMap07 !== undefined).map((l) => [l.iteration, l.valMap07]),
    r.validation.map((v) => [v.iteration, +v.map07.toPrecision(6)]),
  );
  assert.match(readFileSync(r.lossSvg, 'utf8'), /val mAP/);
});

test('auto holds out a seeded part of the training split, never trained on', async () => {
  const ids = readSplitIds(data, 'trainval');
  const a = holdOut(
      ids.map((id) => ({ id })),
      3,
    ),
    b = holdOut(
      ids.map((id) => ({ id })),
      3,
    );
  assert.equal(a.val, b.val, 'seeded');
  assert.is(a.val.length, autoValidationCount(ids.length));
  assert.is(a.val.length + a.train.length, ids.length);
  assert.not.ok(a.val.some((v) => a.train.some((t) => t.id === v.id)));
  assert.equal([autoValidationCount(300), autoValidationCount(1000), autoValidationCount(45)], [45, 100, 10]);
  const lines: string[] = [];
  const r = await trainDetector({
    data,
    out: join(tempDir('auto'), 'm.safetensors'),
    config: tinyConfig(3),
    valSplit: 'auto',
    ...quiet,
    log: (m) => lines.push(m),
  });
  r.model.dispose();
  assert.ok(
    lines.some((l) => /holds out \d+ of the \d+ 'trainval' images/.test(l)),
    lines.join('\n'),
  );
  assert.is(r.validation.length, 3); // 5 times over the run at most: every ceil(3/5) = 1 iteration
});

test('a validation split that is missing or overlaps training, and a budget too small, are clear errors', async () => {
  const d = tempDir('valbad');
  await rejects(
    () => trainDetector({ data, out: join(d, 'm.safetensors'), config: tinyConfig(3), valSplit: 'nosuch', ...quiet }),
    /split file not found/,
  );
  await rejects(
    () => trainDetector({ data, out: join(d, 'm.safetensors'), config: tinyConfig(3), valSplit: 'trainval', ...quiet }),
    /is the training split/,
  );
  const ids = readSplitIds(data, 'trainval');
  writeFileSync(join(data, 'ImageSets', 'Main', 'mixed.txt'), ids.slice(0, 2).join('\n') + '\n');
  await rejects(
    () => trainDetector({ data, out: join(d, 'm.safetensors'), config: tinyConfig(3), valSplit: 'mixed', ...quiet }),
    /shares 2 image\(s\) with 'trainval'/,
  );
  const e = await rejects(
    () => trainDetector({ data, out: join(d, 'm.safetensors'), config: tinyConfig(0), timeBudget: 0.5, ...quiet }),
    /too small to train/,
  );
  assert.match(e.message, /give at least --time \d+m/);
  await rejects(() => trainDetector({ data, out: d, config: tinyConfig(3), ...quiet }), /is a directory/);
  assert.not.ok(existsSync(join(d, 'm.safetensors')));
});

test('a time budget: the run is planned to it and ends within it', async () => {
  const d = tempDir('budget');
  const cfg = tinyConfig(0);
  cfg.train.pretrain = { ...cfg.train.pretrain, ratio: 0.4, batch: 8, cropSize: 0 };
  cfg.test.pyramidArea = 0;
  const t0 = performance.now();
  const r = await trainDetector({ data, out: join(d, 'm.safetensors'), config: cfg, timeBudget: 10, ...quiet });
  const s = (performance.now() - t0) / 1000;
  r.model.dispose();
  assert.ok(r.plan.iterations >= 200, `planned ${r.plan.iterations}`);
  // Pre-training was planned at 0.4 x T from the probe's costs and fixed when it ended.
  // (T shrinks after pre-training when the machine slows down, e.g. under another job: hence 0.8, not 0.4)
  assert.ok(r.plan.pretrain > 0 && r.plan.pretrain <= 0.8 * r.plan.iterations, JSON.stringify(r.plan));
  assert.ok(s < 10 * 1.25, `took ${s.toFixed(1)} s of 10`); // loose: timings are not asserted tightly in tests
  assert.ok(existsSync(r.modelPath!));
});

test.run();
