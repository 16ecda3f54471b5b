// RoI sampling (the paper's §2.3): foreground fraction, IoU thresholds, ground truth among the
// candidates, determinism. Expected counts come from counting the candidates here, not from the code.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import '../../src/index.js';
import { baseConfig } from '../../src/detection/model/config.js';
import { roidbEntry } from '../../src/detection/training/minibatch.js';
import { fgRoisPerImage, sampleRois, type SamplerConfig } from '../../src/detection/model/sampleRois.js';
import { Rng } from '../../src/util/random.js';

const test = suite('detection: sampleRois');
const cfg: SamplerConfig = { roisPerImage: 64, fgFraction: 0.25, fgThresh: 0.5, bgThreshHi: 0.5, bgThreshLo: 0.1 };

/** Candidates with the given overlaps; classes cycle 1..3 for overlapping ones. */
function candidates(overlaps: number[]) {
  return { maxOverlaps: Float32Array.from(overlaps), maxClasses: Int32Array.from(overlaps, (o, i) => (o > 0 ? 1 + (i % 3) : 0)) };
}

test('25% foreground of 64 per image when both kinds are plentiful', () => {
  const rng = new Rng(1);
  const ov = Array.from({ length: 500 }, () => rng.next());
  const c = candidates(ov);
  const s = sampleRois(c, cfg, new Rng(2));
  assert.is(fgRoisPerImage(cfg), 16);
  assert.is(s.numFg, 16);
  assert.is(s.indices.length, 64);
  assert.is(new Set(s.indices).size, 64, 'without replacement');
  s.indices.forEach((i, k) => {
    if (k < 16) {
      assert.ok(ov[i] >= 0.5, `fg ${i} overlap ${ov[i]}`);
      assert.is(s.labels[k], c.maxClasses[i]);
      assert.ok(s.labels[k] > 0);
    } else {
      assert.ok(ov[i] >= 0.1 && ov[i] < 0.5, `bg ${i} overlap ${ov[i]}`);
      assert.is(s.labels[k], 0);
    }
  });
});

test('thresholds are inclusive/exclusive as the original: fg >= 0.5, bg in [0.1, 0.5)', () => {
  const ov = [0.5, 0.49999, 0.1, 0.09999, 0, 1];
  const s = sampleRois(candidates(ov), cfg, new Rng(3));
  const fg = s.indices.slice(0, s.numFg).sort(),
    bg = s.indices.slice(s.numFg).sort();
  assert.equal(fg, [0, 5]);
  assert.equal(bg, [1, 2]);
});

test('few foreground: all of it, the rest background; few background: a smaller batch', () => {
  const ov = [0.9, 0.7, ...Array(100).fill(0.3)];
  const s = sampleRois(candidates(ov), cfg, new Rng(4));
  assert.is(s.numFg, 2);
  assert.is(s.indices.length, 64);
  const s2 = sampleRois(candidates([0.9, 0.8, 0.2, 0.05]), cfg, new Rng(4));
  assert.is(s2.numFg, 2);
  assert.is(s2.indices.length, 3);
});

test('deterministic for a seed, different for another', () => {
  const rng = new Rng(9);
  const c = candidates(Array.from({ length: 300 }, () => rng.next()));
  const a = sampleRois(c, cfg, new Rng(11)),
    b = sampleRois(c, cfg, new Rng(11)),
    d = sampleRois(c, cfg, new Rng(12));
  assert.equal(a, b);
  assert.not.equal(a.indices, d.indices);
});

test('ground-truth boxes are candidates (overlap 1) even when no proposal reaches 0.5', () => {
  const config = baseConfig();
  const rec = {
    id: 'x',
    imagePath: '',
    width: 100,
    height: 80,
    objects: [
      { name: 'b', box: [10, 10, 39, 39] as [number, number, number, number], difficult: false },
      { name: 'a', box: [60, 20, 89, 69] as [number, number, number, number], difficult: false },
      { name: 'a', box: [0, 0, 5, 5] as [number, number, number, number], difficult: true },
    ],
  };
  // proposals: one with IoU 1/3 to the first box, one far from everything
  const props = [10, 10, 19, 39, 45, 0, 55, 8];
  const e = roidbEntry(rec, props, ['a', 'b'], config);
  assert.is(e.numGt, 2, 'difficult object left out');
  assert.equal(Array.from(e.maxOverlaps.subarray(0, 2)), [1, 1]);
  assert.equal(Array.from(e.maxClasses), [2, 1, 2, 0]);
  assert.ok(Math.abs(e.maxOverlaps[2] - 1 / 3) < 1e-6, `IoU ${e.maxOverlaps[2]}`);
  const s = sampleRois(e, cfg, new Rng(5));
  assert.is(s.numFg, 2);
  assert.equal(s.indices.slice(0, 2).sort(), [0, 1]);
  assert.equal(s.indices.slice(2), [2]);
});

test.run();
