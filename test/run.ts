// Runs the uvu suites of test/ in this process and prints one summary line. Used by scripts/test.mjs
// in Node; test/browser/ runs the same files in a page. Usage: tsx test/run.ts [substring filters...]
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const g = globalThis as any;
g.UVU_DEFER = 1;
g.UVU_QUEUE = [];

const dir = fileURLToPath(new URL('.', import.meta.url));
function walk(d: string): string[] {
  return readdirSync(d).flatMap((f) => {
    const p = join(d, f);
    if (statSync(p).isDirectory()) return f === 'browser' || f === 'fixtures' ? [] : walk(p);
    return f.endsWith('.test.ts') ? [p] : [];
  });
}
const filters = process.argv.slice(2);
const files = walk(dir)
  .sort()
  .filter((f) => !filters.length || filters.some((x) => f.includes(x)));

let passed = 0,
  failed = 0,
  skipped = 0;
const failures: string[] = [];
for (let i = 0; i < files.length; i++) {
  const name = relative(dir, files[i]);
  g.UVU_INDEX = i;
  g.UVU_QUEUE[i] = [name];
  try {
    await import(pathToFileURL(files[i]).href);
  } catch (e) {
    failed++;
    failures.push(`${name}: failed to load: ${(e as Error).stack}`);
    g.UVU_QUEUE[i] = [name];
  }
}
for (const group of g.UVU_QUEUE) {
  const name = group.shift();
  process.stdout.write(`\n${name}\n`);
  for (const runner of group) {
    const [errs, ran, skip, total] = await runner();
    passed += ran;
    skipped += skip;
    failed += total - ran;
    if (errs !== true) failures.push(errs);
  }
}
if (failures.length) process.stdout.write('\n' + failures.join('\n') + '\n');
process.stdout.write(`\nnode: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exitCode = failed ? 1 : 0;
