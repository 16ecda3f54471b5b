// Bundles the browser example (`npm run build:example`): examples/browser/src/main.ts -> dist/app.js,
// one classic script (IIFE) with the library, the WASM binary, the WebGL shaders, the sample images
// and the shipped model inside, so index.html works from a server or opened from disk (file://
// allows neither module scripts nor fetch). Usage: node examples/browser/build.mjs [--if-stale]
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundlesAreStale, ensureWasmBinary } from '../../scripts/exampleBuild.mjs';
import { glslPlugin } from '../../scripts/glsl.mjs';

export const exampleDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(exampleDir, '../..');
export const bundlePath = join(exampleDir, 'dist/app.js');

/** True when dist/app.js is missing or older than anything it is built from. */
export function bundleIsStale() {
  return bundlesAreStale([bundlePath], exampleDir);
}

/** Builds dist/app.js (the WASM binary first when it was never built). Returns the bundle's path. */
export async function buildExample({ quiet = false } = {}) {
  const t0 = Date.now();
  ensureWasmBinary(quiet);
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(exampleDir, 'src/main.ts')],
    outfile: bundlePath,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    logLevel: 'warning',
    // a classic script has no import.meta; only loadDetector's worker: true needs it (the page does not use it)
    logOverride: { 'empty-import-meta': 'silent' },
    absWorkingDir: root,
    loader: { '.png': 'binary', '.safetensors': 'binary' },
    plugins: [glslPlugin(join(root, 'glsl'))],
  });
  if (!quiet)
    console.log(
      `example built in ${((Date.now() - t0) / 1000).toFixed(1)} s -> ${bundlePath} (${(statSync(bundlePath).size / 1e6).toFixed(1)} MB)`,
    );
  return bundlePath;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--if-stale') && !bundleIsStale()) console.log(`example bundle is up to date: ${bundlePath}`);
  else await buildExample();
}
