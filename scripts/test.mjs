// `npm test`: type-check, the layering check (dependency-cruiser, .dependency-cruiser.cjs), the
// dead-export check (knip, knip.json), the format check (biome format) and the linter (biome lint,
// biome.jsonc; a warning fails it too), the uvu suites in Node (WASM backend), then the same suites
// in headless Chromium (WebGL2 backend) when Chromium is installed, and the PyTorch twin's suite
// (python/tests) when a python3 imports torch and torchvision (Debian: python3-torch,
// python3-torchvision), else counted as skipped. Ends with one line `N passed, N failed, N skipped`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumPath } from './chromium.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let passed = 0,
  failed = 0,
  skipped = 0;

function run(label, cmd, argv) {
  console.log(`\n=== ${label}`);
  const r = spawnSync(cmd, argv, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 28 });
  process.stdout.write(r.stdout ?? '');
  const m = /(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/m.exec(r.stdout ?? '');
  return { status: r.status, m };
}

if (!existsSync(join(root, 'src/backends/wasm/binary.generated.ts'))) {
  console.log('build outputs missing: running the build first');
  spawnSync('node', ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
}

if (!args.length) {
  const tc = run('typecheck (tsc --noEmit)', join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json', '--noEmit']);
  if (tc.status === 0) passed++;
  else failed++;
  const layers = run('layers (depcruise src)', join(root, 'node_modules/.bin/depcruise'), ['src', '--config', '.dependency-cruiser.cjs']);
  if (layers.status === 0) passed++;
  else failed++;
  const knip = run('dead exports, files and dependencies (knip)', join(root, 'node_modules/.bin/knip'), ['--no-progress']);
  if (knip.status === 0) passed++;
  else failed++;
  const format = run('format (biome format; npx biome format --write fixes it)', join(root, 'node_modules/.bin/biome'), ['format']);
  if (format.status === 0) passed++;
  else failed++;
  const lint = run('lint (biome lint)', join(root, 'node_modules/.bin/biome'), ['lint', '--error-on-warnings']);
  if (lint.status === 0) passed++;
  else failed++;
}

const node = run('node (wasm backend)', process.execPath, [
  '--import',
  './scripts/relaxed-simd.mjs',
  '--import',
  'tsx',
  'test/run.ts',
  ...args,
]);
if (node.m) {
  passed += +node.m[1];
  failed += +node.m[2];
  skipped += +(node.m[3] ?? 0);
} else {
  failed++;
  console.log('node suite crashed before printing its summary');
}
if (node.m && node.status !== 0 && +node.m[2] === 0) failed++;

// The twin's suite, unless filters that do not name it were given. PYTHON, then python3, then
// Debian's own python3 (a pyenv or venv python3 on PATH may lack Debian's torch).
if (!args.length || args.some((a) => a.includes('python'))) {
  const py = [process.env.PYTHON, 'python3', '/usr/bin/python3'].find(
    (p) => p && spawnSync(p, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0,
  );
  if (py) {
    process.env.PYTHONDONTWRITEBYTECODE = '1'; // no __pycache__ in the tree
    const pt = run(`python (PyTorch twin, ${py})`, py, ['python/tests/run.py']);
    if (pt.m) {
      passed += +pt.m[1];
      failed += +pt.m[2];
      skipped += +(pt.m[3] ?? 0);
    } else {
      failed++;
      console.log('python suite crashed before printing its summary');
    }
    if (pt.m && pt.status !== 0 && +pt.m[2] === 0) failed++;
  } else {
    const dir = join(root, 'python/tests');
    const n = readdirSync(dir)
      .filter((f) => /^test_.*\.py$/.test(f))
      .reduce((k, f) => k + (readFileSync(join(dir, f), 'utf8').match(/^ {4}def test_/gm) ?? []).length, 0);
    skipped += n;
    console.log(
      `\n=== python suite SKIPPED (${n} tests): no python3 imports torch and torchvision (apt-get install -y python3-torch python3-torchvision)`,
    );
  }
}

if (existsSync(join(root, 'test/browser/run.mjs'))) {
  if (existsSync(chromiumPath)) {
    const br = run('browser (webgl backend, headless Chromium)', process.execPath, ['test/browser/run.mjs', ...args]);
    if (br.m) {
      passed += +br.m[1];
      failed += +br.m[2];
      skipped += +(br.m[3] ?? 0);
    } else {
      failed++;
      console.log('browser suite crashed before printing its summary');
    }
  } else {
    console.log(`\n=== browser suite NOT RUN: no Chromium at ${chromiumPath} (apt-get install -y chromium)`);
  }
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
