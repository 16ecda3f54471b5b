// instanceNorm (fused InstanceNorm / InstanceNormGrad kernels) against the float64 loop of
// test/reference/norm.ts: forward on odd shapes and large offsets, finite-difference gradients of x,
// gamma and beta, argument errors, and the detector's ChannelNorm / instance-norm backbone.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.js';
import { ChannelNorm, FastRCNN } from '../../src/detection/model/fastRcnn.js';
import { baseConfig } from '../../src/detection/model/config.js';
import { BACKEND, tol } from '../helpers/backend.js';
import { assertClose, maxAbs } from '../helpers/close.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { conv2dRef, maxPool2dRef, numericalGradient } from '../reference/dense.js';
import { instanceNormRef } from '../reference/norm.js';

const test = suite('ops: instanceNorm');

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
function rand(rng: fr.Rng, n: number, lo = -1, hi = 1, offset = 0): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = offset + rng.uniform(lo, hi);
  return a;
}

// 1×1 planes, M < 4 (scalar only), M = 4k (SIMD only), SIMD + tails, one plane longer than the
// kernel's float32 partial-sum block (512), and N = 2.
const SHAPES = [
  [1, 1, 1, 1],
  [2, 3, 1, 1],
  [1, 2, 1, 3],
  [1, 2, 2, 4],
  [1, 3, 3, 3],
  [2, 3, 5, 7],
  [2, 5, 13, 11],
  [1, 3, 40, 41],
];

function checkForward(shape: number[], x: Float32Array, rng: fr.Rng, eps?: number, what = ''): void {
  const C = shape[1];
  const g = rand(rng, C, 0.5, 2),
    b = rand(rng, C, -1, 1);
  const ref = instanceNormRef(x, g, b, shape, eps ?? 1e-5);
  const [xt, gt, bt] = [fr.tensor(x, shape), fr.tensor(g, [C]), fr.tensor(b, [C])];
  const y = fr.instanceNorm(xt, gt, bt, eps === undefined ? {} : { eps });
  assert.equal(y.shape, shape);
  const label = `${what}[${shape}]`;
  assertClose(y.dataSync(), ref.y, 0, tol(2e-6) * Math.max(1, maxAbs(ref.y)), `${label} y`);
  // the statistics the kernel saves for the backward
  const [y2, mean, inv] = fr.engine.runKernel('InstanceNorm', [xt, gt, bt], { eps: eps ?? 1e-5 });
  assert.equal(mean.shape, [shape[0], C]);
  assertClose(mean.dataSync(), ref.mean, 1e-6, 1e-7, `${label} mean`);
  assertClose(inv.dataSync(), ref.inv, 1e-6, 0, `${label} inv`);
  for (const t of [xt, gt, bt, y, y2, mean, inv]) t.dispose();
}

test('forward and saved statistics match float64 (1×1, scalar tails, SIMD, > one block, N = 2)', () => {
  const rng = new fr.Rng(11);
  for (const s of SHAPES) checkForward(s, rand(rng, size(s)), rng);
  checkForward([2, 3, 5, 7], rand(rng, 70 * 3, -3, 3), rng, 1e-2, 'eps 1e-2 ');
  // a constant plane: var = 0, so y = beta exactly (no 0/0)
  const x = new Float32Array(2 * 9).fill(3.25);
  checkForward([1, 2, 3, 3], x, rng);
});

test('large mean offsets do not cost accuracy (two-pass statistics)', () => {
  const rng = new fr.Rng(12);
  for (const [offset, spread] of [
    [1000, 1],
    [-1000, 0.01],
    [1e4, 1],
    [3e4, 0.5],
  ]) {
    for (const s of [
      [2, 3, 17, 19],
      [1, 2, 1, 3],
      [1, 1, 40, 41],
    ]) {
      checkForward(s, rand(rng, size(s), -spread, spread, offset), rng, undefined, `offset ${offset}±${spread} `);
    }
  }
});

test('gradients of x, gamma and beta vs float64 finite differences', () => {
  for (const shape of [
    [2, 3, 3, 5],
    [1, 2, 1, 1],
    [1, 2, 2, 3],
    [2, 2, 4, 4],
    [1, 1, 3, 7],
  ]) {
    const C = shape[1];
    const gamma = Array.from({ length: C }, (_, i) => 0.6 + 0.35 * i);
    gradcheck({
      inputs: [{ shape }, { shape: [C], data: gamma }, { shape: [C] }],
      op: (x, g, b) => fr.instanceNorm(x, g, b),
      ref: (x, g, b) => instanceNormRef(x, g, b, shape).y,
      rtol: tol(2e-3, 2e-2),
    });
  }
  // offset input and a larger eps
  const shape = [1, 2, 3, 5];
  const rng = new fr.Rng(3);
  gradcheck({
    inputs: [{ shape, data: rand(rng, 30, -1, 1, 1000) }, { shape: [2] }, { shape: [2] }],
    op: (x, g, b) => fr.instanceNorm(x, g, b, { eps: 0.1 }),
    ref: (x, g, b) => instanceNormRef(x, g, b, shape, 0.1).y,
    rtol: tol(2e-3, 2e-2),
  });
  // only x differentiable, then only gamma and beta (the rule skips dx)
  gradcheck({
    inputs: [{ shape: [2, 3, 3, 3] }, { shape: [3], differentiable: false }, { shape: [3], differentiable: false }],
    op: (x, g, b) => fr.instanceNorm(x, g, b),
    ref: (x, g, b) => instanceNormRef(x, g, b, [2, 3, 3, 3]).y,
    rtol: tol(2e-3, 2e-2),
  });
  gradcheck({
    inputs: [{ shape: [2, 3, 3, 3], differentiable: false }, { shape: [3] }, { shape: [3] }],
    op: (x, g, b) => fr.instanceNorm(x, g, b),
    ref: (x, g, b) => instanceNormRef(x, g, b, [2, 3, 3, 3]).y,
    rtol: tol(2e-3, 2e-2),
  });
});

test('argument errors name the op and the shapes', () => {
  const x = fr.zeros([2, 3, 4, 4]),
    g = fr.ones([3]),
    b = fr.zeros([3]);
  assert.throws(() => fr.instanceNorm(fr.zeros([3, 4, 4]), g, b), /instanceNorm: 'x' must have rank 4, got shape \[3,4,4\]/);
  assert.throws(() => fr.instanceNorm(x, fr.ones([4]), b), /instanceNorm: 'gamma' must be \[3\] for x \[2,3,4,4\], got \[4\]/);
  assert.throws(() => fr.instanceNorm(x, g, fr.zeros([1, 3])), /instanceNorm: 'beta' must be \[3\] for x \[2,3,4,4\], got \[1,3\]/);
  assert.throws(
    () => fr.instanceNorm(fr.tensor(new Int32Array(48), [2, 3, 4, 2], 'int32'), g, b),
    /instanceNorm: 'x' must be float32, got int32/,
  );
  assert.throws(() => fr.instanceNorm(x, fr.tensor(new Int32Array(3), [3], 'int32'), b), /instanceNorm: 'gamma' must be float32/);
  for (const eps of [0, -1e-5, NaN, Infinity]) {
    assert.throws(() => fr.instanceNorm(x, g, b, { eps }), /instanceNorm: eps must be finite and > 0/, `eps ${eps}`);
  }
  assert.throws(() => fr.instanceNorm(null as unknown as fr.Tensor, g, b), /instanceNorm: 'x' must be a Tensor/);
  for (const t of [x, g, b]) t.dispose();
});

test('no leaks: the saved statistics are freed with the tape', () => {
  const x = fr.tensor(rand(new fr.Rng(5), 2 * 3 * 25), [2, 3, 5, 5]),
    g = fr.ones([3]),
    b = fr.zeros([3]);
  const before = fr.memory().numTensors;
  const y = fr.instanceNorm(x, g, b);
  assert.is(fr.memory().numTensors, before + 1);
  y.dispose();
  const gs = fr.tidy(() => fr.grads((xx, gg, bb) => fr.sum(fr.square(fr.instanceNorm(xx, gg, bb))))(x, g, b));
  assert.is(fr.memory().numTensors, before + 3);
  gs.forEach((t) => t.dispose());
  assert.is(fr.memory().numTensors, before);
  for (const t of [x, g, b]) t.dispose();
});

test('fused kernels where the backend has them (WASM), dense ops on the active backend otherwise (WebGL)', () => {
  const x = fr.tensor(rand(new fr.Rng(6), 2 * 3 * 16), [2, 3, 4, 4]),
    g = fr.ones([3]),
    b = fr.zeros([3]);
  const calls: string[] = [];
  const run = fr.engine.runKernel.bind(fr.engine);
  fr.engine.runKernel = (name, inputs, ...attrs) => {
    calls.push(`${name}@${fr.engine.backend.kernels.has(name) ? fr.engine.backend.name : 'fallback'}`);
    return run(name, inputs, ...attrs);
  };
  try {
    fr.tidy(() => fr.grads((xx, gg, bb) => fr.sum(fr.instanceNorm(xx, gg, bb)))(x, g, b));
  } finally {
    fr.engine.runKernel = run;
  }
  const norm = calls.filter((c) => c.startsWith('InstanceNorm'));
  if (BACKEND === 'wasm') assert.equal(norm, ['InstanceNorm@wasm', 'InstanceNormGrad@wasm']);
  else {
    assert.equal(norm, [], calls.join(' '));
    assert.equal(
      calls.filter((c) => c.endsWith('@fallback')),
      [],
      calls.join(' '),
    );
  }
  for (const t of [x, g, b]) t.dispose();
});

test('ChannelNorm (weight/bias) forward and parameter gradients vs float64', () => {
  const rng = new fr.Rng(21);
  const shape = [2, 4, 6, 7],
    C = 4;
  const norm = new ChannelNorm(C);
  assert.equal(
    norm.namedParameters().map((p) => p.name),
    ['weight', 'bias'],
  );
  const w = rand(rng, C, 0.5, 1.5),
    bias = rand(rng, C, -0.5, 0.5);
  norm.loadStateDict(
    new Map([
      ['weight', { shape: [C], data: w }],
      ['bias', { shape: [C], data: bias }],
    ]),
  );
  const x = rand(rng, size(shape), -2, 2, 5),
    dy = rand(rng, size(shape));
  const ref = instanceNormRef(x, w, bias, shape);
  const xt = fr.tensor(x, shape),
    dyt = fr.tensor(dy, shape);
  const y = norm.forward(xt);
  assertClose(y.dataSync(), ref.y, 0, tol(2e-6) * maxAbs(ref.y), 'y');
  fr.sum(fr.mul(y, dyt)).backward();
  // dbeta_c = Σ dy, dgamma_c = Σ dy·xhat over n and the plane
  const M = 42,
    dg = new Float64Array(C),
    db = new Float64Array(C);
  for (let p = 0; p < 2 * C; p++)
    for (let i = 0; i < M; i++) {
      const c = p % C,
        k = p * M + i;
      db[c] += dy[k];
      dg[c] += dy[k] * (x[k] - ref.mean[p]) * ref.inv[p];
    }
  assertClose(norm.weight.grad!.dataSync(), dg, 1e-5, 1e-5, 'dweight');
  assertClose(norm.bias.grad!.dataSync(), db, 1e-5, 1e-5, 'dbias');
  norm.zeroGrad();
  norm.dispose();
  for (const t of [xt, dyt, y]) t.dispose();
});

test("backbone with model.backbone.norm = 'instance': features and parameter gradients vs float64", () => {
  const cfg = baseConfig();
  cfg.model.backbone = { stages: [[5], [6]], trainFrom: 'conv1_1', norm: 'instance' };
  cfg.model.fc = [8, 8];
  cfg.model.roiPoolSize = [2, 2];
  const model = new FastRCNN({ classes: ['a'], model: cfg.model, seed: 4 });
  const names = model
    .namedParameters()
    .map((p) => p.name)
    .filter((n) => n.startsWith('conv'));
  assert.equal(names, [
    'conv1_1.weight',
    'conv1_1_norm.weight',
    'conv1_1_norm.bias',
    'conv2_1.weight',
    'conv2_1_norm.weight',
    'conv2_1_norm.bias',
  ]);
  const rng = new fr.Rng(8);
  // non-trivial scale and shift
  const state = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [n, C] of [
    ['conv1_1_norm', 5],
    ['conv2_1_norm', 6],
  ] as const) {
    state.set(`${n}.weight`, { shape: [C], data: rand(rng, C, 0.5, 1.5) });
    state.set(`${n}.bias`, { shape: [C], data: rand(rng, C, -0.5, 0.5) });
  }
  model.loadStateDict(state, false);
  const params = names.map((n) => model.namedParameters().find((p) => p.name === n)!.tensor);
  const p64 = params.map((t) => Float64Array.from(t.dataSync()));

  const [N, H, W] = [2, 12, 10];
  const img = rand(rng, N * 3 * H * W, -1, 1);
  const relu = (a: Float64Array) => a.map((v) => Math.max(v, 0));
  const conv = (x: ArrayLike<number>, C: number, OC: number, h: number, w: number, k: Float64Array) =>
    conv2dRef({ N, C, H: h, W: w, OC, KH: 3, KW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1 }, x, k, null);
  const forward = (ps: Float64Array[]) => {
    const a = relu(instanceNormRef(conv(img, 3, 5, H, W, ps[0]), ps[1], ps[2], [N, 5, H, W]).y);
    const pooled = maxPool2dRef({ N, C: 5, H, W, KH: 2, KW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0 }, a).y;
    return relu(instanceNormRef(conv(pooled, 5, 6, H / 2, W / 2, ps[3]), ps[4], ps[5], [N, 6, H / 2, W / 2]).y);
  };
  const yRef = forward(p64);
  const g = rand(rng, yRef.length);

  const imgT = fr.tensor(img, [N, 3, H, W]),
    gT = fr.tensor(g, [N, 6, H / 2, W / 2]);
  const feat = model.forward(imgT);
  assert.equal(feat.shape, [N, 6, H / 2, W / 2]);
  assertClose(feat.dataSync(), yRef, 0, tol(1e-5, 1e-4) * maxAbs(yRef), 'features');
  fr.sum(fr.mul(feat, gT)).backward();
  const proj = () => {
    const y = forward(p64);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i] * g[i];
    return s;
  };
  params.forEach((t, k) => {
    const num = numericalGradient(() => proj(), p64[k], 1e-6);
    assertClose(t.grad!.dataSync(), num, tol(1e-3, 1e-2), tol(1e-3, 1e-2) * maxAbs(num), `d ${names[k]}`);
  });
  model.zeroGrad();
  model.dispose();
  for (const t of [imgT, gT, feat]) t.dispose();
});

test.run();
