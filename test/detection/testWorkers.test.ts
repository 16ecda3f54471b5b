// testStep on two threads (workers: 2, the demo's default): a worker thread detects every other
// image. The results files must be byte-identical to the single-thread run's for a model file, and
// progress must count every image.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../src/index.js';
import '../helpers/backend.js';
import { trainDetector } from '../../src/app/train.js';
import { testStep } from '../../src/app/pipeline.js';
import { tempDir, tinyConfig, tinyDataset } from './helpers.js';

const test = suite('detection: testing on two threads');

test('workers: 2 writes the same results files and table as one thread', async () => {
  const data = tinyDataset(12, 21);
  const dir = tempDir('tw');
  const cfg = tinyConfig(8);
  cfg.test.scoreThresh = 0; // keep every detection, so the files are long
  const r = await trainDetector({ data, out: join(dir, 'm.safetensors'), config: cfg, log: null, progress: 'none', workers: 1 });
  r.model.dispose();
  const lines: string[] = [];
  const one = testStep({ model: join(dir, 'm.safetensors'), data, split: 'test', results: join(dir, 'r1'), log: () => {} });
  const two = testStep({
    model: join(dir, 'm.safetensors'),
    data,
    split: 'test',
    results: join(dir, 'r2'),
    log: (m) => lines.push(m),
    workers: 2,
  });
  assert.ok(one.images >= 4, `${one.images} test images`);
  assert.is(two.images, one.images);
  assert.equal(
    two.files.map((f) => f.split('/').pop()),
    one.files.map((f) => f.split('/').pop()),
  );
  let bytes = 0;
  one.files.forEach((f, i) => {
    const a = readFileSync(f, 'utf8'),
      b = readFileSync(two.files[i], 'utf8');
    assert.is(b, a, `${f} differs`);
    bytes += a.length;
  });
  assert.ok(bytes > 0, 'some detections were written');
  assert.equal(two.table, one.table);
  assert.ok(
    lines.some((l) => l.includes(`${one.images}/${one.images}`)),
    `progress reaches ${one.images}/${one.images}: ${lines.join(' | ')}`,
  );
});

test.run();
