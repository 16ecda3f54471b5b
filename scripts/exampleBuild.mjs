// What the example bundlers (examples/*/build.mjs) share: whether their bundles are older than
// anything they are built from, and the WASM binary built first on a clean clone.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function newestMtime(p) {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(
    s.mtimeMs,
    ...readdirSync(p)
      .filter((f) => f !== 'dist' && f !== 'node_modules')
      .map((f) => newestMtime(join(p, f))),
  );
}

/** True when one of `outputs` is missing or older than the library's sources or the example's own files. */
export function bundlesAreStale(outputs, exampleDir) {
  if (!outputs.every((f) => existsSync(f))) return true;
  const built = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  return ['src', 'glsl', 'build']
    .map((d) => join(root, d))
    .concat([exampleDir])
    .some((p) => newestMtime(p) > built);
}

/** Builds the WASM binary module when it was never built (a bundle embeds it). */
export function ensureWasmBinary(quiet = false) {
  if (!existsSync(join(root, 'src/backends/wasm/binary.generated.ts')))
    execFileSync(process.execPath, ['scripts/build.mjs', '--wasm-only'], { cwd: root, stdio: quiet ? 'ignore' : 'inherit' });
}
