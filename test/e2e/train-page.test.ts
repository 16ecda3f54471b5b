// End to end: serves examples/train-browser (scripts/serve.mjs --example train-browser), lets the page
// train a small detector on WASM in headless Chromium on seeded synthetic scenes, and checks that the
// loss fell, that the validation mAP is shown, that the downloaded model file loads in Node, and that
// its detections in Node on the page's test picture (rendered again here from the seed the page
// shows) equal the page's. Then a VOC folder without Annotations/ gives a message, and a small VOC
// folder trains. Saves a screenshot to the OS temp folder and prints its path. Skipped (with a
// message) when there is no Chromium at /usr/bin/chromium (or $CHROMIUM_PATH).
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.node.js';
import { synthesize } from '../../src/app/data/synth.js';
import { parseLossCsv } from '../../src/detection/training/lossPlot.js';
// @ts-expect-error: a plain .mjs script without type declarations
import { chromiumPath, launchChromium } from '../../scripts/chromium.mjs';
import { compareDetections, imageHash, pageErrors, serveExample } from './example-page.js';

const test = suite('e2e: training page');
/** A short seeded run: small enough for about a minute on two shared cores, long enough for the loss to fall. */
const RUN = { backend: 'wasm', scenes: 24, pretrain: 0, iters: 120, seed: 7, threshold: 0.1 };
/** Losses compared: the mean of the first and of the last this many Fast R-CNN iterations. */
const WINDOW = 15;
const SCORE_TOL = 1e-4;

if (!existsSync(chromiumPath)) {
  console.log(`\n  e2e training page SKIPPED: no Chromium at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  test.skip('the page trains, and its model and detections match Node (needs Chromium)', () => {});
} else {
  let server: ChildProcess | null = null;
  let browser: import('playwright-core').Browser | null = null;
  let url = '';

  test.before(async () => {
    ({ server, url } = await serveExample('train-browser'));
    browser = await launchChromium(chromiumPath);
  });

  test.after(async () => {
    await browser?.close();
    if (server && server.exitCode === null) server.kill();
  });

  type Page = import('playwright-core').Page;
  /** Waits until the page is done or failed; a failure's message is the assertion's. */
  const waitFinished = async (page: Page, timeout: number) => {
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout });
    assert.is(await page.evaluate(() => document.body.dataset.state), 'done', (await page.textContent('#message')) ?? '');
  };

  test('a short seeded run: the loss falls, the model file loads in Node and detects as the page did', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 1100 }, acceptDownloads: true });
    const errs = pageErrors(page);
    const q = new URLSearchParams(Object.entries(RUN).map(([k, v]) => [k, String(v)]));
    await page.goto(`${url}?${q}`);
    await page.waitForFunction(() => document.body.dataset.state === 'idle');
    const t0 = Date.now();
    await page.click('#start');
    await waitFinished(page, 240_000);
    const seconds = (Date.now() - t0) / 1000;
    assert.is(await page.evaluate(() => document.body.dataset.backend), 'wasm');

    // The loss, from the page's loss.csv: every step logged, and it fell.
    const csv = await page.evaluate(async () => (await fetch((document.getElementById('download-loss') as HTMLAnchorElement).href)).text());
    const logs = parseLossCsv(csv).filter((l) => l.phase === 'train');
    assert.is(logs.length, RUN.iters, 'one loss row per Fast R-CNN iteration');
    const mean = (a: fr.IterationLog[]) => a.reduce((s, l) => s + l.loss, 0) / a.length;
    const first = mean(logs.slice(0, WINDOW)),
      last = mean(logs.slice(-WINDOW));
    assert.ok(
      last < first * 0.9,
      `the loss did not fall: mean of the first ${WINDOW} ${first.toFixed(3)}, of the last ${WINDOW} ${last.toFixed(3)}`,
    );

    // Validation mAP (VOC07) at quarters of the run, the last one also in the loss log.
    const maps = await page.$$eval('#validation-body tr', (trs) => trs.map((tr) => +(tr as HTMLElement).dataset.map!));
    assert.is(maps.length, 4, 'validation at 25, 50, 75 and 100% of the run');
    for (const m of maps) assert.ok(m >= 0 && m <= 1, `mAP ${m} out of [0, 1]`);
    assert.ok(Math.abs(logs[logs.length - 1].valMap07! - maps[3]) < 1e-6, 'the last validation is in loss.csv');

    // The model file, downloaded as a user would, loads in Node.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    assert.is(download.suggestedFilename(), 'model.safetensors');
    const bytes = new Uint8Array(readFileSync((await download.path())!));
    const { model, config, metadata } = fr.modelFromBytes(bytes, { source: 'downloaded model.safetensors' });
    try {
      assert.equal(model.classes, fr.DEFAULT_SHAPE_CLASSES);
      assert.is(metadata.trainedIterations, String(RUN.pretrain + RUN.iters));

      // The test picture, rendered again here from what the page says it is.
      const scene = JSON.parse((await page.getAttribute('#test-canvas', 'data-scene'))!) as {
        seed: number;
        index: number;
        width: number;
        height: number;
        classes: fr.ShapeKind[];
      };
      assert.is(scene.seed, RUN.seed);
      const rng = new fr.Rng(((scene.seed >>> 0) ^ Math.imul(scene.index + 1, 0x9e3779b1)) >>> 0); // synth.ts's imageRng
      const img = fr.renderScene(rng, { width: scene.width, height: scene.height, classes: scene.classes }).image;
      assert.is(imageHash(img), await page.getAttribute('#test-canvas', 'data-image-hash'), 'Node rendered other pixels than the page');
      const node = fr
        .detect(model, img, fr.selectiveSearch(img, fr.DEFAULT_SS_OPTIONS), config)
        .detections.map((d) => ({ class: d.className, score: d.score, box: d.box }));
      const rows = await page.$$eval('#detections-body tr', (trs) =>
        trs.map((tr) => {
          const d = (tr as HTMLElement).dataset;
          return { class: d.class!, score: +d.score!, box: JSON.parse(d.box!) as number[] };
        }),
      );
      assert.ok(rows.length > 0, `the page lists no detection >= ${RUN.threshold}: the comparison would be vacuous`);
      const match = compareDetections(rows, node, SCORE_TOL, RUN.threshold, 'training page');

      const dir = join(tmpdir(), 'fastrcnn-e2e');
      mkdirSync(dir, { recursive: true });
      const shot = join(dir, 'train-page.png');
      await page.screenshot({ path: shot, fullPage: true });
      console.log(
        `\n  ${RUN.scenes} scenes, ${RUN.iters} iterations on WASM in ${seconds.toFixed(1)} s (page: ${await page.textContent('#status')})` +
          `\n  loss: first ${WINDOW} ${first.toFixed(3)} -> last ${WINDOW} ${last.toFixed(3)}; validation mAP (VOC07) ${maps.map((m) => m.toFixed(3)).join(', ')}` +
          `\n  ${match}\n  screenshot: ${shot}`,
      );
    } finally {
      model.dispose();
    }
    assert.equal(errs, [], 'errors in the page');
    await page.close();
  });

  test('a VOC folder: without Annotations/ a message; a small one trains', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fastrcnn-train-page-'));
    try {
      const page = await browser!.newPage();
      const errs = pageErrors(page);
      await page.goto(`${url}?backend=wasm&pretrain=0&iters=4&scenes=20`);
      await page.waitForFunction(() => document.body.dataset.state === 'idle');

      const photos = join(dir, 'photos');
      mkdirSync(photos);
      writeFileSync(join(photos, 'notes.txt'), 'no annotations here');
      await page.setInputFiles('#voc-folder', photos);
      assert.ok(await page.isChecked('#source-voc'), 'picking a folder selects it as the data');
      await page.click('#start');
      await page.waitForFunction(() => document.body.dataset.state === 'error');
      assert.match((await page.textContent('#message')) ?? '', /photos has no Annotations\/ folder/);

      // The synthetic writer's VOC layout, 12 images: trains, validates and detects on a held-out image.
      const voc = join(dir, 'VOC');
      synthesize({ outDir: voc, images: 12, seed: 5, width: 128, height: 96 });
      await page.setInputFiles('#voc-folder', voc);
      await page.click('#start');
      await waitFinished(page, 120_000);
      assert.match((await page.textContent('#data-info')) ?? '', /training and \d+ validation images, classes /);
      assert.is(await page.$$eval('#validation-body tr', (trs: Element[]) => trs.length), 4);
      assert.ok(await page.isVisible('#download'), 'the model is offered');
      assert.equal(errs, [], 'errors in the page');
      await page.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('without WebGL2 the page says so and trains on WASM; Stop keeps the model trained so far', async () => {
    // No GPU and no software rasterizer: the worker's OffscreenCanvas gives no WebGL2 context.
    const noGl = await launchChromium(chromiumPath, ['--disable-gpu', '--disable-software-rasterizer']);
    try {
      const page = await noGl.newPage();
      const errs = pageErrors(page);
      await page.goto(`${url}?backend=webgl&scenes=8&pretrain=0&iters=5000`);
      await page.waitForFunction(() => document.body.dataset.state === 'idle');
      await page.click('#start');
      await page.waitForFunction(() => /step \d+ of 5000/.test(document.getElementById('status')!.textContent ?? ''), null, {
        timeout: 60_000,
      });
      assert.is(await page.evaluate(() => document.body.dataset.backend), 'wasm');
      assert.match((await page.textContent('#backend-note')) ?? '', /No WebGL2 here .*training on WASM instead/);
      await page.click('#stop');
      await waitFinished(page, 60_000);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
      const { model, metadata } = fr.modelFromBytes(new Uint8Array(readFileSync((await download.path())!)));
      model.dispose();
      const trained = +metadata.trainedIterations;
      assert.ok(trained > 0 && trained < 5000, `Stop ended the run early (${trained} iterations)`);
      assert.is(await page.$$eval('#validation-body tr', (trs: Element[]) => trs.length), 1, 'the stopped model is validated once');
      assert.equal(errs, [], 'errors in the page');
    } finally {
      await noGl.close();
    }
  });
}

test.run();
