// loadDetector + detect (issue 13): one call from a model file to predictions, on every input kind
// Node has (PNG bytes, an ArrayBuffer, RGB pixels, RGBA pixels as a canvas gives them). The oracle is
// the pipeline's own path on the same pixels: decode, Selective Search, detect. A large input is
// scaled down first and its boxes come back in its own pixels.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import '../helpers/backend.js';
import { decodeImageSync, encodePng } from '../../src/app/data/image-node.js';
import { loadModel } from '../../src/app/files.js';
import type { RgbImage } from '../../src/data/types.js';
import { detect } from '../../src/detection/model/detect.js';
import { loadDetector } from '../../src/detection/model/detector.js';
import '../../src/app/threads/detectorThread.js';
import { DEFAULT_SS_OPTIONS, selectiveSearch } from '../../src/proposals/selectiveSearch.js';
import { engine } from '../../src/tensor/engine.js';
import { rejects } from '../helpers/rejects.js';

const test = suite('detection: loadDetector and detect');
const MODEL = new URL('../../examples/browser/model.safetensors', import.meta.url).pathname;
const SAMPLE = new URL('../../examples/browser/samples/000091.png', import.meta.url).pathname;

/** The pipeline's detections on these pixels (what `fastrcnn detect` does), above minScore, best first. */
function reference(img: RgbImage, minScore: number) {
  const { model, config } = loadModel(MODEL);
  const { detections } = detect(model, img, selectiveSearch(img, DEFAULT_SS_OPTIONS), config);
  model.dispose();
  return detections.filter((d) => d.score >= minScore).sort((a, b) => b.score - a.score);
}

test('every input kind gives the pipeline detections on the same pixels', async () => {
  const bytes = new Uint8Array(readFileSync(SAMPLE));
  const img = decodeImageSync(bytes);
  const want = reference(img, 0.3);
  assert.ok(want.length >= 3, `the sample has detections (${want.length})`);
  const rgba = new Uint8ClampedArray(img.width * img.height * 4);
  for (let i = 0; i < img.width * img.height; i++) {
    rgba.set(img.data.subarray(3 * i, 3 * i + 3), 4 * i);
    rgba[4 * i + 3] = 255;
  }
  const detector = await loadDetector(MODEL);
  const loaded = loadModel(MODEL).model;
  assert.equal(detector.classes, loaded.classes);
  loaded.dispose();
  const inputs: [string, Parameters<typeof detector.detect>[0]][] = [
    ['PNG bytes', bytes],
    ['ArrayBuffer', bytes.slice().buffer],
    ['RGB pixels', img],
    ['RGBA pixels (ImageData)', { width: img.width, height: img.height, data: rgba }],
  ];
  for (const [kind, input] of inputs) {
    const got = await detector.detect(input, { minScore: 0.3 });
    assert.is(got.length, want.length, kind);
    got.forEach((p, i) => {
      assert.is(p.className, want[i].className, kind);
      assert.ok(Math.abs(p.score - want[i].score) < 1e-6, kind);
      assert.equal(p.box, want[i].box, kind);
      assert.equal(p.bbox, [p.box[0], p.box[1], p.box[2] - p.box[0] + 1, p.box[3] - p.box[1] + 1], kind);
    });
  }
  const two = await detector.detect(img, { minScore: 0.3, maxDetections: 2 });
  assert.is(two.length, 2);
  detector.dispose();
});

test('an input over maxSide is scaled down first; boxes come back in its own pixels', async () => {
  const img = decodeImageSync(new Uint8Array(readFileSync(SAMPLE)));
  // twice the size by pixel repetition: halving it again (bilinear, 2x2 means) gives the same pixels back
  const W = img.width * 2,
    H = img.height * 2,
    big = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      big.set(img.data.subarray(3 * ((y >> 1) * img.width + (x >> 1)), 3 * ((y >> 1) * img.width + (x >> 1)) + 3), 3 * (y * W + x));
  const want = reference(img, 0.3);
  const detector = await loadDetector(readFileSync(MODEL), { maxSide: Math.max(img.width, img.height) });
  const got = await detector.detect(encodePng({ width: W, height: H, data: big }), { minScore: 0.3 });
  assert.is(got.length, want.length);
  got.forEach((p, i) => {
    assert.is(p.className, want[i].className);
    const [x1, y1, x2, y2] = want[i].box;
    assert.equal(p.box, [2 * x1, 2 * y1, 2 * x2 + 1, 2 * y2 + 1]);
  });
  detector.dispose();
});

test('clear errors: a missing or bad model, no WebGL2, a bad image, bad options, a disposed detector; nothing leaks', async () => {
  const before = engine.memory().numTensors;
  await rejects(
    () => loadDetector('/nonexistent/model.safetensors'),
    /loadDetector: model file not found: \/nonexistent\/model\.safetensors/,
  );
  await rejects(() => loadDetector(new Uint8Array(16)), /model bytes: not a valid safetensors file/);
  await rejects(() => loadDetector(MODEL, { maxSide: 4 }), /maxSide must be an integer >= 32, got 4/);
  await rejects(() => loadDetector(MODEL, { backend: 'cuda' }), /backend 'cuda' is not registered/);
  await rejects(() => loadDetector(MODEL, { backend: 'webgl' }), /webgl backend: no WebGL2 here .*use the 'wasm' backend/);
  const detector = await loadDetector(MODEL);
  await rejects(() => detector.detect(new TextEncoder().encode('GIF89a')), /not a PNG or JPEG image/);
  await rejects(
    () => detector.detect({ width: 4, height: 4, data: new Uint8Array(5) }),
    /pixels of 4x4 need 48 \(RGB\) or 64 \(RGBA\) values, got 5/,
  );
  await rejects(() => detector.detect(new Uint8Array(0), { minScore: 2 }), /minScore must be in \[0, 1\], got 2/);
  detector.dispose();
  await rejects(() => detector.detect(new Uint8Array(0)), /Detector: disposed; load a new one/);
  assert.is(engine.memory().numTensors, before, 'no tensor left');
});

test('worker: true runs in a worker thread and gives the same detections; errors and dispose cross over', async () => {
  const bytes = new Uint8Array(readFileSync(SAMPLE));
  const img = decodeImageSync(bytes);
  const want = reference(img, 0.3);
  const before = engine.memory().numTensors;
  const detector = await loadDetector(MODEL, { worker: true });
  assert.is(engine.memory().numTensors, before, 'the model lives in the worker, not here');
  assert.equal(detector.classes, loadModel(MODEL).model.classes);
  assert.is(detector.backend, 'wasm');
  // two requests in flight at once come back to their callers, in either order of completion
  const [fromBytes, fromPixels] = await Promise.all([detector.detect(bytes, { minScore: 0.3 }), detector.detect(img, { minScore: 0.3 })]);
  for (const got of [fromBytes, fromPixels]) {
    assert.is(got.length, want.length);
    got.forEach((p, i) => {
      assert.is(p.className, want[i].className);
      assert.ok(Math.abs(p.score - want[i].score) < 1e-6);
      assert.equal(p.box, want[i].box);
    });
  }
  assert.is(img.data.length, img.width * img.height * 3, "the caller's pixels are copied, not taken");
  await rejects(() => detector.detect(new TextEncoder().encode('GIF89a')), /not a PNG or JPEG image/);
  const late = detector.detect(img);
  detector.dispose();
  await rejects(() => late, /disposed while detecting/);
  await rejects(() => detector.detect(img), /Detector: disposed; load a new one/);
  await rejects(() => loadDetector(new Uint8Array(16), { worker: true }), /model bytes: not a valid safetensors file/);
});

test.run();
