// fastrcnn train's new flags refuse nonsense with one-line errors and exit 2: an unknown preset, an
// unreadable --time, --time with --iterations, --workers out of range; --help lists the presets.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import '../../src/index.js';
import '../helpers/backend.js';
import { cli } from '../helpers/cli.js';

const test = suite('cli: train flags');

test('bad values are one-line errors with exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['--preset', 'fastest'], /unknown preset 'fastest' \(presets: default, paper, shapes\)/],
    [['--time', 'ten minutes'], /--time: cannot read the time 'ten minutes'/],
    [['--time', '5m', '--iterations', '100'], /give --time or --iterations, not both/],
    [['--workers', '5'], /--workers must be 1 or 2, got 5/],
  ];
  for (const [flags, re] of cases) {
    const r = await cli('train', '--data', '/nonexistent', '--out', '/tmp/m.safetensors', ...flags);
    assert.is(r.code, 2, flags.join(' '));
    assert.match(r.err, re);
    assert.is(r.err.trim().split('\n').length, 1, `one line: ${r.err}`);
  }
});

test('--help names the presets, --time and --val-split', async () => {
  const h = await cli('train', '--help');
  for (const w of ['--preset', 'default', 'paper', 'shapes', '--time', '--val-split']) assert.match(h.out + h.err, w);
});

test.run();
