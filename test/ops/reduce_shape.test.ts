import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.js';
import { tol } from '../helpers/backend.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { reduceRef, transposeRef, stridesOf } from '../reference/ops.js';

const test = suite('ops: reductions and shapes');

const cases: [number[], number[]][] = [
  [[5], [0]],
  [[3, 4], [1]],
  [[3, 4], [0]],
  [
    [2, 3, 4, 5],
    [0, 2, 3],
  ],
  [
    [2, 3, 4, 5],
    [1, 3],
  ],
  [
    [2, 3, 4],
    [0, 1, 2],
  ],
  [
    [7, 9],
    [0, 1],
  ],
  [[1, 1], [0]],
];
for (const [shape, axes] of cases) {
  test(`sum/mean/max over ${JSON.stringify(axes)} of ${JSON.stringify(shape)}`, () => {
    gradcheck({
      inputs: [{ shape }],
      op: (x) => fr.sum(x, axes),
      ref: (x) => reduceRef(x, shape, axes, (a, v) => a + v, 0),
      forwardTol: tol(1e-6, 1e-5),
    });
    const n = axes.reduce((a, d) => a * shape[d], 1);
    gradcheck({
      inputs: [{ shape }],
      op: (x) => fr.mean(x, axes, true),
      ref: (x) => reduceRef(x, shape, axes, (a, v) => a + v, 0).map((v) => v / n),
    });
    // distinct values 0.01 apart, so finite differences never cross a tie
    const n2 = shape.reduce((a, b) => a * b, 1);
    const data = new fr.Rng(n2).shuffle(Array.from({ length: n2 }, (_, i) => -1 + (2 * i) / n2));
    gradcheck({ inputs: [{ shape, data }], op: (x) => fr.max(x, axes), ref: (x) => reduceRef(x, shape, axes, Math.max, -Infinity) });
    gradcheck({ inputs: [{ shape, data }], op: (x) => fr.min(x, axes), ref: (x) => reduceRef(x, shape, axes, Math.min, Infinity) });
  });
}

test('argMax: first maximum wins; negative axis', () => {
  const x = fr.tensor([
    [1, 5, 5, 2],
    [7, 7, 0, 7],
    [-3, -1, -2, -1],
  ]);
  assert.equal(Array.from(fr.argMax(x).dataSync()), [1, 0, 1]);
  assert.equal(Array.from(fr.argMax(x, 0).dataSync()), [1, 1, 0, 1]);
  assert.is(fr.argMax(x).dtype, 'int32');
});

test('transpose: all permutations of a rank-4 tensor, forward and gradient', () => {
  const shape = [2, 3, 4, 5];
  const perms = [
    [0, 1, 2, 3],
    [3, 2, 1, 0],
    [0, 2, 3, 1],
    [1, 0, 3, 2],
    [2, 0, 1, 3],
  ];
  for (const perm of perms) gradcheck({ inputs: [{ shape }], op: (x) => fr.transpose(x, perm), ref: (x) => transposeRef(x, shape, perm) });
});

test("slice and pad are each other's gradient", () => {
  const shape = [3, 4, 5];
  const begin = [1, 0, 2],
    size = [2, 3, 3];
  const st = stridesOf(shape);
  gradcheck({
    inputs: [{ shape }],
    op: (x) => fr.slice(x, begin, size),
    ref: (x) => {
      const out: number[] = [];
      for (let i = 0; i < size[0]; i++)
        for (let j = 0; j < size[1]; j++)
          for (let k = 0; k < size[2]; k++) out.push(x[(i + begin[0]) * st[0] + (j + begin[1]) * st[1] + (k + begin[2]) * st[2]]);
      return Float64Array.from(out);
    },
  });
  gradcheck({
    inputs: [{ shape: [2, 3] }],
    op: (x) =>
      fr.pad(x, [
        [1, 0],
        [2, 1],
      ]),
    ref: (x) => {
      const o = new Float64Array(3 * 6);
      for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) o[(i + 1) * 6 + j + 2] = x[i * 3 + j];
      return o;
    },
  });
});

test('concat along each axis, forward and gradient', () => {
  for (const axis of [0, 1, 2]) {
    const s1 = [2, 3, 4],
      s2 = [2, 3, 4].map((d, i) => (i === axis ? d + 1 : d));
    gradcheck({
      inputs: [{ shape: s1 }, { shape: s2 }],
      op: (a, b) => fr.concat([a, b], axis),
      ref: (a, b) => {
        const os = s1.map((d, i) => (i === axis ? d + s2[i] : d));
        const out = new Float64Array(os.reduce((x, y) => x * y, 1));
        const ost = stridesOf(os),
          st1 = stridesOf(s1),
          st2 = stridesOf(s2);
        for (let i = 0; i < out.length; i++) {
          const idx = os.map((_, d) => Math.floor(i / ost[d]) % os[d]);
          if (idx[axis] < s1[axis]) out[i] = a[idx.reduce((o, v, d) => o + v * st1[d], 0)];
          else {
            idx[axis] -= s1[axis];
            out[i] = b[idx.reduce((o, v, d) => o + v * st2[d], 0)];
          }
        }
        return out;
      },
    });
  }
});

test('gather rows (with repeats) and its scatter-add gradient', () => {
  const idx = [2, 0, 2, 3];
  gradcheck({
    inputs: [{ shape: [4, 3] }],
    op: (x) => fr.gather(x, idx),
    ref: (x) => Float64Array.from(idx.flatMap((r) => Array.from(x.subarray(r * 3, r * 3 + 3)))),
  });
  assert.throws(() => fr.gather(fr.zeros([3, 2]), [0, 3]), /gather: index 3 at 1 is outside \[0, 3\)/);
});

test('reshape shares bytes, -1 infers, bad sizes are errors', () => {
  const x = fr.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const before = fr.memory().numBuffers;
  const y = fr.reshape(x, [3, -1]);
  assert.equal(y.shape, [3, 2]);
  assert.is(fr.memory().numBuffers, before);
  assert.equal(Array.from(y.dataSync()), [1, 2, 3, 4, 5, 6]);
  x.dispose();
  assert.equal(Array.from(y.dataSync()), [1, 2, 3, 4, 5, 6]); // still alive through y
  assert.throws(() => fr.reshape(y, [4, 2]), /reshape: cannot reshape \[3,2\] \(6 elements\) to \[4,2\]/);
  gradcheck({ inputs: [{ shape: [2, 6] }], op: (t) => fr.mul(fr.reshape(t, [3, 4]), 2), ref: (t) => t.map((v) => 2 * v) });
});

test('broadcastTo and its gradient', () => {
  gradcheck({
    inputs: [{ shape: [3, 1] }],
    op: (x) => fr.broadcastTo(x, [2, 3, 4]),
    ref: (x) => {
      const o = new Float64Array(24);
      for (let i = 0; i < 24; i++) o[i] = x[Math.floor(i / 4) % 3];
      return o;
    },
  });
});

test.run();
