// Seeded randomness: dropout (inverted, mask from the generator passed in) and random creation.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.js';
import '../helpers/backend.js';

const test = suite('ops: dropout and seeded random tensors');

test('dropout: zeroes about p, scales the rest by 1/(1-p), identity in eval, gradient = mask', () => {
  const x = fr.ones([4000]);
  const p = 0.3;
  const y = fr.dropout(x, p, new fr.Rng(5)).dataSync();
  const zeros = y.filter((v) => v === 0).length;
  assert.ok(Math.abs(zeros / y.length - p) < 0.03, `dropped fraction ${zeros / y.length}`);
  assert.ok(
    y.every((v) => v === 0 || Math.abs(v - 1 / (1 - p)) < 1e-6),
    'kept values scaled by 1/(1-p)',
  );
  assert.equal(Array.from(fr.dropout(x, p, new fr.Rng(5)).dataSync()), Array.from(y), 'same seed, same mask');
  assert.not.equal(Array.from(fr.dropout(x, p, new fr.Rng(6)).dataSync()), Array.from(y));
  assert.equal(Array.from(fr.dropout(x, p, new fr.Rng(5), false).dataSync()), Array.from(x.dataSync()), 'identity when not training');
  const g = fr
    .grad((t) => fr.sum(fr.dropout(t, p, new fr.Rng(5))))(x)
    .dataSync();
  assert.equal(Array.from(g), Array.from(y), 'd/dx of sum(dropout(x)) is the scaled mask (x = 1)');
  assert.throws(() => fr.dropout(x, 1, new fr.Rng(1)), /dropout: p must be in \[0, 1\), got 1/);
});

test('randomNormal / randomUniform: seeded, with the asked moments and range', () => {
  const n = 20000;
  const a = Array.from(fr.randomNormal([n], 2, 3, { seed: 9 }).dataSync());
  const mean = a.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  assert.ok(Math.abs(mean - 2) < 0.1 && Math.abs(sd - 3) < 0.1, `mean ${mean} sd ${sd}`);
  assert.equal(
    Array.from(fr.randomNormal([5], 0, 1, { seed: 9 }).dataSync()),
    Array.from(fr.randomNormal([5], 0, 1, { seed: 9 }).dataSync()),
  );
  const u = Array.from(fr.randomUniform([n], -1, 4, { seed: 2 }).dataSync());
  assert.ok(u.every((v) => v >= -1 && v < 4));
  assert.ok(Math.abs(u.reduce((s, v) => s + v, 0) / n - 1.5) < 0.05);
});

test('oneHot, arange, stack, flatten', () => {
  assert.equal(fr.oneHot(fr.tensor(new Int32Array([2, 0])), 3).arraySync(), [
    [0, 0, 1],
    [1, 0, 0],
  ]);
  assert.throws(() => fr.oneHot(fr.tensor(new Int32Array([3])), 3), /oneHot: label 3 at 0 is outside \[0, 3\)/);
  assert.equal(Array.from(fr.arange(4).dataSync()), [0, 1, 2, 3]);
  const s = fr.stack([fr.tensor([1, 2]), fr.tensor([3, 4])], 1);
  assert.equal(s.arraySync(), [
    [1, 3],
    [2, 4],
  ]);
  assert.equal(fr.flatten(fr.zeros([2, 3, 4])).shape, [2, 12]);
});

test.run();
