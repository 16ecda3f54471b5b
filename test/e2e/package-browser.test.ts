// End to end, as a page that uses the npm package would: dist/browser/index.js imported as an ES
// module (no bundler), `loadDetector(url, { worker: true })` starting that same file as its worker,
// and `detect` on an <img>. The oracle is this process's detect on the same PNG's pixels. Skipped
// (with a message) when there is no Chromium, or no build (dist/browser/index.js: `npm run build`).
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.node.js';
// @ts-expect-error: a plain .mjs script without type declarations
import { chromiumPath, launchChromium } from '../../scripts/chromium.mjs';

const test = suite('e2e: the package in a page (dist/browser, worker: true)');
const root = resolve(fileURLToPath(import.meta.url), '../../..');
const FILES: Record<string, string> = {
  '/index.js': 'dist/browser/index.js',
  '/model.safetensors': 'examples/browser/model.safetensors',
  '/sample.png': 'examples/browser/samples/000091.png',
};
const PAGE = `<!doctype html><meta charset="utf-8"><title>package</title><img id="img" src="/sample.png">
<script type="module">
import { loadDetector, version } from '/index.js';
window.result = (async () => {
  const img = document.getElementById('img');
  await img.decode();
  const detector = await loadDetector('/model.safetensors', { worker: true, backend: 'wasm' });
  const found = await detector.detect(img, { minScore: 0.3 });
  detector.dispose();
  return { version, backend: detector.backend, found };
})().catch((e) => ({ error: String(e && e.stack || e) }));
</script>`;

const ready = existsSync(chromiumPath) && existsSync(join(root, FILES['/index.js']));
if (!ready) console.log(`  (skipped: needs Chromium at ${chromiumPath} and the build's dist/browser/index.js)`);

test('an <img> in a page, detected in the package worker, gives the detections of Node on the same pixels', async () => {
  if (!ready) return;
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') {
      res.setHeader('content-type', 'text/html');
      res.end(PAGE);
      return;
    }
    const file = FILES[path];
    if (!file) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-type', extname(file) === '.js' ? 'text/javascript' : 'application/octet-stream');
    res.end(readFileSync(join(root, file)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const browser = await launchChromium(chromiumPath);
  try {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r: { url(): string }) => requests.push(new URL(r.url()).pathname));
    await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
    const got = await page.evaluate(() => (window as any).result);
    assert.is(got.error, undefined, got.error);
    assert.is(got.version, fr.version);
    assert.is(got.backend, 'wasm');
    assert.is(requests.filter((p) => p === '/index.js').length, 2, 'the bundle is loaded by the page and again as the worker');

    const img = await fr.decodeImage(new Uint8Array(readFileSync(join(root, FILES['/sample.png']))));
    const { model, config } = fr.modelFromBytes(new Uint8Array(readFileSync(join(root, FILES['/model.safetensors']))));
    const want = fr
      .detect(model, img, fr.selectiveSearch(img, fr.DEFAULT_SS_OPTIONS), config)
      .detections.filter((d) => d.score >= 0.3)
      .sort((a, b) => b.score - a.score);
    model.dispose();
    assert.ok(want.length >= 3);
    assert.is(got.found.length, want.length);
    got.found.forEach((p: fr.Prediction, i: number) => {
      assert.is(p.className, want[i].className);
      assert.ok(Math.abs(p.score - want[i].score) < 1e-4, `score ${p.score} vs ${want[i].score}`);
      p.box.forEach((v, k) => assert.ok(Math.abs(v - want[i].box[k]) <= 1, `box ${p.box} vs ${want[i].box}`));
    });
  } finally {
    await browser.close();
    server.close();
  }
});

test.run();
