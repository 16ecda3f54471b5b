import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { boxIou, clipBoxes, decodeBoxes, encodeBoxes } from '../../src/detection/model/wasm/boxes.js';
import { expectClose, fixtureCases, toF32, toF64 } from '../helpers/fixtures.js';
import { Rng } from '../../src/util/random.js';

// Relative 1e-6 (README) for float32 results; an absolute floor scaled to the row's magnitude
// covers values that are 0 in exact arithmetic.
const TOL = { rtol: 1e-6, atol: 1e-7 };

test('fixtures: box_iou, continuous and legacy +1 (NaN for 0/0)', () => {
  const cases = fixtureCases('box_iou');
  assert.is(cases.length, 5);
  for (const c of cases) {
    const b1 = toF32(c.input.boxes1),
      b2 = toF32(c.input.boxes2);
    // The fixture's float64 boxes are not all float32-representable; feeding float32 boxes moves
    // IoU by ~1e-7 relative, inside the tolerance.
    expectClose(boxIou(b1, b2, { coding: 'continuous' }), toF64(c.expected.iou), TOL, `${c.id} iou`);
    expectClose(boxIou(b1, b2, { coding: 'legacy_plus1' }), toF64(c.expected.iou_legacy_plus1), TOL, `${c.id} iou_legacy_plus1`);
    expectClose(boxIou(b1, b2), toF64(c.expected.iou_legacy_plus1), TOL, `${c.id} default is legacy_plus1`);
  }
  const z = fixtureCases('box_iou').find((c) => c.id === 'zero_area')!;
  assert.ok(boxIou(toF32(z.input.boxes1), toF32(z.input.boxes2), { coding: 'continuous' }).some(Number.isNaN), 'zero_area gives NaN');
});

const bt = fixtureCases('bbox_transform', 'bbox_transform');

test('fixtures: encode, every variant', () => {
  assert.is(bt.length, 3);
  for (const c of bt) {
    const p = toF32(c.input.proposals),
      g = toF32(c.input.gt_boxes);
    expectClose(encodeBoxes(p, g), toF64(c.expected.encode_legacy_plus1), TOL, `${c.id} encode default (legacy_plus1)`);
    expectClose(encodeBoxes(p, g, { coding: 'continuous' }), toF64(c.expected.encode_continuous), TOL, `${c.id} encode_continuous`);
    expectClose(
      encodeBoxes(p, g, { coding: 'continuous', stds: [0.1, 0.1, 0.2, 0.2] }),
      toF64(c.expected.encode_continuous_w10_10_5_5),
      TOL,
      `${c.id} w10_10_5_5`,
    );
  }
});

test('fixtures: decode, every variant (deltas rounded to float32: tolerance scaled by box size)', () => {
  for (const c of bt) {
    const p = toF32(c.input.proposals),
      d = toF32(c.input.deltas);
    // A float32 delta is off by up to 2^-24·|delta|, which moves a coordinate by that times the box
    // size (·exp(dw) for the width terms): atol = 1e-6 × the largest coordinate.
    const check = (got: Float32Array, key: string) => {
      const e = toF64(c.expected[key]);
      const scale = Math.max(...Array.from(e, Math.abs).filter(Number.isFinite));
      expectClose(got, e, { rtol: 1e-6, atol: 1e-6 * scale }, `${c.id} ${key}`);
    };
    check(decodeBoxes(p, d), 'decode_legacy_plus1_consistent');
    check(decodeBoxes(p, d, { decode: 'pyfasterrcnn' }), 'decode_legacy_plus1_pyfasterrcnn');
    check(decodeBoxes(p, d, { coding: 'continuous' }), 'decode_continuous');
    check(decodeBoxes(p, d, { coding: 'continuous', maxLogScale: Math.log(1000 / 16) }), 'decode_continuous_torchvision_clamp');
    check(decodeBoxes(p, d, { coding: 'continuous', stds: [0.1, 0.1, 0.2, 0.2] }), 'decode_continuous_w10_10_5_5');
  }
});

test('decode is the exact inverse of encode (legacy_plus1 consistent, with target normalization)', () => {
  const rng = new Rng(1);
  const n = 200;
  const p = new Float32Array(n * 4),
    g = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const x = rng.int(0, 500),
      y = rng.int(0, 400);
    p.set([x, y, x + rng.int(0, 200), y + rng.int(0, 200)], i * 4);
    const gx = x + rng.int(-20, 20),
      gy = y + rng.int(-20, 20);
    g.set([gx, gy, gx + rng.int(0, 200), gy + rng.int(0, 200)], i * 4);
  }
  const opts = { means: [0, 0, 0, 0], stds: [0.1, 0.1, 0.2, 0.2] };
  const back = decodeBoxes(p, encodeBoxes(p, g, opts), opts);
  expectClose(back, g, { atol: 1e-3 }, 'round trip');
  // py-faster-rcnn's decoder is not the inverse: x2, y2 come out one pixel larger.
  const py = decodeBoxes(p, encodeBoxes(p, g, opts), { ...opts, decode: 'pyfasterrcnn' });
  for (let i = 0; i < n; i++) assert.ok(Math.abs(py[i * 4 + 2] - g[i * 4 + 2] - 1) < 1e-3);
});

test('decode with k boxes per proposal ([n, 4k], one per class)', () => {
  const p = Float32Array.from([10, 10, 29, 39, 0, 0, 9, 9]);
  const d = Float32Array.from([0, 0, 0, 0, 0.1, -0.2, 0.3, 0, 1, 1, 0, 0, 0, 0, -0.5, 0.5]);
  const all = decodeBoxes(p, d);
  for (let i = 0; i < 2; i++)
    for (let k = 0; k < 2; k++) {
      const one = decodeBoxes(p.subarray(i * 4, i * 4 + 4), d.subarray(i * 8 + k * 4, i * 8 + k * 4 + 4));
      expectClose(all.subarray(i * 8 + k * 4, i * 8 + k * 4 + 4), one, {}, `box ${i} class ${k}`);
    }
  expectClose(all.subarray(0, 4), [10, 10, 29, 39], {}, 'zero delta gives the proposal back');
});

test('fixtures: clip_boxes, three modes', () => {
  const c = fixtureCases('bbox_transform', 'clip_boxes')[0];
  const b = toF32(c.input.boxes),
    H = c.input.image_height,
    W = c.input.image_width;
  expectClose(clipBoxes(b, H, W), toF64(c.expected.clip_legacy), {}, 'default legacy');
  expectClose(clipBoxes(b, H, W, 'legacy'), toF64(c.expected.clip_legacy), {}, 'clip_legacy');
  expectClose(clipBoxes(b, H, W, 'one_sided'), toF64(c.expected.clip_fast_rcnn_2015_one_sided), {}, 'one_sided');
  expectClose(clipBoxes(b, H, W, 'continuous'), toF64(c.expected.clip_continuous), {}, 'continuous');
});

test('errors', () => {
  assert.throws(() => boxIou(new Float32Array(5), new Float32Array(4)), /boxIou: boxes1 must be \[n,4\].*5 values/);
  assert.throws(() => encodeBoxes(new Float32Array(8), new Float32Array(4)), /encodeBoxes: proposals has 2 boxes but gtBoxes has 1/);
  assert.throws(() => decodeBoxes(new Float32Array(8), new Float32Array(12)), /decodeBoxes: deltas must be \[n, 4k\] for n = 2/);
  assert.throws(() => encodeBoxes(new Float32Array(4), new Float32Array(4), { stds: [1, 1, 0, 1] }), /stds must be positive/);
  assert.throws(() => clipBoxes(new Float32Array(4), 0, 10), /clipBoxes: image size must be positive/);
  assert.throws(() => boxIou(new Float32Array(4), new Float32Array(4), { coding: 'x' as any }), /unknown box coding 'x'/);
});

test.run();
