// The fixtures the Python twin's suite reads (twinFixtures.ts), checked here so that they stay right
// where torch is not installed: every run and image has outputs, detecting again from the saved model
// file gives the same numbers (the twin->ours test compares against such a second pass), and the
// VGG16 features command loads an init file through --init-from's loader.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import '../../src/index.js';
import '../helpers/backend.js';
import { join } from 'node:path';
import { encodeSafetensors } from '../../src/nn/safetensors.js';
import { formatInitReport } from '../../src/detection/model/initFrom.js';
import { tempDir } from '../detection/helpers.js';
import { detectRuns, makeFixtures, vgg16Features } from './twinFixtures.js';

const test = suite('python twin: fixtures');

test('runs for both models and every image; a second pass from the file gives the same numbers', async () => {
  const dir = tempDir('twin');
  const m = await makeFixtures(dir, 2);
  assert.equal(
    m.runs.map((r) => `${r.model}/${r.name}`),
    ['plain/default', 'plain/pyramid_flip', 'plain/no_bbox_reg', 'compact/default'],
  );
  assert.is(m.images.length, 4);
  for (const r of m.runs) {
    assert.is(r.results.length, 4);
    for (const x of r.results) assert.ok(x.rois.length > 0 && x.scores.length === (x.rois.length / 4) * 7, `${r.model}/${r.name}`);
  }
  const again = detectRuns(join(dir, 'plain.safetensors'), dir, 'plain');
  assert.equal(
    again,
    m.runs.filter((r) => r.model === 'plain'),
  );
});

test('vgg16 features: conv5_3 at stride 16 of weights loaded by name', () => {
  const w = Float32Array.from({ length: 64 * 27 }, (_, i) => Math.sin(i));
  const init = encodeSafetensors(new Map([['conv1_1.weight', { shape: [64, 3, 3, 3], data: w }]]));
  const f = vgg16Features(init, new Float32Array(3 * 32 * 48).fill(0.5), 32, 48, 'v.safetensors');
  assert.equal(f.shape, [1, 512, 2, 3]);
  assert.match(
    formatInitReport(f.report),
    /^init-from v\.safetensors:\n {2}loaded \(1 tensor\): conv1_1\.weight\n {2}left at init \(33 tensors\): conv1_1\.bias, /,
  );
});

test.run();
