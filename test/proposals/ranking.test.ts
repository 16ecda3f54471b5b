// The 'level' ranking (rankLevels, the default fast mode) against a naive reference, merge-tree
// levels and near-duplicate demotion on hand-made cases, and the fast / paper plans.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  demoteNearDuplicates,
  type LevelRankOptions,
  mergeLevels,
  planFor,
  rankLevels,
  type SegmentationRun,
} from '../../src/proposals/selectiveSearch.js';
import { Rng } from '../../src/util/random.js';

type Box = [number, number, number, number];

function iouInclusive(a: Box, b: Box): number {
  const iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]) + 1,
    ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]) + 1;
  if (iw <= 0 || ih <= 0) return 0;
  const area = (x: Box) => (x[2] - x[0] + 1) * (x[3] - x[1] + 1);
  return (iw * ih) / (area(a) + area(b) - iw * ih);
}

/** The ranking spelled out naively: recursive levels, string keys, a linear scan for near-duplicates. */
function rankLevelsRef(runs: SegmentationRun[], seed: number, o: LevelRankOptions): Box[] {
  const rng = new Rng(seed);
  const drawn: { box: Box; p: number; i: number }[] = [];
  for (const run of runs) {
    const R = run.segments.length / 4;
    run.merges.forEach((merged, s) => {
      const kids = run.children[s];
      const level = (id: number): number => (id < R ? 1 : 1 + Math.max(level(kids[2 * (id - R)]), level(kids[2 * (id - R) + 1])));
      const w = run.weight ?? 1;
      const u = () => rng.next() ** (o.randomPower ?? 1);
      for (let r = 0; r < R; r++) drawn.push({ box: Array.from(run.segments.slice(4 * r, 4 * r + 4)) as Box, p: w * u(), i: drawn.length });
      for (let j = 0; j < merged.length / 4; j++) {
        drawn.push({ box: Array.from(merged.slice(4 * j, 4 * j + 4)) as Box, p: w * level(R + j) * u(), i: drawn.length });
      }
    });
  }
  const groups = new Map<string, { box: Box; best: number; count: number; first: number }>();
  for (const d of drawn) {
    const g = groups.get(d.box.join());
    if (!g) groups.set(d.box.join(), { box: d.box, best: d.p, count: 1, first: d.i });
    else {
      g.best = Math.min(g.best, d.p);
      g.count++;
    }
  }
  const list = [...groups.values()]
    .map((g) => ({ ...g, score: g.best / g.count ** o.votes }))
    .sort((a, b) => a.score - b.score || a.first - b.first)
    .map((g) => g.box)
    .filter((b) => b[2] - b[0] + 1 >= (o.minSize ?? 0) && b[3] - b[1] + 1 >= (o.minSize ?? 0));
  let ranked = list;
  if (o.demoteIoU > 0 && o.demoteIoU < 1) {
    const front: Box[] = [],
      back: Box[] = [];
    for (const b of list) (front.some((f) => iouInclusive(f, b) > o.demoteIoU) ? back : front).push(b);
    ranked = front.concat(back);
  }
  return o.maxBoxes ? ranked.slice(0, o.maxBoxes) : ranked;
}

/** A random segmentation of R boxes in a small image (so boxes repeat) with `H` random merge trees. */
function randomRun(rng: Rng, R: number, H: number, weight: number): SegmentationRun {
  const W = 14,
    Hh = 11;
  const segments = new Int32Array(4 * R);
  for (let r = 0; r < R; r++) {
    const x1 = rng.int(0, W),
      y1 = rng.int(0, Hh);
    segments.set([x1, y1, rng.int(x1, W), rng.int(y1, Hh)], 4 * r);
  }
  const merges: Int32Array[] = [],
    children: Int32Array[] = [];
  for (let h = 0; h < H; h++) {
    const boxes: number[][] = [];
    for (let r = 0; r < R; r++) boxes.push(Array.from(segments.slice(4 * r, 4 * r + 4)));
    const live = Array.from({ length: R }, (_, r) => r);
    const kids: number[] = [];
    while (live.length > 1) {
      const a = live.splice(rng.int(0, live.length), 1)[0];
      const b = live.splice(rng.int(0, live.length), 1)[0];
      kids.push(a, b);
      const A = boxes[a],
        B = boxes[b];
      boxes.push([Math.min(A[0], B[0]), Math.min(A[1], B[1]), Math.max(A[2], B[2]), Math.max(A[3], B[3])]);
      live.push(boxes.length - 1);
    }
    merges.push(Int32Array.from(boxes.slice(R).flat()));
    children.push(Int32Array.from(kids));
  }
  return { segments, merges, children, weight };
}

function boxesOf(b: Float32Array): Box[] {
  const out: Box[] = [];
  for (let i = 0; i < b.length; i += 4) out.push([b[i], b[i + 1], b[i + 2], b[i + 3]]);
  return out;
}

test('merge-tree levels: 1 for a segment, 1 + the deeper child for a merge', () => {
  assert.equal(Array.from(mergeLevels(3, Int32Array.of(0, 1, 3, 2))), [1, 1, 1, 2, 3]);
  assert.equal(Array.from(mergeLevels(4, Int32Array.of(0, 1, 2, 3, 4, 5))), [1, 1, 1, 1, 2, 2, 3]);
  assert.equal(Array.from(mergeLevels(4, Int32Array.of(0, 1, 4, 2, 5, 3))), [1, 1, 1, 1, 2, 3, 4]);
  assert.equal(Array.from(mergeLevels(1, new Int32Array(0))), [1]);
});

test('near-duplicates (IoU > t with an earlier kept box) move to the back in order; IoU = t stays', () => {
  const src = Int32Array.of(0, 0, 9, 9, 0, 0, 9, 10, 20, 20, 29, 29, 0, 0, 9, 7, 21, 20, 29, 29, 1, 0, 9, 9);
  // box 1 vs 0: 100/110 > 0.8; box 3 vs 0: 80/100 = 0.8 (not above); box 4 vs 2: 90/100; box 5 vs 0: 0.9
  assert.equal(demoteNearDuplicates(src, [0, 1, 2, 3, 4, 5], 0.8), [0, 2, 3, 1, 4, 5]);
  assert.equal(demoteNearDuplicates(src, [1, 0, 2, 3, 4, 5], 0.8), [1, 2, 3, 0, 4, 5]);
  assert.equal(demoteNearDuplicates(src, [0, 1, 2, 3, 4, 5], 0.95), [0, 1, 2, 3, 4, 5]);
  // a demoted box does not demote others: 5 is near 0 only
  assert.equal(demoteNearDuplicates(src, [1, 5, 0], 0.8), [1, 5, 0].filter((k) => k !== 0).concat(0));
});

test('level ranking equals the naive reference (votes, weights, random power, minSize, demotion, maxBoxes)', () => {
  let checked = 0,
    demoted = 0;
  for (let seed = 0; seed < 12; seed++) {
    const rng = new Rng(100 + seed);
    const runs = [randomRun(rng, 2 + rng.int(0, 12), 2, 1), randomRun(rng, 1 + rng.int(0, 9), 1 + rng.int(0, 3), 1 + rng.int(0, 8))];
    for (const o of [
      { votes: 0, demoteIoU: 0 },
      { votes: 3, demoteIoU: 0 },
      { votes: 1, demoteIoU: 0.8 },
      { votes: 3, demoteIoU: 0.8, minSize: 3 },
      { votes: 3, demoteIoU: 0.5, maxBoxes: 5 },
      { votes: 5, demoteIoU: 0.75, randomPower: 0.5 },
      { votes: 2, demoteIoU: 0, randomPower: 0 },
      { votes: 0, demoteIoU: 0.6, randomPower: 2.5, minSize: 2 },
    ] as LevelRankOptions[]) {
      const got = boxesOf(rankLevels(runs, new Rng(seed), o));
      const want = rankLevelsRef(runs, seed, o);
      assert.equal(got, want, `seed ${seed} ${JSON.stringify(o)}`);
      if (o.demoteIoU && !o.maxBoxes) {
        const plain = rankLevelsRef(runs, seed, { ...o, demoteIoU: 0 });
        if (JSON.stringify(plain) !== JSON.stringify(want)) demoted++;
      }
      checked++;
    }
  }
  assert.is(checked, 96);
  assert.ok(demoted > 5, `demotion changed the order in ${demoted} cases`);
});

test('votes: a box listed by more hierarchies ranks first at equal draws; weights push a segmentation back', () => {
  // two runs, each one segment of the whole 4x4 image plus... the same box in both: 2 copies vs 1
  const one: SegmentationRun = { segments: Int32Array.of(0, 0, 3, 3), merges: [new Int32Array(0)], children: [new Int32Array(0)] };
  const two: SegmentationRun = {
    segments: Int32Array.of(5, 5, 6, 6),
    merges: [new Int32Array(0), new Int32Array(0)],
    children: [new Int32Array(0), new Int32Array(0)],
  };
  // with votes^10 the two-copy box wins unless its best draw is 1024x worse
  let twoFirst = 0;
  for (let s = 0; s < 200; s++) if (rankLevels([one, two], new Rng(s), { votes: 10, demoteIoU: 0 })[0] === 5) twoFirst++;
  assert.ok(twoFirst > 195, `${twoFirst}/200`);
  // without votes the box with the smaller of three draws wins: about 2/3 for the two-copy box
  twoFirst = 0;
  for (let s = 0; s < 600; s++) if (rankLevels([one, two], new Rng(s), { votes: 0, demoteIoU: 0 })[0] === 5) twoFirst++;
  assert.ok(twoFirst > 340 && twoFirst < 460, `${twoFirst}/600`);
  // weight 1000 on the two-copy run (votes 1): it comes second almost always
  twoFirst = 0;
  for (let s = 0; s < 200; s++)
    if (rankLevels([one, { ...two, weight: 1000 }], new Rng(s), { votes: 1, demoteIoU: 0 })[0] === 5) twoFirst++;
  assert.ok(twoFirst < 5, `${twoFirst}/200`);
});

test('random power: level x U^p; p = 0 ranks by weight x level / votes^v exactly (ties: first drawn)', () => {
  // segments A, B (level 1) and their merge C (level 2); no votes, no demotion
  const run: SegmentationRun = {
    segments: Int32Array.of(0, 0, 3, 3, 6, 0, 9, 3),
    merges: [Int32Array.of(0, 0, 9, 3)],
    children: [Int32Array.of(0, 1)],
  };
  const o = { votes: 0, demoteIoU: 0 };
  for (let s = 0; s < 20; s++)
    assert.equal(Array.from(rankLevels([run], new Rng(s), { ...o, randomPower: 0 })), [0, 0, 3, 3, 6, 0, 9, 3, 0, 0, 9, 3]);
  // C first when 2 U3^p < min(U1, U2)^p, i.e. U3 < min(U1, U2) / 2^(1/p): P = E[min] / 2^(1/p) = 1/6 (p = 1), 1/12 (p = 0.5)
  const cFirst = (p: number | undefined) => {
    let n = 0;
    for (let s = 0; s < 2400; s++) {
      const r = rankLevels([run], new Rng(s), { ...o, randomPower: p });
      if (r[0] === 0 && r[2] === 9) n++;
    }
    return n;
  };
  const p1 = cFirst(1),
    pDefault = cFirst(undefined),
    pHalf = cFirst(0.5);
  assert.is(pDefault, p1); // rankLevels' default is U^1
  assert.ok(p1 > 340 && p1 < 460, `p = 1: ${p1}/2400`);
  assert.ok(pHalf > 150 && pHalf < 250, `p = 0.5: ${pHalf}/2400`);
});

test('plans: fast = HSV+Lab x k {150,300,450,50,100}, level ranking; paper = the published fast mode', () => {
  const fast = planFor({});
  assert.equal(fast.colorSpaces, ['hsv', 'lab']);
  assert.equal(fast.scale, [150, 300, 450, 50, 100]);
  assert.equal(fast.minRegions, [100, 100, 100, 50, 100]);
  assert.equal(fast.weights, [1, 1, 1, 8, 8]);
  assert.equal(fast.similarities, ['CTSF', 'TSF']);
  assert.is(fast.ranking, 'level');
  assert.is(fast.votes, 5);
  assert.is(fast.demoteIoU, 0.75);
  assert.is(fast.randomPower, 0.5);
  const paper = planFor({ mode: 'paper' });
  assert.equal(
    [paper.colorSpaces, paper.scale, paper.minRegions, paper.similarities, paper.ranking],
    [['hsv', 'lab'], [50, 100], [50, 100], ['CTSF', 'TSF'], 'paper'],
  );
  const single = planFor({ mode: 'single' });
  assert.equal(
    [single.colorSpaces, single.scale, single.minRegions, single.similarities, single.ranking],
    [['hsv'], [100], [100], ['CTSF'], 'paper'],
  );
  assert.equal(planFor({ scale: [20, 400], minRegion: 30 }).minRegions, [30, 30]);
  assert.equal(planFor({ scale: [20, 400] }).weights, [8, 1]);
  assert.equal(planFor({ mode: 'paper', ranking: 'level' }).ranking, 'level');
  assert.throws(() => planFor({ scaleWeights: [1, 2] }), /scaleWeights/);
  assert.throws(() => planFor({ scale: [100], scaleWeights: [0] }), /scaleWeights/);
  assert.throws(() => planFor({ ranking: 'best' as any }), /ranking/);
  assert.throws(() => planFor({ votes: -1 }), /votes/);
  assert.throws(() => planFor({ demoteIoU: 1.5 }), /demoteIoU/);
  assert.throws(() => planFor({ randomPower: -0.5 }), /randomPower/);
  assert.throws(() => planFor({ randomPower: Infinity }), /randomPower/);
});

test.run();
