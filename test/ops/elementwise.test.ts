import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.js';
import { tol } from '../helpers/backend.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { binaryRef } from '../reference/ops.js';

const test = suite('ops: elementwise');

const shapes: [number[], number[]][] = [
  [[7], [7]],
  [[3, 5], [5]],
  [
    [2, 3, 4],
    [1, 3, 1],
  ],
  [[1], [4, 1]],
  [
    [2, 1, 3],
    [1, 4, 1],
  ],
  [
    [4, 1, 5, 3],
    [1, 6, 1, 3],
  ],
  [
    [2, 3, 17],
    [2, 3, 17],
  ],
  [[5], []],
  [[], [3]],
];
const binaries: [string, (a: fr.Tensor, b: fr.Tensor) => fr.Tensor, (x: number, y: number) => number][] = [
  ['add', fr.add, (x, y) => x + y],
  ['sub', fr.sub, (x, y) => x - y],
  ['mul', fr.mul, (x, y) => x * y],
  ['div', fr.div, (x, y) => x / y],
  ['maximum', fr.maximum, Math.max],
  ['minimum', fr.minimum, Math.min],
];

for (const [name, op, f] of binaries) {
  test(`${name}: broadcasting forward and gradient vs float64`, () => {
    for (const [as, bs] of shapes) {
      gradcheck({
        inputs: [
          { shape: as },
          {
            shape: bs,
            data: name === 'div' ? Array.from({ length: bs.reduce((a, b) => a * b, 1) }, (_, i) => 0.5 + (i % 7) * 0.25) : undefined,
          },
        ],
        op: (a, b) => op(a, b),
        ref: (a, b) => binaryRef(f, a, as, b, bs),
        forwardTol: tol(1e-6, 1e-5),
      });
    }
  });
}

const unaries: [string, (x: fr.Tensor) => fr.Tensor, (x: number) => number, number, number][] = [
  ['neg', fr.neg, (x) => -x, -2, 2],
  ['exp', fr.exp, Math.exp, -2, 2],
  ['log', fr.log, Math.log, 0.2, 3],
  ['sqrt', fr.sqrt, Math.sqrt, 0.2, 3],
  ['square', fr.square, (x) => x * x, -2, 2],
  ['abs', fr.abs, Math.abs, -2, 2],
  ['relu', fr.relu, (x) => Math.max(x, 0), -2, 2],
  ['reciprocal', fr.reciprocal, (x) => 1 / x, 0.5, 3],
  ['pow 3', (x) => fr.pow(x, 3), (x) => x ** 3, -2, 2],
  ['pow 0.5', (x) => fr.pow(x, 0.5), Math.sqrt, 0.2, 3],
  ['affine', (x) => fr.affine(x, -1.5, 0.25), (x) => -1.5 * x + 0.25, -2, 2],
];
for (const [name, op, f, lo, hi] of unaries) {
  test(`${name}: forward and gradient vs float64 (odd sizes, SIMD tails)`, () => {
    for (const n of [1, 3, 4, 5, 13, 64]) {
      const rng = new fr.Rng(n);
      // keep relu/abs away from the kink so central differences are valid
      const data = Array.from({ length: n }, () => {
        let v = rng.uniform(lo, hi);
        if (Math.abs(v) < 0.05) v += 0.1;
        return v;
      });
      gradcheck({ inputs: [{ shape: [n], data }], op, ref: (x) => x.map(f), forwardTol: tol(1e-6, 1e-4) });
    }
  });
}

test('comparisons give 0/1 masks and where selects', () => {
  const a = fr.tensor([1, 2, 3, 4]),
    b = fr.tensor([4, 2, 2, 5]);
  assert.equal(Array.from(fr.greater(a, b).dataSync()), [0, 0, 1, 0]);
  assert.equal(Array.from(fr.greaterEqual(a, b).dataSync()), [0, 1, 1, 0]);
  assert.equal(Array.from(fr.equal(a, b).dataSync()), [0, 1, 0, 0]);
  assert.equal(Array.from(fr.less(a, b).dataSync()), [1, 0, 0, 1]);
  const w = fr.where(fr.greater(a, b), a, fr.tensor([[10], [20]]) as fr.Tensor);
  assert.equal(w.shape, [2, 4]);
  assert.equal(Array.from(w.dataSync()), [10, 10, 3, 10, 20, 20, 3, 20]);
});

test('where: gradient flows to the chosen side only', () => {
  const c = [1, 0, 1, 0, 0, 1];
  gradcheck({
    inputs: [{ shape: [6], data: c, differentiable: false }, { shape: [6] }, { shape: [1] }],
    op: (m, a, b) => fr.where(m, a, b),
    ref: (m, a, b) => m.map((v, i) => (v ? a[i] : b[0])),
  });
});

test('cast between float32 and int32 truncates toward zero', () => {
  const x = fr.tensor([1.7, -1.7, 0, 2.5]);
  const i = fr.cast(x, 'int32');
  assert.is(i.dtype, 'int32');
  assert.equal(Array.from(i.dataSync()), [1, -1, 0, 2]);
  assert.equal(Array.from(fr.cast(i, 'float32').dataSync()), [1, -1, 0, 2]);
});

test('errors name the op and the shapes', () => {
  assert.throws(() => fr.add(fr.zeros([2, 3]), fr.zeros([4])), /add: shapes \[2,3\] and \[4\] cannot be broadcast/);
  assert.throws(() => fr.mul(fr.zeros([2], 'int32'), fr.zeros([2])), /mul: 'a' must be float32, got int32/);
  const t = fr.ones([2]);
  t.dispose();
  assert.throws(() => fr.exp(t), /exp \('x'\): tensor .* was disposed/);
  assert.throws(() => fr.tensor([1, 2, 3], [2, 2]), /3 values do not fill shape \[2,2\]/);
});

test.run();
