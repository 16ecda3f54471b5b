// What a page downloads for detection: the inference path (loadDetector + detect, with the engine,
// both backends and the embedded WASM) bundled from src/ as an app would (esbuild, minified, tree-
// shaken), gzipped; beside it TensorFlow.js's core + webgl + wasm backends (their minified builds and
// the SIMD .wasm, gzipped) from node_modules. `node scripts/size.mjs` (npm run bench prints it too).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const gz = (b) => gzipSync(b, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

async function bundle(contents) {
  const r = await esbuild.build({
    stdin: { contents, resolveDir: root, sourcefile: 'entry.ts', loader: 'ts' },
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['node:*'],
    logLevel: 'error',
  });
  return r.outputFiles[0].contents;
}

export async function sizes() {
  const detector = await bundle(
    "import { ready } from './src/ready.ts'; export { loadDetector } from './src/detection/model/detector.ts'; ready();",
  );
  const full = await bundle("export * from './src/index.ts';");
  const tf = [
    '@tensorflow/tfjs-core/dist/tf-core.min.js',
    '@tensorflow/tfjs-backend-webgl/dist/tf-backend-webgl.min.js',
    '@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js',
    '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
  ].map((f) => {
    try {
      return readFileSync(join(root, 'node_modules', f));
    } catch {
      return null;
    }
  });
  return {
    detector: { raw: detector.length, gzip: gz(detector) },
    full: { raw: full.length, gzip: gz(full) },
    tfjs: tf.every(Boolean) ? { raw: tf.reduce((a, b) => a + b.length, 0), gzip: tf.reduce((a, b) => a + gz(b), 0) } : null,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = await sizes();
  console.log('Download size (minified, gzip -9; JS with the WASM embedded)');
  console.log(
    `  fastrcnn inference path (loadDetector + detect, WASM + WebGL)  ${kb(s.detector.gzip).padStart(9)}  (${kb(s.detector.raw)} minified)`,
  );
  console.log(
    `  fastrcnn whole browser entry (engine, training, everything)    ${kb(s.full.gzip).padStart(9)}  (${kb(s.full.raw)} minified)`,
  );
  if (s.tfjs)
    console.log(
      `  TF.js 4.22 core + webgl + wasm (min.js + SIMD .wasm)            ${kb(s.tfjs.gzip).padStart(9)}  (${kb(s.tfjs.raw)}); ratio ${(s.tfjs.gzip / s.detector.gzip).toFixed(2)}x`,
    );
}
