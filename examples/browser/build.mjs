// Bundles the browser example (`npm run build:example`): examples/browser/src/main.ts -> dist/app.js,
// one classic script (IIFE) with the library, the WASM binary, the WebGL shaders, the sample images
// and the shipped model inside, so index.html works from a server or opened from disk (file://
// allows neither module scripts nor fetch). Usage: node examples/browser/build.mjs [--if-stale]
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadShaders } from '../../scripts/glsl.mjs';

export const exampleDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(exampleDir, '../..');
export const bundlePath = join(exampleDir, 'dist/app.js');

// The page always gets the current glsl/, whether or not scripts/build.mjs has regenerated the module.
const glslPlugin = {
  name: 'glsl',
  setup(b) {
    b.onLoad({ filter: /shaders\.generated\.ts$/ }, () => {
      return { contents: `export const shaders = ${JSON.stringify(loadShaders(join(root, 'glsl')))};`, loader: 'ts' };
    });
  },
};

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

/** True when dist/app.js is missing or older than anything it is built from. */
export function bundleIsStale() {
  if (!existsSync(bundlePath)) return true;
  const built = statSync(bundlePath).mtimeMs;
  return ['src', 'glsl', 'build']
    .map((d) => join(root, d))
    .concat([exampleDir])
    .some((p) => newestMtime(p) > built);
}

/** Builds dist/app.js (the WASM binary first when it was never built). Returns the bundle's path. */
export async function buildExample({ quiet = false } = {}) {
  const t0 = Date.now();
  if (!existsSync(join(root, 'src/backends/wasm/binary.generated.ts'))) {
    execFileSync(process.execPath, ['scripts/build.mjs', '--wasm-only'], { cwd: root, stdio: quiet ? 'ignore' : 'inherit' });
  }
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
    plugins: [glslPlugin],
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
