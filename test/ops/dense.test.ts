// matMul, conv2d, maxPool2d through the engine (any backend): forward and gradients against the
// float64 reference loops of test/reference/dense.ts, awkward shapes included.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.js';
import { tol } from '../helpers/backend.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { assertClose } from '../helpers/close.js';
import { type ConvShape, conv2dBackwardInputRef, conv2dRef, gemmRef, maxPool2dRef } from '../reference/dense.js';
import { conv2dBackpropInput } from '../../src/ops/conv.js';

const test = suite('ops: matMul, conv2d, maxPool2d');

test('matMul: all transpose combos and awkward sizes, forward and both gradients', () => {
  for (const [M, N, K] of [
    [1, 1, 1],
    [3, 5, 7],
    [8, 9, 4],
    [17, 3, 33],
    [2, 65, 9],
  ]) {
    for (const ta of [false, true])
      for (const tb of [false, true]) {
        const as = ta ? [K, M] : [M, K],
          bs = tb ? [N, K] : [K, N];
        gradcheck({
          inputs: [{ shape: as }, { shape: bs }],
          op: (a, b) => fr.matMul(a, b, ta, tb),
          ref: (a, b) => Float64Array.from(gemmRef(M, N, K, a, as[1], ta, b, bs[1], tb)),
          forwardTol: tol(1e-5, 1e-4),
        });
      }
  }
  assert.throws(() => fr.matMul(fr.zeros([2, 3]), fr.zeros([4, 2])), /matMul: inner dimensions differ: a \[2,3\] · b \[4,2\]/);
});

const convs: (ConvShape & { bias: boolean })[] = [
  { N: 2, C: 3, H: 7, W: 6, OC: 4, KH: 3, KW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, bias: true },
  { N: 1, C: 2, H: 5, W: 5, OC: 3, KH: 1, KW: 1, strideH: 1, strideW: 1, padH: 0, padW: 0, bias: true },
  { N: 1, C: 1, H: 1, W: 1, OC: 2, KH: 1, KW: 1, strideH: 1, strideW: 1, padH: 0, padW: 0, bias: false },
  { N: 2, C: 2, H: 9, W: 8, OC: 5, KH: 3, KW: 2, strideH: 2, strideW: 3, padH: 0, padW: 1, bias: true },
  { N: 1, C: 3, H: 4, W: 4, OC: 2, KH: 2, KW: 2, strideH: 3, strideW: 3, padH: 0, padW: 0, bias: false }, // stride > kernel
  { N: 1, C: 2, H: 3, W: 3, OC: 2, KH: 3, KW: 3, strideH: 1, strideW: 1, padH: 4, padW: 4, bias: true }, // padding > kernel
  { N: 1, C: 5, H: 6, W: 7, OC: 7, KH: 5, KW: 5, strideH: 1, strideW: 1, padH: 2, padW: 2, bias: true },
];
test('conv2d: forward and gradients in x, w and bias vs float64 (awkward configs)', () => {
  for (const s of convs) {
    const inputs = [{ shape: [s.N, s.C, s.H, s.W] }, { shape: [s.OC, s.C, s.KH, s.KW] }, ...(s.bias ? [{ shape: [s.OC] }] : [])];
    gradcheck({
      inputs,
      op: (x, w, b) => fr.conv2d(x, w, s.bias ? b : null, { stride: [s.strideH, s.strideW], padding: [s.padH, s.padW] }),
      ref: (x, w, b) => conv2dRef(s, x, w, s.bias ? b : null),
      forwardTol: tol(1e-5, 1e-4),
    });
  }
});

test('conv2d with enough channels (Winograd on WASM): forward and dx vs float64, paddings 0-2', () => {
  // 12×12, batch 2. On the WASM backend 16 → 32 channels runs the forward by F(2×2, 3×3), and
  // 32 → 16 its input gradient (the forward conv of dy with the flipped filter, 16 → 32); the
  // other pass of each runs as im2col
  const rng = new fr.Rng(5);
  const rand = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
  for (const [C, OC] of [
    [16, 32],
    [32, 16],
  ])
    for (const p of [0, 1, 2]) {
      const s: ConvShape = { N: 2, C, H: 12, W: 12, OC, KH: 3, KW: 3, strideH: 1, strideW: 1, padH: p, padW: p };
      const OH = s.H + 2 * p - 2;
      const x = rand(s.N * s.C * s.H * s.W),
        w = rand(s.OC * s.C * 9),
        b = rand(s.OC),
        dy = rand(s.N * s.OC * OH * OH);
      const xt = fr.tensor(x, [s.N, s.C, s.H, s.W]),
        wt = fr.tensor(w, [s.OC, s.C, 3, 3]);
      const y = fr.conv2d(xt, wt, fr.tensor(b, [s.OC]), { padding: p });
      assertClose(y.dataSync(), conv2dRef(s, x, w, b), tol(1e-4, 1e-3), 2e-5 * Math.sqrt(s.C * 9), `${C}->${OC} forward pad ${p}`);
      const dx = conv2dBackpropInput(fr.tensor(dy, [s.N, s.OC, OH, OH]), wt, [s.N, s.C, s.H, s.W], [1, 1], [p, p]);
      assertClose(dx.dataSync(), conv2dBackwardInputRef(s, dy, w), tol(1e-4, 1e-3), 2e-5 * Math.sqrt(s.OC * 9), `${C}->${OC} dx pad ${p}`);
    }
});

test('conv2d with many channels (Winograd F(4×4, 3×3) on WASM): forward and dx vs float64, paddings 0-2', () => {
  // 128 → 128 on 32×32 (at least 8×8 tiles of 4×4): both the forward and the input gradient run
  // by F(4×4, 3×3) on the WASM backend, whose larger transforms round more than F(2×2)'s
  const rng = new fr.Rng(6);
  const rand = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
  const C = 128,
    OC = 128;
  const w = rand(OC * C * 9),
    wt = fr.tensor(w, [OC, C, 3, 3]);
  for (const p of [0, 1, 2]) {
    const s: ConvShape = { N: 1, C, H: 32, W: 32, OC, KH: 3, KW: 3, strideH: 1, strideW: 1, padH: p, padW: p };
    const OH = s.H + 2 * p - 2;
    const x = rand(s.N * s.C * s.H * s.W),
      dy = rand(s.N * s.OC * OH * OH);
    const y = fr.conv2d(fr.tensor(x, [s.N, s.C, s.H, s.W]), wt, null, { padding: p });
    assertClose(y.dataSync(), conv2dRef(s, x, w, null), tol(1e-4, 1e-3), 4e-5 * Math.sqrt(s.C * 9), `forward pad ${p}`);
    const dx = conv2dBackpropInput(fr.tensor(dy, [s.N, s.OC, OH, OH]), wt, [s.N, s.C, s.H, s.W], [1, 1], [p, p]);
    assertClose(dx.dataSync(), conv2dBackwardInputRef(s, dy, w), tol(1e-4, 1e-3), 4e-5 * Math.sqrt(s.OC * 9), `dx pad ${p}`);
  }
});

test('conv2d: clear errors for mismatched channels and impossible sizes', () => {
  assert.throws(
    () => fr.conv2d(fr.zeros([1, 3, 5, 5]), fr.zeros([4, 2, 3, 3])),
    /conv2d: input has 3 channels but the filter \[4,2,3,3\] expects 2/,
  );
  assert.throws(
    () => fr.conv2d(fr.zeros([1, 3, 2, 2]), fr.zeros([4, 3, 3, 3])),
    /conv2d: kernel 3 with padding 0 does not fit input size 2/,
  );
  assert.throws(() => fr.conv2d(fr.zeros([3, 5, 5]), fr.zeros([4, 3, 3, 3])), /conv2d: 'x' must have rank 4, got shape \[3,5,5\]/);
});

test('maxPool2d: forward and gradient vs float64 (padding, stride ≠ kernel, odd sizes)', () => {
  for (const [H, W, k, st, p] of [
    [4, 4, 2, 2, 0],
    [5, 7, 3, 2, 1],
    [6, 5, 2, 1, 0],
    [3, 3, 3, 3, 0],
    [7, 7, 3, 3, 1],
  ]) {
    const s = { N: 2, C: 3, H, W, KH: k, KW: k, strideH: st, strideW: st, padH: p, padW: p };
    const n = 2 * 3 * H * W;
    const data = new fr.Rng(n).shuffle(Array.from({ length: n }, (_, i) => -1 + (2 * i) / n)); // no ties
    gradcheck({
      inputs: [{ shape: [2, 3, H, W], data }],
      op: (x) => fr.maxPool2d(x, k, { stride: st, padding: p }),
      ref: (x) => maxPool2dRef(s, x).y,
    });
  }
});

test('Linear = x·Wᵀ + b, with gradients', () => {
  const lin = new fr.Linear(5, 3, { rng: new fr.Rng(1), biasInit: fr.gaussian(1) });
  const w = lin.weight.dataSync(),
    b = lin.bias!.dataSync();
  gradcheck({
    inputs: [{ shape: [4, 5] }],
    op: (x) => lin.forward(x),
    ref: (x) => {
      const o = new Float64Array(12);
      for (let i = 0; i < 4; i++)
        for (let j = 0; j < 3; j++) {
          let s = b[j];
          for (let k = 0; k < 5; k++) s += x[i * 5 + k] * w[j * 5 + k];
          o[i * 3 + j] = s;
        }
      return o;
    },
  });
  assert.throws(() => lin.forward(fr.zeros([2, 4])), /Linear\(5→3\): input must be \[N,5\], got \[2,4\]/);
  lin.dispose();
});

test.run();
