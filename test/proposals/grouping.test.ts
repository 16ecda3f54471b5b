// Region features and hierarchical grouping kernels (assembly/ss_regions.ts, ss_group.ts) against the
// brute-force references in test/reference/selective_search.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadWasm } from '../../src/backends/wasm/loader.js';
import { Rng } from '../../src/util/random.js';
import { adjacencyRef, colorHistRef, groupRef, regionStatsRef, textureBinsRef, textureHistRef } from '../reference/selective_search.js';
import { makeScene } from './scenes.js';
import {
  adjacencyWasm,
  colorHistWasm,
  colorSpaceWasm,
  edgesWasm,
  groupWasm,
  regionStatsWasm,
  segmentGraphWasm,
  sortEdgesWasm,
  textureBinsWasm,
  textureHistWasm,
} from './ssKernels.js';

const m = loadWasm();

/** A small generated scene, converted to `space` and segmented with k. */
function segmented(seed: number, w: number, h: number, k: number, space = 1) {
  const scene = makeScene(new Rng(seed), w, h, { size: [0.2, 0.6] });
  const img = colorSpaceWasm(m, scene.image.data, space);
  const { labels, R } = segmentGraphWasm(m, sortEdgesWasm(m, edgesWasm(m, img, w, h, 0.8)), w, h, k, Math.min(k, 20));
  return { img, labels, R };
}

test('region sizes, boxes and 8-connected neighbour pairs match brute force', () => {
  for (const [seed, w, h, k] of [
    [1, 40, 30, 20],
    [2, 33, 17, 5],
    [3, 1, 25, 5],
    [4, 25, 1, 5],
    [5, 64, 48, 50],
  ]) {
    const { labels, R } = segmented(seed, w, h, k);
    const got = regionStatsWasm(m, labels, w, h, R);
    const ref = regionStatsRef(labels, w, h, R);
    assert.equal(Array.from(got.sizes), Array.from(ref.sizes));
    assert.equal(Array.from(got.boxes), Array.from(ref.boxes));
    const pairs = adjacencyWasm(m, labels, w, h, R);
    for (const [a, b] of pairs) assert.ok(a < b);
    const set = new Set(pairs.map(([a, b]) => `${a},${b}`));
    assert.is(set.size, pairs.length, 'pairs are distinct');
    assert.equal([...set].sort(), [...adjacencyRef(labels, w, h)].sort());
  }
});

test('colour histograms are exact; texture bins agree with float64 but for rounding at bin edges', () => {
  for (const [seed, w, h, k] of [
    [6, 40, 30, 20],
    [7, 17, 29, 10],
  ]) {
    const { img, labels, R } = segmented(seed, w, h, k);
    const { sizes } = regionStatsRef(labels, w, h, R);
    assert.equal(Array.from(colorHistWasm(m, img, labels, R, sizes)), Array.from(colorHistRef(img, labels, R, sizes)));
    const bins = textureBinsWasm(m, img, w, h);
    const ref = textureBinsRef(img, w, h);
    let off = 0;
    for (let i = 0; i < bins.length; i++) {
      assert.ok(Math.abs(bins[i] - ref[i]) <= 1, `bin ${i}: ${bins[i]} vs ${ref[i]}`);
      if (bins[i] !== ref[i]) off++;
    }
    assert.ok(off <= bins.length * 0.002, `${off} of ${bins.length} texture bins differ`);
    // every orientation map reaches its top bin somewhere (the scale is its own maximum)
    for (let j = 0; j < 24; j++) {
      let top = false;
      for (let p = 0; p < w * h; p++) if (bins[24 * p + j] === 9) top = true;
      assert.ok(top, `map ${j} has a pixel in bin 9`);
    }
    assert.equal(Array.from(textureHistWasm(m, bins, labels, R, sizes)), Array.from(textureHistRef(bins, labels, R, sizes)));
  }
});

/** Each merge R+j names two distinct, earlier regions, each region is merged once, and the merge's box is their union. */
function assertChildren(R: number, boxes: Int32Array, children: Int32Array): void {
  const T = boxes.length / 4;
  assert.is(children.length, 2 * (T - R));
  const used = new Uint8Array(T);
  for (let j = 0; j < T - R; j++) {
    const a = children[2 * j],
      b = children[2 * j + 1];
    assert.ok(a !== b && a >= 0 && b >= 0 && a < R + j && b < R + j, `merge ${j}: children ${a}, ${b}`);
    assert.ok(!used[a] && !used[b], `merge ${j}: a child merged twice`);
    used[a] = used[b] = 1;
    const t = R + j;
    const union = [
      Math.min(boxes[4 * a], boxes[4 * b]),
      Math.min(boxes[4 * a + 1], boxes[4 * b + 1]),
      Math.max(boxes[4 * a + 2], boxes[4 * b + 2]),
      Math.max(boxes[4 * a + 3], boxes[4 * b + 3]),
    ];
    assert.equal(Array.from(boxes.subarray(4 * t, 4 * t + 4)), union, `merge ${j}: box = union of its children`);
  }
}

test('grouping merges in the same order as the naive greedy reference', () => {
  let checked = 0;
  for (const [seed, w, h, k] of [
    [8, 48, 36, 10],
    [9, 40, 30, 30],
    [10, 24, 40, 5],
    [11, 1, 30, 3],
    [12, 60, 45, 15],
  ]) {
    const { img, labels, R } = segmented(seed, w, h, k, seed % 3);
    const { sizes, boxes } = regionStatsRef(labels, w, h, R);
    const pairs = adjacencyWasm(m, labels, w, h, R);
    const colour = colorHistWasm(m, img, labels, R, sizes);
    const texture = textureHistWasm(m, textureBinsWasm(m, img, w, h), labels, R, sizes);
    for (const flags of [15, 14, 4, 8, 1]) {
      const kids: Int32Array[] = [];
      const got = groupWasm(m, R, pairs, sizes, boxes, flags & 1 ? colour : null, flags & 2 ? texture : null, flags, w * h, kids);
      assertChildren(R, got, kids[0]);
      const ref = groupRef({
        R,
        pairs,
        sizes,
        boxes,
        colour: flags & 1 ? colour : null,
        texture: flags & 2 ? texture : null,
        flags,
        area: w * h,
      });
      assert.is(got.length, 4 * (2 * R - 1), `${R} regions -> ${2 * R - 1} boxes`);
      assert.equal(Array.from(got), Array.from(ref), `seed ${seed} flags ${flags}`);
      // the last merge is the whole image
      assert.equal(Array.from(got.slice(-4)), [0, 0, w - 1, h - 1]);
      checked++;
    }
    assert.ok(R > 3 || w === 1, `scene ${seed} has ${R} regions`);
  }
  assert.is(checked, 25);
});

test('grouping survives pool compaction and heap rebuilds (star-shaped adjacency)', () => {
  // one background region touching many small ones: its neighbour list is long and gets rewritten
  // at every merge, so the list pool and heap fill up and must be compacted / rebuilt.
  const w = 120,
    h = 60;
  const labels = new Int32Array(w * h);
  let R = 1;
  for (let y = 2; y + 3 <= h; y += 5)
    for (let x = 2; x + 3 <= w; x += 5) {
      for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) labels[(y + dy) * w + x + dx] = R;
      R++;
    }
  const { sizes, boxes } = regionStatsRef(labels, w, h, R);
  const pairs = adjacencyWasm(m, labels, w, h, R);
  assert.is(pairs.length, R - 1);
  const rng = new Rng(4);
  const img = Uint8Array.from({ length: 3 * w * h }, () => rng.int(0, 256));
  const colour = colorHistWasm(m, img, labels, R, sizes);
  const kids: Int32Array[] = [];
  const got = groupWasm(m, R, pairs, sizes, boxes, colour, null, 1 | 4 | 8, w * h, kids);
  assertChildren(R, got, kids[0]);
  const ref = groupRef({ R, pairs, sizes, boxes, colour, texture: null, flags: 1 | 4 | 8, area: w * h });
  assert.equal(Array.from(got), Array.from(ref));
});

test('one region: nothing to merge', () => {
  const got = groupWasm(m, 1, [], Int32Array.of(12), Int32Array.of(0, 0, 3, 2), null, null, 4 | 8, 12);
  assert.equal(Array.from(got), [0, 0, 3, 2]);
});

test.run();
