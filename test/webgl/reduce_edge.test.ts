// Reductions large enough to take several passes, softmax over long rows, argMax, and empty or
// scalar tensors through the kernels, on the active backend, against float64 loops.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.js';
import { assertClose, assertEqualArrays, maxAbs } from '../helpers/close.js';
import { logSoftmaxRef, reduceRef } from '../reference/ops.js';

const test = suite('webgl: big reductions and edge cases');

const rand = (n: number, seed: number) => {
  const r = new fr.Rng(seed);
  return Float64Array.from({ length: n }, () => Math.fround(r.uniform(-1, 1)));
};

test('multi-pass sums, max and min over every axis pattern vs float64', () => {
  for (const [shape, axes] of [
    [[300001], [0]],
    [[7, 50000], [1]],
    [[50000, 3], [0]],
    [
      [2, 16, 120, 161],
      [0, 2, 3],
    ],
    [[33, 1030, 5], [1]],
    [
      [4, 2049],
      [0, 1],
    ],
  ] as [number[], number[]][]) {
    const n = shape.reduce((a, b) => a * b, 1);
    const x = rand(n, n % 97);
    const t = fr.tensor(Float32Array.from(x), shape);
    const s = fr.sum(t, axes),
      mx = fr.max(t, axes),
      mn = fr.min(t, axes, true);
    const r = Math.sqrt(n);
    assertClose(
      s.dataSync(),
      reduceRef(x, shape, axes, (a, v) => a + v, 0),
      0,
      2e-6 * r,
      `sum ${JSON.stringify(shape)} ${axes}`,
    );
    assertEqualArrays(mx.dataSync(), Float32Array.from(reduceRef(x, shape, axes, Math.max, -Infinity)), `max ${JSON.stringify(shape)}`);
    assertEqualArrays(mn.dataSync(), Float32Array.from(reduceRef(x, shape, axes, Math.min, Infinity)), `min ${JSON.stringify(shape)}`);
    assert.equal(
      mn.shape,
      shape.map((d, i) => (axes.includes(i) ? 1 : d)),
    );
    [t, s, mx, mn].forEach((z) => z.dispose());
  }
});

test('softmax / logSoftmax over long rows and argMax over a long axis', () => {
  for (const [rows, cols] of [
    [3, 3001],
    [257, 7],
    [2, 20000],
  ]) {
    const x = rand(rows * cols, cols).map((v) => v * 20);
    const t = fr.tensor(Float32Array.from(x), [rows, cols]);
    const ref = logSoftmaxRef(x, rows, cols);
    assertClose(fr.logSoftmax(t).dataSync(), ref, 1e-5, 1e-4, `logSoftmax ${rows}x${cols}`);
    assertClose(fr.softmax(t).dataSync(), ref.map(Math.exp), 1e-4, 1e-7, `softmax ${rows}x${cols}`);
    const am = fr.argMax(t, 1).dataSync();
    for (let r = 0; r < rows; r++) {
      let best = 0;
      for (let c = 1; c < cols; c++) if (x[r * cols + c] > x[r * cols + best]) best = c;
      assert.is(am[r], best);
    }
  }
});

test('empty and scalar tensors', () => {
  const e = fr.zeros([0, 5]);
  assert.equal(fr.add(e, fr.ones([5])).shape, [0, 5]);
  assert.equal(fr.sum(e, 0).dataSync(), new Float32Array(5));
  assert.equal(fr.matMul(fr.zeros([3, 0]), fr.zeros([0, 2])).dataSync(), new Float32Array(6));
  assert.equal(fr.matMul(e, fr.zeros([5, 4])).shape, [0, 4]);
  assert.equal(fr.concat([e, fr.ones([2, 5])], 0).dataSync(), new Float32Array(10).fill(1));
  assert.equal(fr.transpose(e).shape, [5, 0]);
  const s = fr.scalar(3);
  assert.is(fr.add(s, fr.scalar(4)).item(), 7);
  assert.is(fr.mul(fr.tensor([1, 2, 3]), s).dataSync()[2], 9);
  assert.is(fr.sum(s).item(), 3);
  assert.equal(
    fr
      .pad(fr.zeros([0, 2]), [
        [1, 0],
        [0, 1],
      ])
      .dataSync(),
    new Float32Array(3),
  );
  const g = fr.gather(
    fr.tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]),
    [],
  );
  assert.equal(g.shape, [0, 2]);
  assert.is(
    maxAbs(
      fr
        .gather(
          fr.tensor([
            [1, 2],
            [3, 4],
            [5, 6],
          ]),
          [2, 0, 2],
        )
        .dataSync(),
    ),
    6,
  );
});

test.run();
