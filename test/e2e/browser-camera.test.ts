// End to end, the browser example's live mode: Chromium's fake camera (--use-fake-device-for-media-stream
// --use-fake-ui-for-media-stream) plays a Y4M file of synthetic scenes written here, the page detects
// on it frame after frame (Detector API) on WASM and then WebGL, and for one frame per backend the
// page's pixels and detections are read back and the same detector is run on those pixels in Node:
// same classes, scores within tolerance, boxes within 1 px. Also: frames per second shown, Stop ends
// the stream's tracks, the still mode works afterwards, and camera errors give messages.
// Skipped (with a message) when there is no Chromium at /usr/bin/chromium (or $CHROMIUM_PATH).
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.node.js';
// @ts-expect-error: a plain .mjs script without type declarations
import { chromiumPath, launchChromium } from '../../scripts/chromium.mjs';
import { compareDetections, example, imageHash, pageErrors, serveExample, waitRuns } from './example-page.js';

const test = suite('e2e: browser example, camera');
/** The fake camera's scenes (renderScene seeds, 320x240), each shown for SCENE_FRAMES frames at 30 fps, looped. */
const SCENE_SEEDS = [11, 12],
  SCENE_FRAMES = 15;
/** Frames timed on WASM, and on WebGL (a software rasterizer in headless Chromium: slow). */
const MIN_FRAMES = 5,
  WEBGL_FRAMES = 3;
/** The page's default minimum score (its slider). */
const THRESHOLD = 0.5;
/** Per backend: score tolerance against Node's WASM run (as the still-image test). */
const SCORE_TOL: Record<string, number> = { wasm: 1e-4, webgl: 2e-3 };
/** Mean |difference| per channel between a camera frame and its scene: 4:2:0 chroma and YUV rounding (about 7 measured). */
const MAX_FRAME_ERROR = 16;

const dir = join(tmpdir(), 'fastrcnn-e2e');

/** The scenes as a Y4M video (BT.601 limited range, 4:2:0: what Chromium's fake capture reads). */
function writeY4m(path: string, scenes: fr.RgbImage[]): void {
  const { width: W, height: H } = scenes[0];
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${W} H${H} F30:1 Ip A1:1 C420jpeg\n`)];
  for (const { data } of scenes) {
    const yuv = Buffer.alloc((W * H * 3) / 2);
    for (let i = 0; i < W * H; i++) yuv[i] = Math.round(16 + 0.257 * data[3 * i] + 0.504 * data[3 * i + 1] + 0.098 * data[3 * i + 2]);
    for (let y = 0; y < H / 2; y++)
      for (let x = 0; x < W / 2; x++) {
        let r = 0,
          g = 0,
          b = 0;
        for (const k of [2 * y * W + 2 * x, 2 * y * W + 2 * x + 1, (2 * y + 1) * W + 2 * x, (2 * y + 1) * W + 2 * x + 1]) {
          r += data[3 * k] / 4;
          g += data[3 * k + 1] / 4;
          b += data[3 * k + 2] / 4;
        }
        const j = (y * W) / 2 + x;
        yuv[W * H + j] = Math.round(128 - 0.148 * r - 0.291 * g + 0.439 * b);
        yuv[(W * H * 5) / 4 + j] = Math.round(128 + 0.439 * r - 0.368 * g - 0.071 * b);
      }
    for (let f = 0; f < SCENE_FRAMES; f++) parts.push(Buffer.from('FRAME\n'), yuv);
  }
  writeFileSync(path, Buffer.concat(parts));
}

interface Snapshot {
  index: number;
  backend: string;
  width: number;
  height: number;
  rgb: string;
  predictions: fr.Prediction[];
  canvasHash: string;
}

if (!existsSync(chromiumPath)) {
  console.log(`\n  e2e browser camera SKIPPED: no Chromium at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  test.skip('live mode on the fake camera (needs Chromium)', () => {});
} else {
  let server: ChildProcess | null = null;
  let browser: Browser | null = null;
  let url = '';
  const scenes = SCENE_SEEDS.map((s) => fr.renderScene(new fr.Rng(s)).image);

  test.before(async () => {
    mkdirSync(dir, { recursive: true });
    const video = join(dir, 'camera.y4m');
    writeY4m(video, scenes);
    ({ url, server } = await serveExample());
    browser = await launchChromium(chromiumPath, [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ]);
  });

  test.after(async () => {
    await browser?.close();
    if (server && server.exitCode === null) server.kill();
  });

  const bodyData = (page: Page) => page.evaluate(() => ({ ...document.body.dataset }));
  /** Waits until the live loop has detected `n` frames on `backend`. */
  const waitFrames = (page: Page, backend: string, n: number) =>
    page.waitForFunction(
      ([b, n]) => document.body.dataset.liveBackend === b && +(document.body.dataset.frames ?? 0) >= +n,
      [backend, String(n)],
      { timeout: 180_000 },
    );
  /** The last frame's pixels and detections and the canvas's hash, read in one go (the loop cannot run in between). */
  const snapshot = (page: Page) =>
    page.evaluate(() => {
      const s = (window as any).__liveFrame();
      return s && { ...s, canvasHash: document.getElementById('canvas')!.dataset.imageHash };
    }) as Promise<Snapshot | null>;

  /** Frames per second from the page's frame count over `n` frames, from its next frame on (so no detector loading). */
  async function measureFps(page: Page, backend: string, n: number): Promise<number> {
    const f0 = +((await bodyData(page)).frames ?? 0) + 1;
    await waitFrames(page, backend, f0);
    const t0 = performance.now();
    await waitFrames(page, backend, f0 + n);
    return (n * 1000) / (performance.now() - t0);
  }

  /** Checks one frame against Node's detector on its pixels; returns a log line. */
  async function checkFrame(page: Page, backend: string, detector: fr.Detector): Promise<string> {
    const s = await snapshot(page);
    assert.ok(s, 'no live frame in the page');
    assert.is(s.backend, backend);
    const image: fr.RgbImage = { width: s.width, height: s.height, data: new Uint8Array(Buffer.from(s.rgb, 'base64')) };
    assert.is(image.data.length, 3 * s.width * s.height);
    assert.is(s.canvasHash, imageHash(image), 'the canvas shows other pixels than the ones detected on');
    // The frame is one of the fake camera's scenes (the <video> path delivers its pixels, not a blank frame).
    const errors = scenes.map((sc) => {
      if (sc.width !== image.width || sc.height !== image.height) return Infinity;
      let e = 0;
      for (let i = 0; i < sc.data.length; i++) e += Math.abs(sc.data[i] - image.data[i]);
      return e / sc.data.length;
    });
    const nearest = Math.min(...errors);
    assert.ok(nearest <= MAX_FRAME_ERROR, `the frame is no scene of the fake camera: mean |diff| ${errors.map((e) => e.toFixed(1))}`);
    const node = await detector.detect(image, { minScore: 0 });
    assert.ok(
      node.some((d) => d.score >= THRESHOLD + SCORE_TOL[backend]),
      `Node finds nothing above ${THRESHOLD} on the frame: the comparison would be vacuous`,
    );
    const rows = (ps: fr.Prediction[]) => ps.map((p) => ({ class: p.className, score: p.score, box: p.box }));
    const line = compareDetections(rows(s.predictions), rows(node), SCORE_TOL[backend], THRESHOLD, `${backend} frame ${s.index}`);
    return `${line}; scene ${SCENE_SEEDS[errors.indexOf(nearest)]}, mean |frame - scene| ${nearest.toFixed(1)}`;
  }

  test('live mode: frames detected on WASM then WebGL match Node on the same pixels; fps shown; Stop ends the tracks', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 1000 } });
    const errs = pageErrors(page);
    // Keeps every stream the page opens, to check independently of the page that Stop ends its tracks.
    await page.addInitScript(() => {
      const md = navigator.mediaDevices,
        open = md.getUserMedia.bind(md),
        streams: MediaStream[] = [];
      Object.assign(window, { __streams: streams });
      md.getUserMedia = async (c) => {
        const s = await open(c);
        streams.push(s);
        return s;
      };
    });
    await page.goto(`${url}?backend=wasm`);
    await waitRuns(page, 1);
    const detector = await fr.loadDetector(new Uint8Array(readFileSync(join(example, 'model.safetensors'))), { backend: 'wasm' });
    try {
      const t0 = Date.now();
      await page.click('#camera');
      await waitFrames(page, 'wasm', 1);
      const firstMs = Date.now() - t0;
      const wasmFps = await measureFps(page, 'wasm', MIN_FRAMES);
      const wasm = await bodyData(page);
      assert.is(wasm.camera, 'running');
      assert.ok(+wasm.fps! > 0, `no frames per second in the page: ${wasm.fps}`);
      assert.match((await page.textContent('#live-info')) ?? '', /[\d.]+ frames\/s/);
      const wasmLine = await checkFrame(page, 'wasm', detector);

      // The loop follows the backend radio buttons from the next frame on.
      await page.check('input[name=backend][value=webgl]');
      await page.waitForFunction(() => document.body.dataset.liveBackend === 'webgl', null, { timeout: 180_000 });
      const webglFps = await measureFps(page, 'webgl', WEBGL_FRAMES);
      const webglLine = await checkFrame(page, 'webgl', detector);
      assert.is(await page.evaluate(() => document.body.dataset.runs), '1', 'a still run started while the camera ran');

      const shot = join(dir, 'browser-camera.png');
      await page.screenshot({ path: shot, fullPage: true });

      await page.click('#live-stop');
      await page.waitForFunction(() => document.body.dataset.camera === 'stopped');
      const tracks = await page.evaluate(() =>
        ((window as any).__streams as MediaStream[]).flatMap((s) => s.getTracks().map((t) => `${t.kind}:${t.readyState}`)),
      );
      assert.ok(tracks.length > 0, 'the page opened no stream');
      assert.equal(
        tracks.filter((t) => !t.endsWith(':ended')),
        [],
        'tracks still live after Stop',
      );
      assert.ok(await page.evaluate(() => (document.getElementById('video') as HTMLVideoElement).srcObject === null));
      const framesAtStop = +(await bodyData(page)).frames!;
      await page.waitForTimeout(300);
      assert.is(+(await bodyData(page)).frames!, framesAtStop, 'frames still counted after Stop');

      // The still mode works afterwards: choosing WASM again re-runs the still picture (sample 0) and shows it.
      await page.check('input[name=backend][value=wasm]');
      await waitRuns(page, 2);
      assert.is(await page.evaluate(() => document.body.dataset.state), 'ready', (await page.textContent('#message')) ?? '');
      assert.is(await page.getAttribute('#detections', 'data-backend'), 'wasm');
      const sample = JSON.parse(readFileSync(join(example, 'samples/samples.json'), 'utf8'))[0].name;
      const still = await fr.decodeImage(new Uint8Array(readFileSync(join(example, `samples/${sample}.png`))));
      assert.is(
        await page.getAttribute('#canvas', 'data-image-hash'),
        imageHash(still),
        'the canvas does not show the still picture again',
      );
      console.log(
        `\n  ${wasmLine}\n  ${webglLine}\n` +
          `  WASM: ${wasmFps.toFixed(2)} frames/s over ${MIN_FRAMES} frames (the page shows ${wasm.fps}); first frame ${(firstMs / 1000).toFixed(1)} s after Camera\n` +
          `  WebGL: ${webglFps.toFixed(2)} frames/s over ${WEBGL_FRAMES} frames, after the first one (shader compilation)\n` +
          `  screenshot: ${shot}`,
      );
      assert.equal(errs, [], 'errors in the page');
    } finally {
      detector.dispose();
      await page.close();
    }
  });

  test('live mode on a video file: a WebM recorded in the page plays and is detected frame after frame', async () => {
    const page = await browser!.newPage();
    const errs = pageErrors(page);
    await page.goto(`${url}?backend=wasm`);
    await waitRuns(page, 1);
    // A short WebM of the still picture sliding, recorded by the browser itself: Node has no video encoder.
    const webm = await page.evaluate(async () => {
      const still = document.getElementById('canvas') as HTMLCanvasElement,
        c = document.body.appendChild(document.createElement('canvas'));
      c.width = 320;
      c.height = 240;
      const ctx = c.getContext('2d')!,
        rec = new MediaRecorder(c.captureStream(30), { mimeType: 'video/webm' }),
        chunks: Blob[] = [];
      rec.ondataavailable = (e) => chunks.push(e.data);
      rec.start(100);
      for (let i = 0; i < 20; i++) {
        ctx.drawImage(still, i, 0, 320, 240); // moving, so the recorder has frames to encode
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 30)));
      }
      const done = new Promise((r) => {
        rec.onstop = r;
      });
      rec.stop();
      await done;
      c.remove();
      const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
      let bin = '';
      for (const b of bytes) bin += String.fromCharCode(b);
      return btoa(bin);
    });
    await page.setInputFiles('#video-file', { name: 'clip.webm', mimeType: 'video/webm', buffer: Buffer.from(webm, 'base64') });
    await page.waitForFunction(() => document.body.dataset.liveSource === 'file' && +(document.body.dataset.frames ?? 0) >= 3, null, {
      timeout: 120_000,
    });
    const d = await bodyData(page);
    assert.is(d.camera, 'running', (await page.textContent('#message')) ?? '');
    assert.ok(+d.fps! > 0);
    const s = await snapshot(page);
    assert.ok(s && s.width > 0 && s.height > 0 && Math.max(s.width, s.height) <= 320, `frame ${s?.width}x${s?.height}`);
    await page.click('#live-stop');
    await page.waitForFunction(() => document.body.dataset.camera === 'stopped');
    assert.ok(await page.evaluate(() => !(document.getElementById('video') as HTMLVideoElement).getAttribute('src')));
    console.log(
      `\n  video file (WebM ${((webm.length * 0.75) / 1000) | 0} kB): ${d.frames} frames, ${d.fps} frames/s on WASM, frame ${s!.width}x${s!.height}`,
    );
    assert.equal(errs, [], 'errors in the page');
    await page.close();
  });

  test('camera errors give messages; the still mode keeps working', async () => {
    const cases: { name: string; init: () => void; message: RegExp }[] = [
      {
        name: 'permission denied',
        init: () => {
          navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
        },
        message: /Camera permission was denied/,
      },
      {
        name: 'no camera',
        init: () => {
          navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));
        },
        message: /No camera found/,
      },
      {
        name: 'no getUserMedia',
        init: () => {
          Object.defineProperty(navigator, 'mediaDevices', { value: undefined });
        },
        message: /no camera access/,
      },
    ];
    for (const c of cases) {
      const page = await browser!.newPage();
      const errs = pageErrors(page);
      await page.addInitScript(c.init);
      await page.goto(`${url}?backend=wasm`);
      await waitRuns(page, 1);
      await page.click('#camera');
      await page.waitForFunction(() => document.body.dataset.camera === 'error');
      const msg = (await page.textContent('#message')) ?? '';
      assert.match(msg, c.message, `${c.name}: ${msg}`);
      assert.match(msg, /still-image mode works/);
      await page.click('#run');
      await waitRuns(page, 2);
      assert.is(await page.evaluate(() => document.body.dataset.state), 'ready', `${c.name}: the still mode failed after the camera error`);
      assert.equal(errs, [], `${c.name}: errors in the page`);
      await page.close();
    }
    // A file that is not a video.
    const page = await browser!.newPage();
    const errs = pageErrors(page);
    await page.goto(`${url}?backend=wasm`);
    await waitRuns(page, 1);
    await page.setInputFiles('#video-file', { name: 'notes.webm', mimeType: 'video/webm', buffer: Buffer.from('not a video') });
    await page.waitForFunction(() => document.body.dataset.camera === 'error');
    assert.match((await page.textContent('#message')) ?? '', /notes\.webm: the browser cannot play it/);
    assert.equal(errs, [], 'errors in the page');
    await page.close();
  });
}

test.run();
