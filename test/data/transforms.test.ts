// Transforms against float64 references written differently from the code: bilinear as a tent-filter
// sum over all source pixels, flips by index formula and by where a drawn box lands.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/util/random.js';
import { flipBoxes, flipBoxesFlat } from '../../src/data/boxes.js';
import {
  computeScale,
  flipFloatImage,
  flipImage,
  prepareImage,
  resizeBilinear,
  resizeBilinearFloat,
  resizeToShortSide,
  scaledSize,
  toFloatCHW,
} from '../../src/data/transforms.js';
import type { Box, RgbImage } from '../../src/data/types.js';

function randomImage(rng: Rng, w: number, h: number): RgbImage {
  return { width: w, height: h, data: Uint8Array.from({ length: w * h * 3 }, () => rng.int(0, 256)) };
}

/** Reference bilinear: sum over every source pixel of tent(sx - i) * tent(sy - j), float64. */
function refResize(
  get: (x: number, y: number, c: number) => number,
  W: number,
  H: number,
  C: number,
  outW: number,
  outH: number,
  sx: number,
  sy: number,
): Float64Array {
  const out = new Float64Array(C * outW * outH);
  const tent = (t: number) => Math.max(0, 1 - Math.abs(t));
  for (let y = 0; y < outH; y++)
    for (let x = 0; x < outW; x++) {
      const u = Math.min(Math.max((x + 0.5) / sx - 0.5, 0), W - 1);
      const v = Math.min(Math.max((y + 0.5) / sy - 0.5, 0), H - 1);
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let j = 0; j < H; j++) {
          const wy = tent(v - j);
          if (wy) for (let i = 0; i < W; i++) s += wy * tent(u - i) * get(i, j, c);
        }
        out[(c * outH + y) * outW + x] = s;
      }
    }
  return out;
}

test('computeScale: short side target and long side cap', () => {
  assert.is(computeScale(500, 375, 600, 1000), 1.6);
  assert.is(computeScale(375, 500, 600, 1000), 1.6);
  assert.is(computeScale(1000, 200, 600, 1000), 1); // 3x would make the long side 3000
  assert.is(computeScale(320, 240, 240, 400), 1);
  assert.equal(scaledSize(500, 375, 1.6), { width: 800, height: 600 });
});

test('resizeBilinear (uint8) matches the float64 tent reference, up and down', () => {
  const rng = new Rng(1);
  for (const [w, h, ow, oh] of [
    [13, 9, 29, 17],
    [31, 22, 12, 8],
    [10, 10, 10, 10],
    [7, 5, 7, 13],
  ]) {
    const img = randomImage(rng, w, h);
    const out = resizeBilinear(img, ow, oh);
    const ref = refResize((x, y, c) => img.data[(y * w + x) * 3 + c], w, h, 3, ow, oh, ow / w, oh / h);
    for (let c = 0; c < 3; c++)
      for (let i = 0; i < ow * oh; i++) {
        const r = ref[c * ow * oh + i],
          v = out.data[i * 3 + c];
        assert.ok(Math.abs(v - r) <= 0.5 + 1e-6, `${w}x${h}->${ow}x${oh} c${c} px${i}: ${v} vs ${r}`);
      }
  }
  const same = randomImage(rng, 6, 4);
  assert.equal(resizeBilinear(same, 6, 4).data, same.data, 'identity size is a copy');
});

test('resizeBilinearFloat and prepareImage match the reference pipeline (flip, means/std, nominal scale)', () => {
  const rng = new Rng(2);
  const img = randomImage(rng, 21, 14);
  const f = { width: 21, height: 14, data: Float32Array.from({ length: 3 * 21 * 14 }, () => rng.normal()) };
  const out = resizeBilinearFloat(f, 33, 22, 1.55, 1.55);
  const ref = refResize((x, y, c) => f.data[(c * 14 + y) * 21 + x], 21, 14, 3, 33, 22, 1.55, 1.55);
  ref.forEach((r, i) => assert.ok(Math.abs(out.data[i] - r) < 1e-5, `${i}: ${out.data[i]} vs ${r}`));

  const means = [100, 110, 120],
    std = [50, 60, 70];
  const { image, scale } = prepareImage(img, { shortSide: 30, maxSize: 40, means, std, flip: true });
  // 30/14 would make the long side 45 > 40, so the cap decides: 40/21.
  assert.is(scale, 40 / 21);
  assert.equal([image.width, image.height], [40, Math.round((14 * 40) / 21)]);
  const ref2 = refResize(
    (x, y, c) => (img.data[(y * 21 + (20 - x)) * 3 + c] - means[c]) / std[c],
    21,
    14,
    3,
    image.width,
    image.height,
    scale,
    scale,
  );
  ref2.forEach((r, i) => assert.ok(Math.abs(image.data[i] - r) < 1e-5, `${i}: ${image.data[i]} vs ${r}`));
});

test('resizeToShortSide returns the scale used and the rounded size', () => {
  const img = randomImage(new Rng(3), 32, 24);
  const { image, scale } = resizeToShortSide(img, 36, 1000);
  assert.is(scale, 1.5);
  assert.equal([image.width, image.height], [48, 36]);
  const capped = resizeToShortSide(img, 36, 40);
  assert.is(capped.scale, 40 / 32);
  assert.equal([capped.image.width, capped.image.height], [40, 30]);
});

test('toFloatCHW: planar, means subtracted, optional std', () => {
  const img = { width: 2, height: 1, data: Uint8Array.from([10, 20, 30, 40, 50, 60]) };
  assert.equal([...toFloatCHW(img, [1, 2, 3]).data], [9, 39, 18, 48, 27, 57]);
  assert.equal([...toFloatCHW(img, [0, 0, 0], [10, 20, 30]).data], [1, 4, 1, 2.5, 1, 2]);
});

test('flip: index formula, twice is identity (uint8 and float)', () => {
  const rng = new Rng(4);
  const img = randomImage(rng, 9, 5);
  const f = flipImage(img);
  for (let y = 0; y < 5; y++)
    for (let x = 0; x < 9; x++)
      for (let c = 0; c < 3; c++) {
        assert.is(f.data[(y * 9 + x) * 3 + c], img.data[(y * 9 + 8 - x) * 3 + c]);
      }
  assert.equal(flipImage(f).data, img.data);
  const fl = toFloatCHW(img, [0, 0, 0]);
  assert.equal(flipFloatImage(fl).data, toFloatCHW(f, [0, 0, 0]).data);
  assert.equal(flipFloatImage(flipFloatImage(fl)).data, fl.data);
});

test('box flip lands exactly where the flipped image puts a drawn box', () => {
  const W = 23,
    H = 11;
  const boxes: Box[] = [
    [0, 0, 4, 3],
    [5, 2, 5, 9],
    [10, 1, 22, 10],
    [3, 3, 17, 6],
  ];
  const fb = flipBoxes(boxes, W);
  boxes.forEach((b, k) => {
    const img = { width: W, height: H, data: new Uint8Array(W * H * 3) };
    for (let y = b[1]; y <= b[3]; y++) for (let x = b[0]; x <= b[2]; x++) img.data[(y * W + x) * 3] = 255;
    const f = flipImage(img);
    let x1 = W,
      y1 = H,
      x2 = -1,
      y2 = -1;
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        if (f.data[(y * W + x) * 3]) {
          x1 = Math.min(x1, x);
          x2 = Math.max(x2, x);
          y1 = Math.min(y1, y);
          y2 = Math.max(y2, y);
        }
    assert.equal(fb[k], [x1, y1, x2, y2]);
  });
  assert.equal(flipBoxes(fb, W), boxes);
  assert.equal([...flipBoxesFlat(boxes.flat(), W)], fb.flat());
});

test.run();
