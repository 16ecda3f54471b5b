// Bundles the training page: src/main.ts -> dist/page.js (the page: form, plot, tables; no engine) and
// src/worker.ts -> dist/worker.js (the library with the WASM binary and the WebGL shaders inside, which
// trains). Both are classic scripts (IIFE). A worker script cannot start from a file:// page, so the
// page is served: `npm run serve -- --example train-browser` builds when stale and serves this folder.
// Usage: node examples/train-browser/build.mjs [--if-stale]
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundlesAreStale, ensureWasmBinary } from '../../scripts/exampleBuild.mjs';
import { glslPlugin } from '../../scripts/glsl.mjs';

export const exampleDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(exampleDir, '../..');
const outputs = ['dist/page.js', 'dist/worker.js'].map((f) => join(exampleDir, f));

/** True when a bundle is missing or older than anything it is built from. */
export function bundleIsStale() {
  return bundlesAreStale(outputs, exampleDir);
}

/** Builds dist/page.js and dist/worker.js (the WASM binary first when it was never built). */
export async function buildExample({ quiet = false } = {}) {
  const t0 = Date.now();
  ensureWasmBinary(quiet);
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: { page: join(exampleDir, 'src/main.ts'), worker: join(exampleDir, 'src/worker.ts') },
    outdir: join(exampleDir, 'dist'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    logLevel: 'warning',
    // detectorClient.ts reads import.meta.url for loadDetector's own worker and handles it being empty here.
    logOverride: { 'empty-import-meta': 'silent' },
    absWorkingDir: root,
    plugins: [glslPlugin(join(root, 'glsl'))],
  });
  if (!quiet)
    console.log(
      `training page built in ${((Date.now() - t0) / 1000).toFixed(1)} s -> ${outputs.map((f) => `${f} (${(statSync(f).size / 1e6).toFixed(2)} MB)`).join(', ')}`,
    );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--if-stale') && !bundleIsStale()) console.log('training page bundles are up to date');
  else await buildExample();
}
