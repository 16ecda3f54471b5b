// loadDetector in a page (issue 13): a model from a URL, and every input kind a page has — PNG bytes,
// an ImageBitmap, an <img>, a <canvas>, an OffscreenCanvas, ImageData — gives the detections of the
// explicit pipeline (decodeImage, selectiveSearch, detect) on the same pixels, on the page's backend.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.js';

const test = suite('browser: loadDetector on every input kind');
const MODEL = '/examples/browser/model.safetensors';
const SAMPLE = '/examples/browser/samples/000091.png';
const g = globalThis as any;

/** The explicit pipeline's detections (decodeImage, selectiveSearch, detect) scoring >= 0.3, best first: the oracle. */
async function pipelineDetections(img: fr.RgbImage): Promise<fr.Detection[]> {
  const { model, config } = fr.modelFromBytes(new Uint8Array(await (await fetch(MODEL)).arrayBuffer()));
  const found = fr
    .detect(model, img, fr.selectiveSearch(img, fr.DEFAULT_SS_OPTIONS), config)
    .detections.filter((d) => d.score >= 0.3)
    .sort((a, b) => b.score - a.score);
  model.dispose();
  return found;
}

/** Same classes in order, scores within 1e-4, box edges within 1 px. */
function sameDetections(got: fr.Prediction[], want: fr.Detection[], kind: string): void {
  assert.is(got.length, want.length, kind);
  got.forEach((p, i) => {
    assert.is(p.className, want[i].className, kind);
    assert.ok(Math.abs(p.score - want[i].score) < 1e-4, `${kind}: score ${p.score} vs ${want[i].score}`);
    p.box.forEach((v, k) => assert.ok(Math.abs(v - want[i].box[k]) <= 1, `${kind}: box ${p.box} vs ${want[i].box}`));
  });
}

if (typeof g.document !== 'undefined') {
  test('each input kind gives the pipeline detections on the same pixels', async () => {
    const bytes = new Uint8Array(await (await fetch(SAMPLE)).arrayBuffer());
    const img = await fr.decodeImage(bytes);
    const want = await pipelineDetections(img);
    assert.ok(want.length >= 3, `the sample has detections (${want.length})`);

    const detector = await fr.loadDetector(MODEL);
    assert.is(detector.backend, fr.getBackend());
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }), {
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
    });
    const offscreen = new OffscreenCanvas(img.width, img.height);
    offscreen.getContext('2d')!.drawImage(bitmap, 0, 0);
    const canvas = g.document.createElement('canvas') as HTMLCanvasElement;
    canvas.width = img.width;
    canvas.height = img.height;
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
    const element = new Image();
    element.src = URL.createObjectURL(new Blob([bytes], { type: 'image/png' }));
    await element.decode();
    const inputs: [string, fr.DetectorInput][] = [
      ['PNG bytes', bytes],
      ['ImageBitmap', bitmap],
      ['OffscreenCanvas', offscreen],
      ['<canvas>', canvas],
      ['<img>', element],
      ['ImageData', offscreen.getContext('2d')!.getImageData(0, 0, img.width, img.height)],
    ];
    for (const [kind, input] of inputs) {
      const got = await detector.detect(input, { minScore: 0.3 });
      sameDetections(got, want, kind);
    }
    detector.dispose();
    let refused = '';
    await detector.detect(bytes).catch((e: Error) => {
      refused = e.message;
    });
    assert.match(refused, /disposed/);
  });

  test('worker: true gives the same detections and keeps the page free (no task over 50 ms while detecting)', async () => {
    const bytes = new Uint8Array(await (await fetch(SAMPLE)).arrayBuffer());
    const img = await fr.decodeImage(bytes);
    const backend = fr.getBackend();
    const want = await pipelineDetections(img);
    const long: PerformanceEntry[] = [];
    const observer = new PerformanceObserver((list) => long.push(...list.getEntries()));
    observer.observe({ type: 'longtask' });
    /** Main-thread tasks over 50 ms that began while fn ran (entries arrive a little after the task). */
    const longTasksDuring = async (fn: () => Promise<unknown>) => {
      const t0 = performance.now();
      await fn();
      const t1 = performance.now();
      await new Promise((r) => setTimeout(r, 200));
      return long.filter((e) => e.startTime >= t0 && e.startTime < t1).map((e) => Math.round(e.duration));
    };
    // The control: on the calling thread, Selective Search alone is a long task; the observer sees it.
    const here = await fr.loadDetector(MODEL, { backend });
    const blocked = await longTasksDuring(() => here.detect(bytes, { minScore: 0.3 }));
    here.dispose();
    assert.ok(blocked.length > 0, 'the observer records the in-thread detector blocking the page');

    const detector = await fr.loadDetector(MODEL, { worker: true, backend });
    assert.is(detector.backend, backend);
    assert.equal(detector.classes, ['circle', 'cross', 'ring', 'square', 'star', 'triangle']);
    const element = new Image();
    element.src = URL.createObjectURL(new Blob([bytes], { type: 'image/png' }));
    await element.decode();
    const canvas = g.document.createElement('canvas') as HTMLCanvasElement;
    canvas.width = img.width;
    canvas.height = img.height;
    canvas.getContext('2d')!.drawImage(element, 0, 0);
    const inputs: [string, fr.DetectorInput][] = [
      ['PNG bytes', bytes],
      ['<img>', element],
      ['<canvas>', canvas],
      ['ImageData', canvas.getContext('2d')!.getImageData(0, 0, img.width, img.height)],
      ['RgbImage', img],
    ];
    for (const [kind, input] of inputs) {
      let got: fr.Prediction[] = [];
      const tasks = await longTasksDuring(async () => {
        got = await detector.detect(input, { minScore: 0.3 });
      });
      assert.equal(tasks, [], `${kind}: main-thread tasks over 50 ms: ${tasks.join(', ')} ms`);
      sameDetections(got, want, kind);
    }
    observer.disconnect();
    assert.ok(bytes.length > 0 && img.data.length === img.width * img.height * 3, "the caller's bytes and pixels are not taken");
    detector.dispose();
    let refused = '';
    await detector.detect(bytes).catch((e: Error) => {
      refused = e.message;
    });
    assert.match(refused, /disposed/);
    refused = '';
    await fr.loadDetector(MODEL, { worker: '/no-such-worker.js' }).catch((e: Error) => {
      refused = e.message;
    });
    assert.match(refused, /detector worker \(\/no-such-worker\.js\) failed/);
  });

  test('a <video> gives the detections of its current frame drawn on a canvas, here and in a worker', async () => {
    const bytes = new Uint8Array(await (await fetch(SAMPLE)).arrayBuffer());
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const source = g.document.createElement('canvas') as HTMLCanvasElement;
    source.width = bitmap.width;
    source.height = bitmap.height;
    const ctx = source.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    const video = g.document.createElement('video') as HTMLVideoElement;
    video.muted = true;
    // a stream that sends a frame when asked (frame rate 0): the video then holds that frame
    const stream = source.captureStream(0);
    video.srcObject = stream;
    await video.play();
    (stream.getVideoTracks()[0] as CanvasCaptureMediaStreamTrack).requestFrame();
    await new Promise<void>((r) => {
      const tick = () => (video.videoWidth > 0 && video.readyState >= 2 ? r() : setTimeout(tick, 20));
      tick();
    });
    video.pause();
    assert.is(video.videoWidth, bitmap.width);
    // the frame the video shows, drawn as any page would
    const frame = g.document.createElement('canvas') as HTMLCanvasElement;
    frame.width = video.videoWidth;
    frame.height = video.videoHeight;
    frame.getContext('2d')!.drawImage(video, 0, 0);
    for (const worker of [false, true]) {
      const detector = await fr.loadDetector(MODEL, { worker });
      const want = await detector.detect(frame, { minScore: 0.3 });
      const got = await detector.detect(video, { minScore: 0.3 });
      detector.dispose();
      assert.ok(want.length >= 3, `the frame has detections (${want.length})`);
      assert.equal(got, want, `worker: ${worker}`);
    }
    for (const t of stream.getTracks()) t.stop();
  });

  test('without a worker, WebGL results are read asynchronously (no blocking readSync)', async () => {
    const bytes = new Uint8Array(await (await fetch(SAMPLE)).arrayBuffer());
    const detector = await fr.loadDetector(MODEL, { backend: 'webgl' });
    const gl = fr.engine.findBackend('webgl');
    const readSync = gl.readSync.bind(gl);
    let syncReads = 0,
      asyncReads = 0;
    const read = gl.read.bind(gl);
    gl.readSync = (id) => {
      syncReads++;
      return readSync(id);
    };
    gl.read = (id) => {
      asyncReads++;
      return read(id);
    };
    try {
      const found = await detector.detect(bytes, { minScore: 0.3 });
      assert.ok(found.length > 0);
    } finally {
      gl.readSync = readSync;
      gl.read = read;
      detector.dispose();
    }
    assert.is(syncReads, 0, 'synchronous reads of WebGL textures');
    assert.ok(asyncReads >= 3, `asynchronous reads: ${asyncReads} (features, scores, deltas)`);
  });

  test('a bad model URL and a bad image give clear errors', async () => {
    let msg = '';
    await fr.loadDetector('/examples/browser/no-such-model.safetensors').catch((e: Error) => {
      msg = e.message;
    });
    assert.match(msg, /loadDetector: \/examples\/browser\/no-such-model\.safetensors: HTTP 404/);
    const detector = await fr.loadDetector(MODEL);
    msg = '';
    await detector.detect(new TextEncoder().encode('GIF89a')).catch((e: Error) => {
      msg = e.message;
    });
    assert.match(msg, /not a PNG or JPEG image/);
    detector.dispose();
  });
}

test.run();
