// Flip test-time augmentation (test.flip): the result must equal the average of two independent
// passes through the public imDetect, one on the image and one on its mirror image with mirrored
// proposals (mapped back). Scores average exactly; box centres average (decoding is linear in dx,
// dy) and widths/heights take the geometric mean (exp of the averaged dw, dh). The bbox_pred weights
// are scaled up so that the deltas move boxes by pixels, and proposals sit inside the image so no
// box is clipped.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import '../../src/index.js';
import '../helpers/backend.js';
import { imDetect } from '../../src/detection/model/detect.js';
import { createModel } from '../../src/detection/model/fastRcnn.js';
import { flipBoxesFlat } from '../../src/data/boxes.js';
import { flipImage } from '../../src/data/transforms.js';
import { engine } from '../../src/tensor/engine.js';
import { Rng } from '../../src/util/random.js';
import { tinyConfig } from './helpers.js';

const test = suite('detection: flip test-time augmentation');

test('test.flip averages the image and its mirror image (scores exactly, boxes by centre and log-size)', () => {
  const cfg = tinyConfig();
  cfg.test.scales = [72, 108];
  cfg.test.pyramidArea = 40;
  const model = createModel(cfg, ['a', 'b', 'c']);
  const w = model.bboxPred.weight,
    wv = Float32Array.from(w.dataSync() as Float32Array, (v) => v * 50);
  w.assign(engine.makeTensor(wv, w.shape.slice(), 'float32'));
  const rng = new Rng(11),
    W = 96,
    H = 72;
  const img = { width: W, height: H, data: Uint8Array.from({ length: W * H * 3 }, () => rng.int(0, 256)) };
  const props: number[] = [];
  for (let i = 0; i < 40; i++) {
    const bw = rng.uniform(8, 36),
      bh = rng.uniform(8, 26),
      x1 = rng.uniform(16, W - 16 - bw),
      y1 = rng.uniform(16, H - 16 - bh);
    props.push(Math.round(x1), Math.round(y1), Math.round(x1 + bw), Math.round(y1 + bh));
  }
  const a = imDetect(model, img, props, cfg);
  const b = imDetect(model, flipImage(img), flipBoxesFlat(props, W), cfg);
  const f = imDetect(model, img, props, cfg, { ...cfg.test, flip: true });
  assert.is(f.scores.length, a.scores.length);
  let ds = 0,
    dsPlain = 0;
  for (let i = 0; i < a.scores.length; i++) {
    ds = Math.max(ds, Math.abs(f.scores[i] - 0.5 * (a.scores[i] + b.scores[i])));
    dsPlain = Math.max(dsPlain, Math.abs(a.scores[i] - b.scores[i]));
  }
  assert.ok(ds < 1e-6, `scores differ from the two-pass average by ${ds}`);
  assert.ok(dsPlain > 1e-3, 'the mirror pass must score differently, or the test proves nothing');
  const bBack = flipBoxesFlat(b.boxes, W);
  let db = 0,
    moved = 0;
  for (let i = 0; i < a.boxes.length; i += 4) {
    for (const [lo, hi, lim] of [
      [0, 2, W],
      [1, 3, H],
    ]) {
      for (const box of [a.boxes, bBack])
        assert.ok(box[i + lo] > 0 && box[i + hi] < lim - 1, 'a box was clipped; move the proposals inward');
      const cA = (a.boxes[i + lo] + a.boxes[i + hi]) / 2,
        cB = (bBack[i + lo] + bBack[i + hi]) / 2;
      const wA = a.boxes[i + hi] - a.boxes[i + lo] + 1,
        wB = bBack[i + hi] - bBack[i + lo] + 1;
      const c = (f.boxes[i + lo] + f.boxes[i + hi]) / 2,
        wd = f.boxes[i + hi] - f.boxes[i + lo] + 1;
      db = Math.max(db, Math.abs(c - (cA + cB) / 2), Math.abs(wd - Math.sqrt(wA * wB)));
      moved = Math.max(moved, Math.abs(cA - cB));
    }
  }
  assert.ok(db < 1e-3, `boxes differ from the two-pass average by ${db} px`);
  assert.ok(moved > 0.5, `the deltas must move boxes (max centre difference ${moved} px)`);
  model.dispose();
});

test.run();
