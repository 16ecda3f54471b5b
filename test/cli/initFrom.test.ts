// fastrcnn train --init-from: the report on stderr (loaded, left at init, ignored), the loaded values
// in the trained model where the layer is frozen (trainFrom conv2_1, and no pre-training, which
// trains every layer, so conv1_1 keeps them exactly), a shape mismatch as an error naming both
// shapes, and a missing file refused before the data is read.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import '../../src/index.js';
import '../helpers/backend.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { tempDir, tinyDataset } from '../detection/helpers.js';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from '../../src/nn/safetensors.js';
import { Rng } from '../../src/util/random.js';

const test = suite('cli: train --init-from');

const dir = tempDir('init-from');
const data = tinyDataset(4, 9);
const tiny = join(dir, 'tiny.json');
writeFileSync(
  tiny,
  JSON.stringify({
    model: { backbone: { stages: [[4], [8]], trainFrom: 'conv2_1', norm: 'none' }, fc: [16, 16], roiPoolSize: [3, 3] },
    train: { scales: [72], batchSize: 32, warmupIters: 1, maxProposals: 200, pretrain: { ratio: 0, iterations: 0 } },
    test: { scales: [72], maxProposals: 200 },
  }),
);
const common = ['--data', data, '--config', tiny, '--workers', '1', '--iterations', '2'];
const rng = new Rng(4);
const randn = (n: number) => Float32Array.from({ length: n }, () => rng.normal() * 0.1);

test('loads by name, reports, and the frozen conv1_1 keeps the file values', async () => {
  const file = new Map<string, NamedArray>([
    ['conv1_1.weight', { shape: [4, 3, 3, 3], data: randn(108) }],
    ['conv1_1.bias', { shape: [4], data: randn(4) }],
    ['conv2_1.weight', { shape: [8, 4, 3, 3], data: randn(288) }],
    ['classifier.0.weight', { shape: [3], data: randn(3) }],
  ]);
  const init = join(dir, 'init.safetensors');
  writeFileSync(init, encodeSafetensors(file));
  const out = join(dir, 'm.safetensors');
  const r = await cli('train', ...common, '--out', out, '--init-from', init);
  assert.is(r.code, 0, r.err);
  assert.match(r.err, /init-from .*init\.safetensors:\n {2}loaded \(3 tensors\): conv1_1\.weight, conv1_1\.bias, conv2_1\.weight\n/);
  assert.match(
    r.err,
    /\n {2}left at init \(9 tensors\): conv2_1\.bias, fc6\.weight, fc6\.bias, fc7\.weight, fc7\.bias, cls_score\.weight, /,
  );
  assert.match(r.err, /\n {2}ignored from the file \(1 tensor\): classifier\.0\.weight\n/);
  const saved = decodeSafetensors(new Uint8Array(readFileSync(out))).tensors;
  assert.equal(Array.from(saved.get('conv1_1.weight')!.data), Array.from(file.get('conv1_1.weight')!.data));
  assert.equal(Array.from(saved.get('conv1_1.bias')!.data), Array.from(file.get('conv1_1.bias')!.data));
  // conv2_1 trains: it starts from the file and moves
  assert.not.equal(Array.from(saved.get('conv2_1.weight')!.data), Array.from(file.get('conv2_1.weight')!.data));
});

test('a shape mismatch is one line naming the tensor and both shapes; a missing file fails before the data', async () => {
  const bad = join(dir, 'bad.safetensors');
  writeFileSync(bad, encodeSafetensors(new Map([['conv2_1.weight', { shape: [8, 3, 3, 3], data: randn(216) }]])));
  const r = await cli('train', ...common, '--out', join(dir, 'b.safetensors'), '--init-from', bad);
  assert.is(r.code, 1);
  assert.match(r.err, /bad\.safetensors: tensor 'conv2_1\.weight' is \[8, 3, 3, 3\] in the file but \[8, 4, 3, 3\] in the model/);
  const gone = await cli(
    'train',
    '--data',
    '/nonexistent',
    '--out',
    join(dir, 'c.safetensors'),
    '--init-from',
    join(dir, 'none.safetensors'),
  );
  assert.is(gone.code, 1);
  assert.match(gone.err, /--init-from file not found: .*none\.safetensors/);
});

test.run();
