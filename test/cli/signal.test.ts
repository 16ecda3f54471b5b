// Nothing lost on Ctrl-C: a real `fastrcnn train` process gets SIGINT in the middle of a run, writes
// its checkpoint and exits 130; --resume then ends with exactly the bytes of an uninterrupted run.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../../src/index.js';
import '../helpers/backend.js';
import { runCli } from '../../src/cli/run.js';
import { tempDir, tinyDataset } from '../detection/helpers.js';

const test = suite('cli: signals');
const root = fileURLToPath(new URL('../..', import.meta.url));
const silent = { out: () => {}, err: () => {}, tty: false };

function trainProcess(args: string[]) {
  // The same WASM build as this process (relaxed SIMD where it loaded): FMA changes the last bits.
  const child = spawn(
    process.execPath,
    ['--import', join(root, 'scripts/relaxed-simd.mjs'), '--import', 'tsx', join(root, 'src/cli/main.ts'), 'train', ...args],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '',
    out = '';
  child.stderr.on('data', (b) => {
    err += b;
  });
  child.stdout.on('data', (b) => {
    out += b;
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exit, text: () => ({ out, err }) };
}

test('SIGINT mid-run: checkpoint, exit 130, and --resume gives the uninterrupted model byte for byte', async () => {
  const data = tinyDataset(8, 41);
  const dir = tempDir('sig');
  const tiny = join(dir, 'tiny.json');
  writeFileSync(
    tiny,
    JSON.stringify({
      model: { backbone: { stages: [[4], [8]] }, fc: [16, 16], roiPoolSize: [3, 3] },
      train: { scales: [72], batchSize: 32, warmupIters: 2, maxProposals: 200, hardMining: { candidates: 32 }, pretrain: { batch: 8 } },
      test: { scales: [72], maxProposals: 200 },
    }),
  );
  const common = ['--data', data, '--config', tiny, '--iterations', '300', '--workers', '1'];
  // The uninterrupted run (in this process; same code path as the CLI).
  assert.is(await runCli(['train', ...common, '--out', join(dir, 'a.safetensors')], silent), 0);

  const csv = join(dir, 'b.loss.csv');
  const p = trainProcess([...common, '--out', join(dir, 'b.safetensors')]);
  // Wait until the run is well under way (rows in its loss CSV), then interrupt it.
  const t0 = Date.now();
  while (Date.now() - t0 < 60000) {
    await new Promise((r) => setTimeout(r, 100));
    if (existsSync(csv) && readFileSync(csv, 'utf8').split('\n').length > 60) break;
  }
  p.child.kill('SIGINT');
  const code = await p.exit;
  const { out, err } = p.text();
  assert.is(code, 130, `exit code (stderr: ${err.slice(-500)})`);
  assert.match(err, /SIGINT: finishing this step and writing the checkpoint/);
  assert.match(out, /interrupted after \d+ steps/);
  assert.ok(existsSync(join(dir, 'b.ckpt')), 'checkpoint written');
  assert.not.ok(existsSync(join(dir, 'b.safetensors')), 'no model yet');
  const done = readFileSync(csv, 'utf8').trim().split('\n').length - 1;
  assert.ok(done > 50 && done < 420, `${done} steps before the signal`);

  assert.is(await runCli(['train', ...common, '--out', join(dir, 'b.safetensors'), '--resume'], silent), 0);
  assert.ok(
    readFileSync(join(dir, 'a.safetensors')).equals(readFileSync(join(dir, 'b.safetensors'))),
    'resumed model differs from the uninterrupted one',
  );
});

test.run();
