// End to end: builds and serves examples/browser (scripts/serve.mjs), opens it in headless Chromium,
// lets it detect on a bundled sample on WebGL and then on WASM, and checks the detections listed in
// the page against the same model's detections computed here in Node (modelFromBytes + Selective
// Search + detect on the same decoded pixels). Also: bad inputs give messages, and a browser without
// WebGL2 falls back to WASM. Saves a screenshot to the OS temp folder and prints its path.
// Skipped (with a message) when there is no Chromium at /usr/bin/chromium (or $CHROMIUM_PATH).
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.node.js';
// @ts-expect-error: a plain .mjs script without type declarations
import { chromiumPath, launchChromium } from '../../scripts/chromium.mjs';
import { type Row, compareDetections, example, imageHash, pageErrors, serveExample, waitRuns } from './example-page.js';

const test = suite('e2e: browser example');
/** The sample the test runs on, and its index in the page (?sample=N). */
const SAMPLE = '000091',
  SAMPLE_INDEX = 2;
/** The page lists detections scoring at least this (its slider's default). */
const THRESHOLD = 0.5;
/** Per backend: score tolerance against Node's WASM run; boxes within 1 px. */
const SCORE_TOL: Record<string, number> = { wasm: 1e-4, webgl: 2e-3 };

/**
 * A file as a plain Uint8Array (a copy): Buffer.slice is a view, not a copy, and the safetensors
 * reader's slice-then-.buffer would then read the wrong bytes.
 */
const bytesOf = (path: string) => new Uint8Array(readFileSync(path));

/** Node's detections of the shipped model on the sample: the oracle. */
async function nodeDetections(): Promise<{ rows: Row[]; hash: string; all: fr.Detection[] }> {
  const img = await fr.decodeImage(bytesOf(join(example, `samples/${SAMPLE}.png`)));
  const { model, config } = fr.modelFromBytes(bytesOf(join(example, 'model.safetensors')), { source: 'model.safetensors' });
  try {
    const proposals = fr.selectiveSearch(img, fr.DEFAULT_SS_OPTIONS);
    const r = fr.detect(model, img, proposals, config);
    return { rows: r.detections.map((d) => ({ class: d.className, score: d.score, box: d.box })), hash: imageHash(img), all: r.detections };
  } finally {
    model.dispose();
  }
}

const compare = (page: Row[], node: Row[], tol: number, backend: string) => compareDetections(page, node, tol, THRESHOLD, backend);

if (!existsSync(chromiumPath)) {
  console.log(`\n  e2e browser example SKIPPED: no Chromium at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  test.skip('detections in the page match Node (needs Chromium)', () => {});
} else {
  let server: ChildProcess | null = null;
  let browser: import('playwright-core').Browser | null = null;
  let url = '';

  test.before(async () => {
    ({ url, server } = await serveExample());
    browser = await launchChromium(chromiumPath);
  });

  test.after(async () => {
    await browser?.close();
    if (server && server.exitCode === null) server.kill();
  });

  type Page = import('playwright-core').Page;
  const readRows = (page: Page) =>
    page.$$eval('#detections-body tr', (trs) =>
      trs.map((tr) => {
        const d = (tr as HTMLElement).dataset;
        return { class: d.class!, score: +d.score!, box: JSON.parse(d.box!) as number[] };
      }),
    );

  test('detections in the page on WebGL and on WASM match Node; both timings shown', async () => {
    const node = await nodeDetections();
    assert.ok(
      node.rows.some((r) => r.score >= THRESHOLD + SCORE_TOL.webgl),
      `the shipped model finds nothing above ${THRESHOLD} on sample ${SAMPLE} in Node: the comparison would be vacuous`,
    );
    const page = await browser!.newPage({ viewport: { width: 1280, height: 1000 } });
    const errs = pageErrors(page);
    const t0 = Date.now();
    await page.goto(`${url}?sample=${SAMPLE_INDEX}`);
    await waitRuns(page, 1); // the page runs the sample on its default backend, WebGL
    assert.match((await page.textContent('#image-info')) ?? '', new RegExp(`sample ${SAMPLE}`));
    const tWebgl = Date.now() - t0;
    assert.is(await page.evaluate(() => document.body.dataset.state), 'ready', (await page.textContent('#message')) ?? '');
    assert.is(await page.getAttribute('#detections', 'data-backend'), 'webgl');
    assert.is(await page.getAttribute('#canvas', 'data-image-hash'), node.hash, 'the page decoded other pixels than Node');
    const webgl = await readRows(page);
    const webglMatch = compare(webgl, node.rows, SCORE_TOL.webgl, 'webgl');

    await page.check('input[name=backend][value=wasm]');
    await waitRuns(page, 2);
    assert.is(await page.evaluate(() => document.body.dataset.state), 'ready', (await page.textContent('#message')) ?? '');
    assert.is(await page.getAttribute('#detections', 'data-backend'), 'wasm');
    const wasm = await readRows(page);
    const wasmMatch = compare(wasm, node.rows, SCORE_TOL.wasm, 'wasm');

    // Both backends' stage times are in the table, each a positive number.
    const times = await page.$$eval('#timings-body td[data-ms]', (tds) =>
      tds.map((td) => [(td as HTMLElement).dataset.backend, (td as HTMLElement).dataset.stage, +(td as HTMLElement).dataset.ms!] as const),
    );
    for (const b of ['webgl', 'wasm'])
      for (const s of ['proposals', 'conv', 'heads', 'nms', 'total']) {
        const t = times.find(([tb, ts]) => tb === b && ts === s);
        assert.ok(t && t[2] > 0, `no ${s} time for ${b} in the page`);
      }
    const renderer = await page.textContent('#renderer');
    assert.match(renderer ?? '', /WebGL renderer: /);
    // npm run serve sends COOP/COEP: the page is cross-origin isolated and WASM runs on the cores
    const cores = await page.evaluate(() => [crossOriginIsolated, navigator.hardwareConcurrency] as const);
    assert.ok(cores[0], 'the served page is cross-origin isolated');
    const threads = await page.getAttribute('#threads', 'data-threads');
    assert.is(Number(threads), Math.min(4, cores[1]), `the page says: ${await page.textContent('#threads')}`);

    const dir = join(tmpdir(), 'fastrcnn-e2e');
    mkdirSync(dir, { recursive: true });
    const shot = join(dir, 'browser-example.png');
    await page.screenshot({ path: shot, fullPage: true });
    const ms = (b: string, s: string) => times.find(([tb, ts]) => tb === b && ts === s)![2].toFixed(0);
    console.log(
      `\n  ${webglMatch}\n  ${wasmMatch}\n  first page load + WebGL run ${(tWebgl / 1000).toFixed(1)} s; ${renderer}\n` +
        ['webgl', 'wasm']
          .map(
            (b) =>
              `  ${b}: proposals ${ms(b, 'proposals')} ms, conv ${ms(b, 'conv')} ms, RoI pooling + heads ${ms(b, 'heads')} ms, NMS ${ms(b, 'nms')} ms (first run on the backend)`,
          )
          .join('\n') +
        `\n  screenshot: ${shot}`,
    );
    assert.equal(errs, [], 'errors in the page');
    await page.close();
  });

  test('bad inputs give messages and keep the page working', async () => {
    const page = await browser!.newPage();
    const errs = pageErrors(page);
    await page.goto(`${url}?backend=wasm`); // no need to wait for WebGL here
    await waitRuns(page, 1);
    assert.is(await page.getAttribute('#detections', 'data-backend'), 'wasm');
    await page.setInputFiles('#image-file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') });
    await page.waitForFunction(() => !(document.getElementById('message') as HTMLElement).hidden);
    assert.match((await page.textContent('#message')) ?? '', /notes\.txt is not an image/);
    await page.setInputFiles('#model-file', {
      name: 'photo.safetensors',
      mimeType: 'application/octet-stream',
      buffer: readFileSync(join(example, `samples/${SAMPLE}.png`)),
    });
    await page.waitForFunction(() => /photo\.safetensors/.test(document.getElementById('message')!.textContent ?? ''));
    assert.match((await page.textContent('#message')) ?? '', /Still using model\.safetensors/);
    const runs = +(await page.evaluate(() => document.body.dataset.runs ?? '0'));
    await page.click('#run');
    await waitRuns(page, runs + 1);
    assert.is(await page.evaluate(() => document.body.dataset.state), 'ready', 'the shipped model still runs after a bad model file');
    assert.equal(errs, [], 'errors in the page');
    await page.close();
  });

  test('without WebGL2 the page says so and runs on WASM', async () => {
    const page = await browser!.newPage();
    const errs = pageErrors(page);
    await page.addInitScript(() => {
      for (const C of [HTMLCanvasElement, OffscreenCanvas]) {
        const get = C.prototype.getContext as (...a: unknown[]) => unknown;
        (C.prototype as any).getContext = function (this: unknown, type: string, ...rest: unknown[]) {
          return type === 'webgl2' ? null : get.call(this, type, ...rest);
        };
      }
    });
    await page.goto(url);
    await waitRuns(page, 1);
    assert.match((await page.textContent('#renderer')) ?? '', /WebGL unavailable: .*no WebGL2 context/);
    assert.ok(await page.isDisabled('input[name=backend][value=webgl]'));
    assert.is(await page.getAttribute('#detections', 'data-backend'), 'wasm');
    assert.is(await page.evaluate(() => document.body.dataset.state), 'ready');
    assert.equal(errs, [], 'errors in the page');
    await page.close();
  });
}

test.run();
