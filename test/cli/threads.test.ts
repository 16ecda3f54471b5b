// `--threads N` on any command: the WASM kernel threads for the run (src/cli/run.ts), checked before
// the command's own options; a bad value is a usage error (exit 2, one line).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../src/app/threads/kernelThreads.js';
import { setThreads, threadInfo } from '../../src/index.js';
import { cli } from '../helpers/cli.js';

test('--threads sets the kernel threads, in either spelling, and the command runs', async () => {
  const before = threadInfo().requested;
  try {
    // synth without --out fails on its own options after --threads was taken
    let r = await cli('synth', '--threads', '3');
    assert.is(threadInfo().requested, 3);
    assert.is(r.code, 2);
    assert.match(r.err, /--out is required/);
    r = await cli('synth', '--threads=1');
    assert.is(threadInfo().requested, 1);
    assert.not.match(r.err, /threads/);
  } finally {
    setThreads(before);
  }
});

test('a bad --threads is a usage error', async () => {
  for (const v of ['0', '17', '2.5', 'x']) {
    const r = await cli('synth', '--threads', v);
    assert.is(r.code, 2, v);
    assert.match(r.err, /--threads needs a whole number from 1 to 16/);
  }
  const r = await cli('synth', '--threads');
  assert.is(r.code, 2);
});

test('help lists --threads', async () => {
  assert.match((await cli('--help')).out, /--threads N/);
  assert.match((await cli('synth', '--help')).out, /--threads/);
});

test.run();
