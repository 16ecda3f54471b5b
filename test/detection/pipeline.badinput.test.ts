// Bad input gets a clear error or a warning and a skip, never a crash: corrupt and missing images,
// an image without proposals, an annotation without objects, an empty split, a model from another
// class list, paths that do not exist.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../src/index.js';
import '../helpers/backend.js';
import { trainDetector } from '../../src/app/train.js';
import { testStep } from '../../src/app/pipeline.js';
import { detectStep } from '../../src/app/detectStep.js';
import { loadModel } from '../../src/app/files.js';
import { readSplitIds } from '../../src/app/data/voc.js';
import { saveProposals } from '../../src/proposals/proposalFiles.js';
import { rejects } from '../helpers/rejects.js';
import { tempDir, tinyConfig, tinyDataset } from './helpers.js';

const test = suite('detection: bad input');
const quiet = { log: null, progress: 'none' as const, workers: 1 };
const base = tinyDataset(10, 21);
const cfg = tinyConfig(3);
const trained = await (async () => {
  const d = tempDir('model');
  const r = await trainDetector({ data: base, out: join(d, 'm.safetensors'), config: cfg, ...quiet });
  r.model.dispose();
  return r.modelPath!;
})();

function copy(): string {
  const d = tempDir('bad');
  cpSync(base, d, { recursive: true });
  rmSync(join(d, 'proposals'), { recursive: true, force: true });
  return d;
}

test('corrupt and missing images are warned about and skipped; training completes', async () => {
  const d = copy();
  const ids = readSplitIds(d, 'trainval');
  writeFileSync(join(d, 'JPEGImages', `${ids[0]}.png`), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
  rmSync(join(d, 'JPEGImages', `${ids[1]}.png`));
  const r = await trainDetector({ data: d, out: join(d, 'm.safetensors'), config: cfg, ...quiet });
  r.model.dispose();
  assert.ok(
    r.warnings.some((w) => w.startsWith(ids[0]) && /corrupt|cannot be decoded|unreadable/.test(w)),
    r.warnings.join('\n'),
  );
  assert.ok(
    r.warnings.some((w) => w.startsWith(ids[1]) && /missing/.test(w)),
    r.warnings.join('\n'),
  );
  assert.ok(r.modelPath);
});

test('an image with no proposals trains on its ground truth and gets no detections at test time', async () => {
  const d = copy();
  const tv = readSplitIds(d, 'trainval'),
    te = readSplitIds(d, 'test');
  saveProposals(join(d, 'proposals'), { imageId: tv[0], boxes: new Float32Array(0) });
  saveProposals(join(d, 'proposals'), { imageId: te[0], boxes: new Float32Array(0) });
  const r = await trainDetector({ data: d, out: join(d, 'm.safetensors'), config: cfg, ...quiet });
  r.model.dispose();
  assert.ok(
    r.warnings.some((w) => w.startsWith(tv[0]) && /no proposals/.test(w)),
    r.warnings.join('\n'),
  );
  const t = testStep({ model: r.modelPath!, data: d, split: 'test', log: () => {} });
  assert.ok(
    t.warnings.some((w) => w.startsWith(te[0]) && /no proposals/.test(w)),
    t.warnings.join('\n'),
  );
  const lines = t.files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));
  assert.ok(lines.length > 0, 'other images have detections');
  assert.not.ok(
    lines.some((l) => l.startsWith(te[0] + ' ')),
    'no detections for the image without proposals',
  );
});

test('an annotation without objects keeps the image as background or skips it with a warning', async () => {
  const d = copy();
  const id = readSplitIds(d, 'trainval')[0];
  writeFileSync(
    join(d, 'Annotations', `${id}.xml`),
    `<annotation><filename>${id}.png</filename><size><width>96</width><height>72</height><depth>3</depth></size></annotation>`,
  );
  const r = await trainDetector({ data: d, out: join(d, 'm.safetensors'), config: cfg, ...quiet });
  r.model.dispose();
  assert.ok(
    r.warnings.some((w) => w.startsWith(id)),
    r.warnings.join('\n'),
  );
});

test('an empty split is a clear error', async () => {
  const d = copy();
  writeFileSync(join(d, 'ImageSets', 'Main', 'empty.txt'), '\n');
  await rejects(() => trainDetector({ data: d, split: 'empty', out: join(d, 'm.safetensors'), config: cfg, ...quiet }), /lists no images/);
  await rejects(
    () => trainDetector({ data: d, split: 'nosuch', out: join(d, 'm.safetensors'), config: cfg, ...quiet }),
    /split file not found/,
  );
});

test('a model trained for another class list is a clear error', async () => {
  const d = copy();
  writeFileSync(join(d, 'classes.txt'), 'dog\ncat\n');
  assert.throws(
    () => testStep({ model: trained, data: d, split: 'test', log: () => {} }),
    /trained for classes \[.*\] but .* lists \[dog, cat\]/,
  );
});

test('paths that do not exist are clear errors', async () => {
  await rejects(
    () => trainDetector({ data: '/nonexistent/voc', out: '/tmp/x.safetensors', config: cfg, ...quiet }),
    /VOC directory not found: \/nonexistent\/voc/,
  );
  assert.throws(() => loadModel('/nonexistent/model.safetensors'), /model file not found: \/nonexistent\/model.safetensors/);
  assert.throws(() => testStep({ model: '/nonexistent/m.safetensors', data: base, split: 'test', log: () => {} }), /model file not found/);
  assert.throws(() => detectStep({ model: trained, image: '/nonexistent/img.png' }), /image not found: \/nonexistent\/img.png/);
  const d = tempDir('notmodel');
  writeFileSync(join(d, 'x.safetensors'), 'not a safetensors file at all');
  assert.throws(() => loadModel(join(d, 'x.safetensors')), /x\.safetensors/);
});

test.run();
