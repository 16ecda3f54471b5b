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

if (typeof g.document !== 'undefined') {
  test('each input kind gives the pipeline detections on the same pixels', async () => {
    const bytes = new Uint8Array(await (await fetch(SAMPLE)).arrayBuffer());
    const img = await fr.decodeImage(bytes);
    const { model, config } = fr.modelFromBytes(new Uint8Array(await (await fetch(MODEL)).arrayBuffer()));
    const want = fr
      .detect(model, img, fr.selectiveSearch(img, fr.DEFAULT_SS_OPTIONS), config)
      .detections.filter((d) => d.score >= 0.3)
      .sort((a, b) => b.score - a.score);
    model.dispose();
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
      assert.is(got.length, want.length, kind);
      got.forEach((p, i) => {
        assert.is(p.className, want[i].className, kind);
        assert.ok(Math.abs(p.score - want[i].score) < 1e-4, `${kind}: score ${p.score} vs ${want[i].score}`);
        p.box.forEach((v, k) => assert.ok(Math.abs(v - want[i].box[k]) <= 1, `${kind}: box ${p.box} vs ${want[i].box}`));
      });
    }
    detector.dispose();
    let refused = '';
    await detector.detect(bytes).catch((e: Error) => {
      refused = e.message;
    });
    assert.match(refused, /disposed/);
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
