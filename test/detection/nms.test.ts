import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { batchedNms, nms } from '../../src/detection/model/wasm/nms.js';
import { fixtureCases, toF32 } from '../helpers/fixtures.js';
import { nmsRef } from '../reference/nms.js';
import { Rng } from '../../src/util/random.js';

const same = (got: Int32Array, exp: number[], label: string) => assert.equal(Array.from(got), exp, label);

test('fixtures: every nms case, every keep list', () => {
  const cases = fixtureCases('nms');
  assert.is(cases.length, 21);
  let f32 = 0;
  for (const c of cases) {
    const b = toF32(c.input.boxes),
      s = toF32(c.input.scores),
      thr = c.input.iou_threshold;
    same(nms(b, s, thr), c.expected.keep_legacy_plus1_ge, `${c.id} default (legacy_plus1, >=)`);
    same(nms(b, s, thr, { coding: 'legacy_plus1', rule: 'ge' }), c.expected.keep_legacy_plus1_ge, `${c.id} keep_legacy_plus1_ge`);
    same(nms(b, s, thr, { coding: 'legacy_plus1', rule: 'gt' }), c.expected.keep_legacy_plus1_gt, `${c.id} keep_legacy_plus1_gt`);
    same(nms(b, s, thr, { coding: 'continuous', rule: 'gt' }), c.expected.keep, `${c.id} keep (continuous, >)`);
    if (c.expected.keep_float32) {
      f32++;
      same(nms(b, s, thr, { coding: 'continuous', rule: 'gt', precision: 'float32' }), c.expected.keep_float32, `${c.id} keep_float32`);
    }
  }
  assert.ok(f32 >= 1, 'the float32 variant was exercised');
});

test('fixtures: every batched_nms case (keep order exact; torchvision order as a set)', () => {
  const cases = fixtureCases('batched_nms');
  assert.is(cases.length, 6);
  for (const c of cases) {
    const b = toF32(c.input.boxes),
      s = toF32(c.input.scores),
      ids = c.input.idxs.data as number[];
    const got = batchedNms(b, s, ids, c.input.iou_threshold, { coding: 'continuous', rule: 'gt' });
    same(got, c.expected.keep, `${c.id} keep`);
    assert.equal(
      Array.from(got).sort((x, y) => x - y),
      [...c.expected.keep_torchvision].sort((x: number, y: number) => x - y),
      `${c.id} keep_torchvision set`,
    );
  }
});

function randomBoxes(rng: Rng, n: number, span: number, minSize: number, maxSize: number, integer: boolean): Float32Array {
  const b = new Float32Array(n * 4);
  const r = (lo: number, hi: number) => (integer ? rng.int(lo, hi) : rng.uniform(lo, hi));
  for (let i = 0; i < n; i++) {
    const x = r(0, span),
      y = r(0, span);
    b.set([x, y, x + r(minSize, maxSize), y + r(minSize, maxSize)], i * 4);
  }
  return b;
}

test('20000 random boxes: equals the O(n²) reference in all modes', () => {
  const rng = new Rng(20000);
  const n = 20000;
  const boxes = randomBoxes(rng, n, 1000, 20, 250, false);
  const scores = Float32Array.from({ length: n }, () => rng.next());
  for (const [coding, rule, thr] of [
    ['legacy_plus1', 'ge', 0.3],
    ['continuous', 'gt', 0.5],
  ] as const) {
    const got = nms(boxes, scores, thr, { coding, rule });
    const ref = nmsRef(boxes, scores, thr, { plus1: coding === 'legacy_plus1', ge: rule === 'ge' });
    assert.ok(ref.length > 1000 && ref.length < n - 1000, `a non-trivial case (${ref.length} kept)`);
    same(got, ref, `${coding} ${rule} ${thr}`);
  }
});

test('integer boxes with many IoUs exactly at the threshold, score ties, float32 and float64', () => {
  // Small integer boxes on a small grid make IoU = threshold (0.5, 1/3, ...) common, which drives
  // the exact path; quantized scores make ties common.
  const rng = new Rng(42);
  for (let trial = 0; trial < 2; trial++) {
    const n = 2000;
    const boxes = randomBoxes(rng, n, 40, 0, 8, true);
    const scores = Float32Array.from({ length: n }, () => rng.int(0, 20) / 20);
    for (const thr of [0.5, 1 / 3, 0.25]) {
      for (const opts of [
        { plus1: true, ge: true },
        { plus1: false, ge: false },
        { plus1: false, ge: true },
        { plus1: false, ge: false, float32: true },
      ]) {
        const got = nms(boxes, scores, thr, {
          coding: opts.plus1 ? 'legacy_plus1' : 'continuous',
          rule: opts.ge ? 'ge' : 'gt',
          precision: opts.float32 ? 'float32' : 'float64',
        });
        same(got, nmsRef(boxes, scores, thr, opts), `trial ${trial} thr ${thr} ${JSON.stringify(opts)}`);
      }
    }
  }
});

test('batched: random classes equal the per-class reference, merged by score', () => {
  const rng = new Rng(8);
  const n = 4000;
  const boxes = randomBoxes(rng, n, 300, 5, 80, false);
  const scores = Float32Array.from({ length: n }, () => rng.int(0, 1000) / 1000);
  const cls = Int32Array.from({ length: n }, () => rng.int(0, 21) * 7 - 3); // arbitrary integer ids
  const got = batchedNms(boxes, scores, cls, 0.5);
  same(got, nmsRef(boxes, scores, 0.5, { plus1: true, ge: true }, cls), 'batched');
});

test('edge cases: empty, duplicates, zero-area, inverted boxes, equal scores, maxOutput', () => {
  assert.is(nms(new Float32Array(0), new Float32Array(0), 0.5).length, 0);
  assert.is(batchedNms(new Float32Array(0), new Float32Array(0), [], 0.5).length, 0);
  const dup = Float32Array.from([0, 0, 10, 10, 0, 0, 10, 10, 0, 0, 10, 10]);
  same(nms(dup, [0.5, 0.5, 0.5], 0.7), [0], 'duplicates with equal scores: lowest index kept');
  same(nms(dup, [0.1, 0.9, 0.5], 0.7), [1], 'duplicates: highest score kept');
  // zero-area continuous boxes: IoU 0/0 = NaN never suppresses
  const pts = Float32Array.from([5, 5, 5, 5, 5, 5, 5, 5]);
  same(nms(pts, [0.9, 0.8], 0.5, { coding: 'continuous', rule: 'gt' }), [0, 1], 'NaN IoU keeps both');
  same(nms(pts, [0.9, 0.8], 0.5), [0], '+1 areas: identical points overlap fully');
  const inv = Float32Array.from([10, 10, 0, 0, 10, 10, 0, 0, 0, 0, 10, 10, 20, 20, 19, 30]);
  const sc = [0.9, 0.8, 0.7, 0.6];
  for (const coding of ['legacy_plus1', 'continuous'] as const) {
    for (const rule of ['ge', 'gt'] as const) {
      same(
        nms(inv, sc, 0.5, { coding, rule }),
        nmsRef(inv, sc, 0.5, { plus1: coding === 'legacy_plus1', ge: rule === 'ge' }),
        `inverted ${coding} ${rule}`,
      );
    }
  }
  same(nms(dup, [0.5, 0.5, 0.5], 0), [0], 'threshold 0 with >=: every overlapping box goes');
  const far = Float32Array.from([0, 0, 1, 1, 10, 10, 11, 11, 20, 20, 21, 21]);
  same(nms(far, [0.1, 0.3, 0.2], 0.5, { maxOutput: 2 }), [1, 2], 'maxOutput keeps the best');
  same(nms(far, [0.1, 0.3, 0.2], 0.5, { maxOutput: 0 }), [], 'maxOutput 0');
  same(nms(far, [-0, 0, -1], 0.5), [0, 1, 2], '-0 and +0 tie');
});

test('mixed degenerate, NaN and huge boxes: pruned and unpruned passes equal the reference', () => {
  // A huge box (area >= 1e30) switches the window pruning off for the pass; NaN coordinates and
  // non-positive sides must neither suppress nor be suppressed (for t > 0), in both passes.
  const rng = new Rng(13);
  const n = 600;
  const base = randomBoxes(rng, n, 60, 0, 12, true);
  for (let i = 0; i < n; i += 17) base.set([base[i * 4 + 2], base[i * 4 + 1], base[i * 4], base[i * 4 + 3]], i * 4); // inverted x
  base.set([NaN, 0, 5, 5], 4 * 3);
  const scores = Float32Array.from({ length: n }, () => rng.int(0, 50) / 50);
  const huge = base.slice();
  huge.set([-1e20, -1e20, 1e20, 1e20], 4 * 5);
  for (const boxes of [base, huge]) {
    for (const thr of [0.5, 0.2]) {
      for (const o of [
        { plus1: true, ge: true },
        { plus1: false, ge: false },
      ]) {
        const got = nms(boxes, scores, thr, { coding: o.plus1 ? 'legacy_plus1' : 'continuous', rule: o.ge ? 'ge' : 'gt' });
        same(got, nmsRef(boxes, scores, thr, o), `${boxes === huge ? 'huge' : 'base'} thr ${thr} ${JSON.stringify(o)}`);
      }
    }
  }
});

test('the centre window is tight: suppressors at the edge of the bound are found', () => {
  // Pairs with IoU just above t whose centres are as far apart as IoU >= t allows (equal heights,
  // wb = wa/t·… extremes): nested boxes of width ratio t give IoU_x = t exactly; half the pairs
  // are nested along y instead, for the grid's row window.
  const rng = new Rng(77);
  for (const thr of [0.3, 0.5, 0.7, 0.9]) {
    const boxes: number[] = [],
      scores: number[] = [];
    for (let i = 0; i < 300; i++) {
      const x = rng.uniform(0, 1000),
        y = rng.uniform(0, 1000),
        w = rng.uniform(5, 200),
        h = rng.uniform(5, 200);
      const left = rng.next() < 0.5;
      boxes.push(x, y, x + w, y + h);
      if (i % 2 === 0) {
        const w2 = w * thr * rng.uniform(1, 1.0001); // small box inside, touching one side (x)
        boxes.push(left ? x : x + w - w2, y, left ? x + w2 : x + w, y + h);
      } else {
        const h2 = h * thr * rng.uniform(1, 1.0001); // the same along y
        boxes.push(x, left ? y : y + h - h2, x + w, left ? y + h2 : y + h);
      }
      scores.push(0.5 + rng.next() * 0.5, rng.next() * 0.5);
    }
    for (const o of [
      { plus1: false, ge: true },
      { plus1: false, ge: false },
      { plus1: true, ge: true },
    ]) {
      const got = nms(Float32Array.from(boxes), scores, thr, { coding: o.plus1 ? 'legacy_plus1' : 'continuous', rule: o.ge ? 'ge' : 'gt' });
      const ref = nmsRef(Float32Array.from(boxes), scores, thr, o);
      assert.ok(ref.length < 600, 'some are suppressed');
      same(got, ref, `thr ${thr} ${JSON.stringify(o)}`);
    }
  }
});

test('degenerate grids: all centres on one line, one point, or spread over a huge range', () => {
  const rng = new Rng(5);
  const n = 500;
  const line = new Float32Array(n * 4),
    point = new Float32Array(n * 4),
    spread = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const x = rng.uniform(0, 400),
      w = rng.uniform(4, 60),
      h = rng.uniform(4, 60);
    line.set([x, 100 - h / 2, x + w, 100 + h / 2], i * 4); // every cy = 100
    point.set([50 - w / 2, 50 - h / 2, 50 + w / 2, 50 + h / 2], i * 4); // every centre (50, 50)
    const far = i < 5 ? 1e6 * i : 0; // a few boxes far away make most cells empty
    spread.set([x + far, x, x + w + far, x + h], i * 4);
  }
  const scores = Float32Array.from({ length: n }, () => rng.next());
  for (const [name, boxes] of [
    ['line', line],
    ['point', point],
    ['spread', spread],
  ] as const) {
    for (const thr of [0.3, 0.7]) {
      same(nms(boxes, scores, thr), nmsRef(boxes, scores, thr, { plus1: true, ge: true }), `${name} ${thr}`);
    }
  }
});

test('errors', () => {
  const b = new Float32Array(8);
  assert.throws(() => nms(b, [1], 0.5), /nms: boxes has 2 boxes but scores has 1 values/);
  assert.throws(() => nms(new Float32Array(7), [1, 2], 0.5), /nms: boxes must be \[n,4\]/);
  assert.throws(() => nms(b, [1, 2], -0.1), /nms: iouThreshold must be a finite number >= 0, got -0.1/);
  assert.throws(() => nms(b, [1, 2], NaN), /iouThreshold.*NaN/);
  assert.throws(() => nms(b, [1, 2], Infinity), /iouThreshold.*Infinity/);
  assert.throws(() => nms(b, [1, NaN], 0.5), /nms: scores\[1\] is NaN/);
  assert.throws(() => batchedNms(b, [1, 2], [0], 0.5), /batchedNms: boxes has 2 boxes but classIds has 1 values/);
  assert.throws(() => batchedNms(b, [1, 2], [0, 0.5], 0.5), /classIds\[1\] = 0.5 is not an integer/);
  assert.throws(() => nms(b, [1, 2], 0.5, { maxOutput: -1 }), /maxOutput/);
});

test.run();
