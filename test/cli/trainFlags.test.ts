// fastrcnn train's new flags refuse nonsense with one-line errors and exit 2: an unknown preset, an
// unreadable --time, --time with --iterations, --workers out of range; --help lists the presets.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import '../../src/index.js';
import '../helpers/backend.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { tempDir, tinyDataset } from '../detection/helpers.js';

const test = suite('cli: train flags');

test('bad values are one-line errors with exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['--preset', 'fastest'], /unknown preset 'fastest' \(presets: default, paper, shapes\)/],
    [['--time', 'ten minutes'], /--time: cannot read the time 'ten minutes'/],
    [['--time', '5m', '--iterations', '100'], /give --time or --iterations, not both/],
    [['--workers', '5'], /--workers must be an integer in \[1, 2\], got '5'/],
  ];
  for (const [flags, re] of cases) {
    const r = await cli('train', '--data', '/nonexistent', '--out', '/tmp/m.safetensors', ...flags);
    assert.is(r.code, 2, flags.join(' '));
    assert.match(r.err, re);
    assert.is(r.err.trim().split('\n').length, 1, `one line: ${r.err}`);
  }
});

// Each command refuses nonsense the same way (issue 12's bad command lines): no silent clamping, no
// "0% recall" from a mode that does not exist, no config value of the wrong type.
test('every command: bad values are one-line errors with exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['proposals', '--data', '/x', '--mode', 'bogus'], /--mode must be paper or fast or single, got 'bogus'/],
    [['proposals', '--data', '/x', '--max-boxes', '0'], /--max-boxes must be an integer >= 1, got '0'/],
    [['synth', '--out', '/tmp/x', '--test-fraction', '2'], /--test-fraction must be a number in \[0, 1\], got '2'/],
    [['synth', '--out', '/tmp/x', '--format', 'gif'], /--format must be jpeg or png, got 'gif'/],
    [['test', '--model', 'm', '--data', '/x', '--workers', '3'], /--workers must be an integer in \[1, 2\], got '3'/],
    [['detect', '--model', 'm', '--image', 'i.png', '--threshold', '2'], /--threshold must be a number in \[0, 1\], got '2'/],
    [['train', '--data', '/x', '--out', 'm', '--set', 'train.stepFractions=["a"]'], /'train.stepFractions\[0\]': expected number, got "a"/],
    [['train', '--data', '/x', '--out', 'm', '--set', 'test.scoreThresh=2'], /'test.scoreThresh': must be in \[0, 1\], got 2/],
    [['train', '--data', '/x', '--out', 'm', '--set', 'train.maxSize=-1'], /'train.maxSize': must be an integer in \[1, 2048\], got -1/],
    [['train', '--data', '/x', '--out', 'm', '--iterations', ''], /--iterations must be an integer >= 1, got ''/],
    [['train', '--data', '/x', 'model.safetensors'], /unexpected argument 'model.safetensors' \(options start with --\)/],
    [['eval', '--data', '/x', '--', 'x'], /'--' is not an option/],
  ];
  for (const [argv, re] of cases) {
    const r = await cli(...argv);
    assert.is(r.code, 2, argv.join(' '));
    assert.match(r.err, re);
    assert.is(r.err.trim().split('\n').length, 1, `one line: ${r.err}`);
  }
});

test('--resume: the same settings continue, other settings are refused naming them', async () => {
  const dir = tempDir('resume-flags');
  const data = tinyDataset(6, 9);
  const tiny = join(dir, 'tiny.json');
  writeFileSync(
    tiny,
    JSON.stringify({
      model: { backbone: { stages: [[4], [8]] }, fc: [16, 16], roiPoolSize: [3, 3] },
      train: { scales: [72], batchSize: 32, warmupIters: 2, maxProposals: 200, hardMining: { candidates: 32 }, pretrain: { batch: 8 } },
      test: { scales: [72], maxProposals: 200 },
    }),
  );
  const out = join(dir, 'm.safetensors');
  const common = ['--data', data, '--out', out, '--config', tiny, '--workers', '1'];
  assert.is((await cli('train', ...common, '--iterations', '4')).code, 0);
  const bad = await cli('train', ...common, '--iterations', '6', '--resume', '--set', 'train.lr=0.5', '--set', 'model.dropout=0.1');
  assert.is(bad.code, 2, bad.err);
  assert.match(
    bad.err,
    /--resume continues .*m\.ckpt with its own settings.*\(checkpoint vs asked: model\.dropout: 0 vs 0\.1; train\.lr: 0\.02 vs 0\.5\)/,
  );
  assert.is(bad.err.trim().split('\n').length, 1);
  const same = await cli('train', ...common, '--iterations', '6', '--resume');
  assert.is(same.code, 0, same.err);
  // fewer iterations than the checkpoint has done: no "-2 iterations", a message saying what to ask
  const fewer = await cli('train', ...common, '--iterations', '4', '--resume');
  assert.is(fewer.code, 1);
  assert.match(fewer.err, /--resume: the checkpoint is at Fast R-CNN iteration 6, past the 4 asked for; ask for at least 6/);
});

test('--help names the presets, --time and --val-split', async () => {
  const h = await cli('train', '--help');
  for (const w of ['--preset', 'default', 'paper', 'shapes', '--time', '--val-split']) assert.match(h.out + h.err, w);
});

test.run();
