// Felzenszwalb–Huttenlocher segmentation kernels (assembly/ss_segment.ts) and colour conversions
// (assembly/ss_color.ts) against the float64 references in test/reference/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadWasm } from '../../src/backends/wasm/loader.js';
import { Rng } from '../../src/util/random.js';
import { canonicalLabels, edgesRef, segmentRef, smoothRef, sortedOrder } from '../reference/felzenszwalb.js';
import { hsvRef, labRef } from '../reference/selective_search.js';
import { colorSpaceWasm, edgeEnds, edgesWasm, segmentGraphWasm, sortEdgesWasm } from './ssKernels.js';

const m = loadWasm();

function noiseImage(rng: Rng, w: number, h: number, levels = 256): Uint8Array {
  return Uint8Array.from({ length: 3 * w * h }, () => Math.floor(rng.next() * levels) * Math.floor(255 / (levels - 1 || 1)));
}

/** Blocks of constant colour, a grid of bw×bh cells; any two cells differ by >= 80 in some channel. */
function blockImage(rng: Rng, w: number, h: number, bw: number, bh: number): { img: Uint8Array; cells: Int32Array } {
  const cols = Math.ceil(w / bw),
    rows = Math.ceil(h / bh);
  const palette = rng.shuffle(
    Array.from({ length: 27 }, (_, i) => [i % 3, Math.floor(i / 3) % 3, Math.floor(i / 9)].map((v) => 40 + 80 * v)),
  );
  assert.ok(cols * rows <= 27);
  const colour = Array.from({ length: cols * rows }, (_, i) => palette[i]);
  const img = new Uint8Array(3 * w * h),
    cells = new Int32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const c = Math.floor(y / bh) * cols + Math.floor(x / bw);
      cells[y * w + x] = c;
      img.set(colour[c], 3 * (y * w + x));
    }
  return { img, cells };
}

test('smoothing and edge weights match the float64 reference', () => {
  const rng = new Rng(3);
  for (const [w, h] of [
    [17, 11],
    [1, 9],
    [9, 1],
    [4, 4],
  ]) {
    const img = noiseImage(rng, w, h);
    const got = edgesWasm(m, img, w, h, 0.8);
    const planes = smoothRef(img, w, h, 0.8);
    for (let c = 0; c < 3; c++)
      for (let p = 0; p < w * h; p++) {
        assert.ok(Math.abs(got.smooth[c * w * h + p] - planes[c][p]) < 1e-3, `smooth ${w}x${h} c${c} p${p}`);
      }
    const ref = edgesRef(planes, w, h);
    assert.is(got.weights.length, ref.w.length);
    for (let e = 0; e < ref.w.length; e++) {
      const [a, b] = edgeEnds(got.ids[e], w);
      assert.is(a, ref.a[e]);
      assert.is(b, ref.b[e]);
      assert.ok(Math.abs(got.weights[e] - ref.w[e]) < 2e-3, `weight ${e}`);
    }
  }
});

test('radix sort equals a stable sort by weight (ties keep input order)', () => {
  const rng = new Rng(5);
  // few distinct weights -> many ties; plus a random float case
  for (const levels of [3, 256]) {
    const img = noiseImage(rng, 23, 19, levels);
    const e = edgesWasm(m, img, 23, 19, levels === 3 ? 0 : 0.8);
    const sorted = sortEdgesWasm(m, e);
    const order = sortedOrder({ a: new Int32Array(0), b: new Int32Array(0), w: Float64Array.from(e.weights) });
    assert.equal(
      Array.from(sorted.ids),
      order.map((i) => e.ids[i]),
    );
    assert.equal(
      Array.from(sorted.weights),
      order.map((i) => e.weights[i]),
    );
  }
  // weights spanning many binades, including 0
  const n = 5000;
  const weights = Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : rng.next() ** 6 * 500));
  const ids = Uint32Array.from({ length: n }, (_, i) => i);
  const s = sortEdgesWasm(m, { weights, ids });
  const order = Array.from(ids).sort((a, b) => weights[a] - weights[b]);
  assert.equal(Array.from(s.ids), order);
});

test('partition is identical to the reference for the same edges', () => {
  const rng = new Rng(11);
  let cases = 0;
  for (const [w, h] of [
    [24, 18],
    [31, 7],
    [1, 40],
    [40, 1],
    [12, 12],
  ]) {
    for (const k of [5, 50, 300]) {
      for (const minSize of [1, 8, 40]) {
        const img = noiseImage(rng, w, h, rng.next() < 0.5 ? 4 : 256);
        const e = edgesWasm(m, img, w, h, 0.8);
        const sorted = sortEdgesWasm(m, e);
        const got = segmentGraphWasm(m, sorted, w, h, k, minSize);
        const a = new Int32Array(e.ids.length),
          b = new Int32Array(e.ids.length);
        e.ids.forEach((id, i) => {
          [a[i], b[i]] = edgeEnds(id, w);
        });
        const ref = segmentRef(w * h, { a, b, w: Float64Array.from(e.weights) }, k, minSize);
        assert.equal(Array.from(got.labels), Array.from(ref), `${w}x${h} k=${k} minSize=${minSize}`);
        assert.is(got.R, Math.max(...ref) + 1);
        cases++;
      }
    }
  }
  assert.is(cases, 45);
});

test('piecewise-constant images: the pipeline gives the blocks, and the reference partition', () => {
  const rng = new Rng(7);
  for (const [w, h, bw, bh] of [
    [40, 30, 20, 15],
    [48, 36, 12, 12],
    [60, 20, 20, 20],
    [37, 23, 9, 7],
  ]) {
    const { img, cells } = blockImage(rng, w, h, bw, bh);
    // Unsmoothed: every edge inside a block weighs 0 and every edge across one >= 80 > k/|block|, so
    // the blocks come out exactly; weights are square roots of integers, so float32 keeps their order.
    const e0 = edgesWasm(m, img, w, h, 0);
    const flat = segmentGraphWasm(m, sortEdgesWasm(m, e0), w, h, 100, 1);
    assert.equal(Array.from(flat.labels), Array.from(canonicalLabels(cells)), `blocks ${w}x${h}`);
    const ref0 = segmentRef(w * h, edgesRef(smoothRef(img, w, h, 0), w, h), 100, 1);
    assert.equal(Array.from(flat.labels), Array.from(ref0), `reference, sigma 0, ${w}x${h}`);
    // Smoothed (sigma 0.8): float32 and float64 blurs order some near-equal boundary edges
    // differently, so only the region count and >= 98% of the pixels must agree.
    const minSize = Math.floor((bw * bh) / 2);
    const e = edgesWasm(m, img, w, h, 0.8);
    const got = segmentGraphWasm(m, sortEdgesWasm(m, e), w, h, 100, minSize);
    const ref = segmentRef(w * h, edgesRef(smoothRef(img, w, h, 0.8), w, h), 100, minSize);
    assert.is(got.R, Math.max(...ref) + 1, `region count ${w}x${h}`);
    let same = 0;
    for (let i = 0; i < w * h; i++) if (got.labels[i] === ref[i]) same++;
    assert.ok(same >= 0.98 * w * h, `${w}x${h}: ${same} of ${w * h} pixels agree`);
  }
});

test('constant image is one region; k tiny and minSize 1 on noise gives many', () => {
  const w = 16,
    h = 9;
  const flat = new Uint8Array(3 * w * h).fill(77);
  const e = edgesWasm(m, flat, w, h, 0.8);
  assert.ok(e.weights.every((x) => x === 0));
  assert.is(segmentGraphWasm(m, sortEdgesWasm(m, e), w, h, 50, 10).R, 1);
  const noisy = noiseImage(new Rng(1), w, h);
  const e2 = edgesWasm(m, noisy, w, h, 0);
  assert.ok(segmentGraphWasm(m, sortEdgesWasm(m, e2), w, h, 0.001, 1).R > (w * h) / 2);
});

test('colour spaces match the float64 formulas within rounding', () => {
  const rng = new Rng(2);
  const n = 4000;
  const rgb = Uint8Array.from({ length: 3 * n }, () => rng.int(0, 256));
  // include greys, primaries and extremes
  rgb.set([0, 0, 0, 255, 255, 255, 128, 128, 128, 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 0, 255], 0);
  assert.equal(colorSpaceWasm(m, rgb, 0), rgb);
  for (const [space, ref] of [
    [1, hsvRef],
    [2, labRef],
  ] as const) {
    const got = colorSpaceWasm(m, rgb, space);
    for (let i = 0; i < n; i++) {
      const want = ref(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]).map((v) => Math.min(255, Math.max(0, v)));
      for (let c = 0; c < 3; c++) {
        assert.ok(Math.abs(got[3 * i + c] - want[c]) <= 0.51 + 1e-3, `space ${space} pixel ${i} ch ${c}: ${got[3 * i + c]} vs ${want[c]}`);
      }
    }
  }
});

test.run();
