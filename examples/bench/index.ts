// `npm run bench`: every benchmark table, each script measuring ours and TF.js side by side in one
// process. Extra arguments (e.g. --quick, --no-tfjs) are passed through.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './harness.js';

const scripts = ['ops.ts', 'kernels.ts', 'threads.ts', 'vgg16.ts', 'detection.ts', 'proposals.ts'];
const args = process.argv.slice(2);
let failed = 0;
// Download sizes first (no timing: the same every run)
console.log('\n##### scripts/size.mjs');
if (spawnSync(process.execPath, [join(repoRoot, 'scripts/size.mjs')], { stdio: 'inherit' }).status !== 0) failed++;
for (const s of scripts) {
  console.log(`\n##### examples/bench/${s}`);
  const r = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      join(repoRoot, 'scripts/relaxed-simd.mjs'),
      '--import',
      'tsx',
      join(repoRoot, 'examples/bench', s),
      ...args,
    ],
    {
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) {
    failed++;
    console.log(`(${s} exited with ${r.status})`);
  }
}
process.exit(failed ? 1 : 0);
