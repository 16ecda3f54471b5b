// Drawing: pixels change only inside the boxes and their label tabs, outlines are the class colour,
// glyphs are complete, distinct and land where expected.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/util/random.js';
import { classColor, drawDetections, drawText, FONT, labelTabRect, labelText, measureText } from '../../src/data/draw.js';
import type { Box, RgbImage } from '../../src/data/types.js';

const noise = (seed: number, w: number, h: number): RgbImage => {
  const r = new Rng(seed);
  return { width: w, height: h, data: Uint8Array.from({ length: w * h * 3 }, () => r.int(0, 256)) };
};

test('changes only pixels inside the boxes and the label tabs', () => {
  const img = noise(1, 120, 90),
    before = img.data.slice();
  const dets = [
    { box: [30, 40, 80, 70] as Box, label: 'circle', score: 0.93, classIndex: 0 },
    { box: [0, 0, 20.4, 15.6] as Box, label: 'star', score: 0.5, classIndex: 3 }, // tab must go inside (top edge)
    { box: [100, 20, 119, 30] as Box, label: 'triangle', classIndex: 5 }, // tab shifted left to fit
  ];
  drawDetections(img, dets);
  const allowed = new Uint8Array(120 * 90);
  const mark = (r: number[]) => {
    for (let y = Math.max(0, r[1]); y <= Math.min(89, r[3]); y++)
      for (let x = Math.max(0, r[0]); x <= Math.min(119, r[2]); x++) allowed[y * 120 + x] = 1;
  };
  for (const d of dets) {
    mark(d.box.map(Math.round));
    mark(labelTabRect(img, d.box, labelText(d)));
  }
  let changed = 0,
    stray = 0;
  for (let p = 0; p < 120 * 90; p++) {
    const diff =
      img.data[p * 3] !== before[p * 3] || img.data[p * 3 + 1] !== before[p * 3 + 1] || img.data[p * 3 + 2] !== before[p * 3 + 2];
    if (diff) {
      changed++;
      if (!allowed[p]) stray++;
    }
  }
  assert.is(stray, 0);
  assert.ok(changed > 200);
  // Box interiors beyond the 2 px outline are untouched (box 0's tab is above it).
  for (let y = 42; y <= 68; y++) for (let x = 32; x <= 78; x++) assert.is(img.data[(y * 120 + x) * 3], before[(y * 120 + x) * 3]);
  // The 2 px outline of box 0 is the class colour all round.
  const c = classColor(0);
  for (let x = 30; x <= 80; x++)
    for (const y of [40, 41, 69, 70]) assert.equal([...img.data.subarray((y * 120 + x) * 3, (y * 120 + x) * 3 + 3)], c);
  for (let y = 40; y <= 70; y++)
    for (const x of [30, 31, 79, 80]) assert.equal([...img.data.subarray((y * 120 + x) * 3, (y * 120 + x) * 3 + 3)], c);
  // Tab placement: above box 0, inside box 1 (top edge), inside the image for box 2.
  const t0 = labelTabRect(img, dets[0].box, 'circle 0.93');
  assert.equal(t0, [30, 40 - 9, 30 + measureText('circle 0.93').width + 1, 39]);
  assert.is(labelTabRect(img, dets[1].box, 'star 0.50')[1], 0);
  assert.is(labelTabRect(img, dets[2].box, 'triangle')[2], 119);
});

test('label text and class colours', () => {
  assert.is(labelText({ box: [0, 0, 1, 1], label: 'class', score: 0.931 }), 'class 0.93');
  assert.is(labelText({ box: [0, 0, 1, 1], label: 'dog' }), 'dog');
  const colors = Array.from({ length: 24 }, (_, i) => classColor(i).join(','));
  assert.is(new Set(colors).size, 24);
  for (const c of Array.from({ length: 24 }, (_, i) => classColor(i))) assert.ok(c.every((v) => v >= 0 && v <= 255 && Number.isInteger(v)));
});

test('font: full character set, 5x7, distinct glyphs', () => {
  const chars = [...'abcdefghijklmnopqrstuvwxyz0123456789.-_ '];
  for (const ch of chars) {
    assert.ok(FONT[ch], `glyph '${ch}'`);
    assert.is(FONT[ch].length, 7);
    assert.ok(FONT[ch].every((r) => r >= 0 && r < 32));
  }
  assert.is(new Set(chars.map((ch) => FONT[ch].join(','))).size, chars.length);
  assert.ok(FONT[' '].every((r) => r === 0));
});

test('drawText puts known glyphs at the expected pixels, scaled', () => {
  const img: RgbImage = { width: 20, height: 10, data: new Uint8Array(600) };
  drawText(img, 1, 2, '-_.', [255, 0, 0]);
  const on = new Set<string>();
  for (let y = 0; y < 10; y++) for (let x = 0; x < 20; x++) if (img.data[(y * 20 + x) * 3]) on.add(`${x},${y}`);
  const expected = new Set<string>();
  for (let x = 1; x <= 5; x++) expected.add(`${x},5`); // '-' : row 3 full
  for (let x = 7; x <= 11; x++) expected.add(`${x},8`); // '_' : row 6 full
  for (const [x, y] of [
    [14, 7],
    [15, 7],
    [14, 8],
    [15, 8],
  ])
    expected.add(`${x},${y}`); // '.' : 2x2 at columns 1-2, rows 5-6
  assert.equal([...on].sort(), [...expected].sort());
  const big: RgbImage = { width: 12, height: 16, data: new Uint8Array(12 * 16 * 3) };
  drawText(big, 0, 0, '-', [9, 9, 9], 2);
  let n = 0;
  for (let i = 0; i < big.data.length; i += 3) if (big.data[i]) n++;
  assert.is(n, 5 * 2 * 2);
  assert.equal(measureText('ab', 2), { width: 22, height: 14 });
});

test.run();
