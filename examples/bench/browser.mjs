// `npm run bench:browser [row names...] [--train]`: dense kernels on our WebGL backend against TF.js's
// WebGL backend (4.22) in the same headless Chromium page. Ratio = TF.js time / our time (> 1: we are
// faster). --train adds one Fast R-CNN training step (default config) on WebGL and on WASM in the page.
// The machine is shared and SwiftShader renders on the CPU, so treat the numbers as noisy.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../scripts/chromium.mjs';
import { glslPlugin } from '../../scripts/glsl.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const out = mkdtempSync(join(tmpdir(), 'fastrcnn-bench-'));
const esbuild = await import('esbuild');
const glsl = glslPlugin(join(root, 'glsl'));
await esbuild.build({
  entryPoints: [join(root, 'examples/bench/browser-page.ts')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  outfile: join(out, 'page.js'),
  target: 'es2022',
  logLevel: 'error',
  plugins: [glsl],
  absWorkingDir: root,
  external: ['node:*', 'fs', 'path', 'url', 'os', 'zlib', 'crypto', 'worker_threads', 'perf_hooks'],
});
const server = http.createServer((req, res) => {
  if (req.url === '/page.js') {
    res.setHeader('content-type', 'text/javascript');
    res.end(readFileSync(join(out, 'page.js')));
    return;
  }
  if (req.url === '/') {
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>');
    return;
  }
  res.statusCode = 404;
  res.end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => globalThis.fastrcnnBench, null, { timeout: 60000 });
  const all = await page.evaluate(() => globalThis.fastrcnnBench.rows);
  const want = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = want.length ? all.filter((n) => want.some((w) => n.includes(w))) : process.argv.includes('--train') ? [] : all;
  const gl = await page.evaluate(() => {
    const c = new OffscreenCanvas(1, 1).getContext('webgl2');
    const e = c.getExtension('WEBGL_debug_renderer_info');
    return e ? c.getParameter(e.UNMASKED_RENDERER_WEBGL) : c.getParameter(c.RENDERER);
  });
  console.log(`renderer: ${gl}; ours vs TF.js webgl 4.22, median ms (each side timed alternately, readback included)\n`);
  const head = ['row', 'GFLOP', 'ours ms', 'GFLOP/s', 'tfjs ms', 'GFLOP/s', 'ratio'];
  console.log(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
  for (const n of names) {
    const [r] = await page.evaluate((n) => globalThis.fastrcnnBench.bench([n]), n);
    console.log(
      `| ${r.name} | ${r.gflop.toFixed(3)} | ${r.oursMs.toFixed(1)} | ${((r.gflop / r.oursMs) * 1e3).toFixed(2)} | ${r.tfjsMs.toFixed(1)} | ${((r.gflop / r.tfjsMs) * 1e3).toFixed(2)} | ${r.ratio.toFixed(2)}× |`,
    );
  }
  if (process.argv.includes('--train')) {
    console.log('\nFast R-CNN training step (default config: 2 images 240×320, 128 RoIs, forward + loss + backward), median ms:');
    for (const b of ['webgl', 'wasm']) {
      try {
        console.log(`  ${b}: ${(await page.evaluate((b) => globalThis.fastrcnnBench.trainStep(b), b)).toFixed(0)} ms`);
      } catch (e) {
        console.log(`  ${b}: failed: ${e.message.split('\n')[0]}`);
      }
    }
  }
} finally {
  await browser.close();
  server.close();
  rmSync(out, { recursive: true, force: true });
}
