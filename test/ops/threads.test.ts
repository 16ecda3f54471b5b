// The WASM kernel threads (src/backends/wasm/threads.ts): every threaded kernel (matmul, conv
// forward (im2col, Winograd F(2×2) and F(4×4)) and both backward passes, RoI pooling and RoIAlign forward and backward, max pooling
// forward and backward, instance norm forward and backward, reductions, softmax, elementwise ops) gives the one-thread result bit for bit, on odd shapes
// and at every thread count from 1 to 4 (each output value is computed by one thread in one order,
// whatever the split), with the work threshold off so even small shapes are split, and the calling
// thread leaving every block to the workers (so the workers' own instances run every kind of block)
// or taking blocks too. Without shared memory the engine runs on one thread and says why. Node only
// (worker_threads); test/browser/threads.test.ts and test/browser/isolated.ts cover pages.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../../src/app/threads/kernelThreads.js';
import * as fr from '../../src/index.js';
import { loadWasm } from '../../src/backends/wasm/loader.js';
import { setThreadTesting, setThreads as setThreadsOf, threadInfoFor } from '../../src/backends/wasm/threads.js';
import { WasmBackend } from '../../src/backends/wasm/backend.js';
import { conv2dBackpropFilter, conv2dBackpropInput, maxPool2dGrad } from '../../src/ops/conv.js';
import { roiAlign, roiAlignGrad, roiPoolGrad, roiPoolWithArgmax } from '../../src/ops/roi.js';
import { InstanceNorm, InstanceNormGrad, MaxPool2D } from '../../src/core/kernels.js';
import { engine } from '../../src/tensor/engine.js';

const rng = new fr.Rng(11);
const rand = (shape: number[]) =>
  fr.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)),
    shape,
  );

// Each case returns its outputs' bits; run at 1 thread for the reference, then at 2, 3, 4.
type Case = [string, () => fr.Tensor[]];
const bits = (ts: fr.Tensor[]) => ts.map((t) => new Uint32Array((t.dataSync() as Float32Array).slice().buffer));

function convCases(N: number, C: number, H: number, W: number, OC: number, k: number, stride: number, pad: number): Case[] {
  const x = rand([N, C, H, W]);
  const w = rand([OC, C, k, k]);
  const b = rand([OC]);
  const y = fr.conv2d(x, w, b, { stride, padding: pad });
  const dy = rand(y.shape);
  const s: [number, number] = [stride, stride],
    p: [number, number] = [pad, pad];
  const name = `conv N${N} C${C} ${H}x${W} OC${OC} k${k} s${stride} p${pad}`;
  return [
    [`${name} forward`, () => [fr.conv2d(x, w, b, { stride, padding: pad })]],
    [`${name} dx`, () => [conv2dBackpropInput(dy, w, x.shape, s, p)]],
    [`${name} dW`, () => [conv2dBackpropFilter(x, dy, w.shape, s, p)]],
  ];
}

function roiCases(): Case[] {
  const x = rand([2, 21, 13, 17]);
  const rows: number[][] = [];
  for (let i = 0; i < 37; i++) {
    const x1 = rng.uniform(-10, 120),
      y1 = rng.uniform(-10, 90);
    rows.push([i % 2, x1, y1, x1 + rng.uniform(-5, 80), y1 + rng.uniform(-5, 60)]);
  }
  const rois = fr.tensor(rows);
  const pooled = roiPoolWithArgmax(x, rois, { outputSize: [3, 5], spatialScale: 1 / 8 });
  const dyPool = rand(pooled.output.shape);
  return [
    ['roiPool backward 37 RoIs', () => [roiPoolGrad(dyPool, pooled.argmax, rois, x.shape)]],
    [
      'roiPool 37 RoIs',
      () => {
        const r = roiPoolWithArgmax(x, rois, { outputSize: [3, 5], spatialScale: 1 / 8 });
        return [r.output, fr.cast(r.argmax, 'float32')];
      },
    ],
    ['roiAlign 37 RoIs', () => [roiAlign(x, rois, { outputSize: [4, 3], spatialScale: 1 / 8, samplingRatio: 0, aligned: true })]],
    ['roiAlign 37 RoIs, ratio 2', () => [roiAlign(x, rois, { outputSize: [2, 2], spatialScale: 0.125, samplingRatio: 2, aligned: false })]],
  ];
}

// RoIAlign backward runs by blocks of channels (groups of 4): C 37, 67 and 5 give uneven blocks, a
// last one of 1 to 3 channels. RoIs overlap, cross the borders, cover the whole map, repeat, or are inverted.
function roiAlignGradCases(N: number, C: number, H: number, W: number, R: number): Case[] {
  const scale = 1 / 8;
  const rows: number[][] = [
    [0, 0, 0, W / scale, H / scale],
    [N - 1, -20, -30, 12, 9],
    [N - 1, W / scale - 10, H / scale - 6, W / scale + 40, H / scale + 25],
    [0, 0, 0, W / scale, H / scale],
  ];
  while (rows.length < R) {
    const x1 = rng.uniform(-15, W / scale + 5),
      y1 = rng.uniform(-15, H / scale + 5);
    rows.push([rows.length % N, x1, y1, x1 + rng.uniform(-5, 70), y1 + rng.uniform(-5, 50)]);
  }
  const rois = fr.tensor(rows);
  const name = `roiAlign backward N${N} C${C} ${H}x${W} ${R} RoIs`;
  const grad = (PH: number, PW: number, samplingRatio: number, aligned: boolean): Case => {
    const dy = rand([R, C, PH, PW]);
    const attrs = { outputSize: [PH, PW] as [number, number], spatialScale: scale, samplingRatio, aligned };
    return [`${name} ${PH}x${PW} ratio ${samplingRatio} aligned ${aligned}`, () => [roiAlignGrad(dy, rois, [N, C, H, W], attrs)]];
  };
  return [grad(3, 4, 0, true), grad(2, 3, 2, false), grad(7, 7, 0, false), grad(5, 2, 2, true)];
}

function matmulCase(name: string, aShape: number[], bShape: number[], transA = false, transB = false): Case {
  const a = rand(aShape),
    b = rand(bShape);
  return [name, () => [fr.matMul(a, b, transA, transB)]];
}

function poolCases(N: number, C: number, H: number, W: number, k: number, stride: number, pad: number): Case[] {
  const x = rand([N, C, H, W]);
  const attrs = { kernel: [k, k] as [number, number], stride: [stride, stride] as [number, number], pad: [pad, pad] as [number, number] };
  const [y, arg] = engine.runKernel(MaxPool2D, [x], attrs);
  const dy = rand(y.shape);
  const name = `maxPool N${N} C${C} ${H}x${W} k${k} s${stride} p${pad}`;
  return [
    [
      `${name} forward`,
      () => {
        const [yy, aa] = engine.runKernel(MaxPool2D, [x], attrs);
        return [yy, fr.cast(aa, 'float32')];
      },
    ],
    [`${name} backward`, () => [maxPool2dGrad(dy, arg, x.shape, attrs)]],
  ];
}

function instanceNormCases(N: number, C: number, H: number, W: number): Case[] {
  const x = rand([N, C, H, W]),
    gamma = rand([C]),
    beta = rand([C]);
  const [, mean, inv] = engine.runKernel(InstanceNorm, [x, gamma, beta], { eps: 1e-5 });
  const dy = rand([N, C, H, W]);
  const name = `instanceNorm N${N} C${C} ${H}x${W}`;
  return [
    [`${name} forward`, () => engine.runKernel(InstanceNorm, [x, gamma, beta], { eps: 1e-5 })],
    [`${name} backward`, () => engine.runKernel(InstanceNormGrad, [dy, x, gamma, mean, inv], { needDx: true })],
    [`${name} backward, no dx`, () => engine.runKernel(InstanceNormGrad, [dy, x, gamma, mean, inv], { needDx: false })],
  ];
}

function reduceSoftmaxCases(): Case[] {
  const x = fr.tensor(
    Float32Array.from({ length: 37 * 101 * 5 }, (_, i) => (i % 211 === 0 ? Number.NaN : rng.uniform(-3, 3))),
    [37, 101, 5],
  );
  const rows = rand([123, 21]);
  return [
    ['sum over axis 1 of [37,101,5] (37 outer blocks)', () => [fr.sum(x, 1)]],
    ['max over axis 2 of [37,101,5] (contiguous rows, NaN)', () => [fr.max(x, 2)]],
    ['sum over axes 1, 2 of [37,101,5]', () => [fr.sum(x, [1, 2])]],
    ['softmax rows [123,21]', () => [fr.softmax(rows)]],
    ['logSoftmax rows [123,21]', () => [fr.logSoftmax(rows)]],
  ];
}

function unaryCases(n: number): Case[] {
  const x = fr.tensor(
    Float32Array.from({ length: n }, (_, i) => (i % 97 === 0 ? Number.NaN : i % 89 === 0 ? -0 : rng.uniform(-3, 3))),
    [n],
  );
  return [
    [`relu ${n}`, () => [fr.relu(x)]],
    [`exp ${n}`, () => [fr.exp(x)]],
    [`sqrt(|x|) ${n}`, () => [fr.sqrt(fr.abs(x))]],
  ];
}

function binaryCases(): Case[] {
  const a = rand([7, 1, 13]),
    b = rand([1, 5, 13]);
  const c = rand([1001]),
    d = rand([1001]);
  const e = rand([3, 64]),
    f = rand([64]);
  const g = rand([2, 3, 4, 5, 6]),
    h = rand([2, 1, 4, 1, 6]);
  return [
    ['add [7,1,13] + [1,5,13] (rows of 13)', () => [fr.add(a, b)]],
    ['mul 1001 · 1001 (one row)', () => [fr.mul(c, d)]],
    ['div [3,64] / [64]', () => [fr.div(e, f)]],
    ['maximum [2,3,4,5,6] [2,1,4,1,6]', () => [fr.maximum(g, h)]],
    ['sub scalar', () => [fr.sub(c, fr.scalar(0.25))]],
  ];
}

const cases: Case[] = [
  ...binaryCases(),
  ...poolCases(2, 5, 13, 11, 2, 2, 0),
  ...poolCases(1, 7, 9, 10, 3, 1, 1),
  ...unaryCases(1003),
  ...unaryCases(64 * 1024 + 5),
  matmulCase('matmul 37x53 · 53x29', [37, 53], [53, 29]),
  matmulCase('matmul Aᵀ·B 300x5 · 300x700 (column split)', [300, 5], [300, 700], true),
  matmulCase('matmul A·Bᵀ 66x601 · 43x601 (K blocks)', [66, 601], [43, 601], false, true),
  matmulCase('matmul 1x9 · 9x1', [1, 9], [9, 1]),
  ...convCases(2, 3, 13, 11, 5, 3, 1, 1),
  ...convCases(1, 6, 17, 9, 11, 3, 2, 1),
  ...convCases(2, 7, 9, 10, 6, 1, 1, 0),
  ...convCases(1, 4, 12, 15, 9, 5, 1, 0),
  ...convCases(3, 5, 8, 7, 4, 2, 2, 0),
  ...convCases(2, 17, 13, 11, 33, 3, 1, 1), // forward by Winograd F(2×2, 3×3) (C >= 16, OC >= 32, >= 64 tiles)
  ...convCases(1, 32, 16, 17, 16, 3, 1, 1), // dx by Winograd (the flipped filter's forward: 16 -> 32 channels)
  ...convCases(1, 16, 31, 40, 32, 3, 1, 0), // Winograd over several 128-tile blocks, odd output
  ...convCases(1, 64, 33, 37, 67, 3, 1, 1), // forward and dx by F(4×4, 3×3) (C, OC >= 64, >= 64 tiles), filters packed once
  ...convCases(1, 128, 30, 34, 64, 3, 1, 2), // F(4×4), filters packed by each block's gemm
  ...convCases(2, 64, 45, 70, 64, 3, 1, 0), // F(4×4) over several 256-tile blocks, odd output
  ...roiCases(),
  ...roiAlignGradCases(2, 37, 11, 14, 29),
  ...roiAlignGradCases(1, 67, 9, 7, 13),
  ...roiAlignGradCases(2, 5, 6, 9, 17),
  ...instanceNormCases(2, 7, 5, 9),
  ...instanceNormCases(1, 3, 33, 1),
  ...reduceSoftmaxCases(),
];

test('the module runs on a shared memory in Node, and the kernel threads start', async () => {
  const info = fr.threadInfo();
  assert.ok(info.sharedMemory, `shared memory: ${info.note}`);
  assert.is(info.workers, 'worker_threads');
  assert.is(fr.setThreads(3), 3);
  assert.is(await fr.threadsReady(), 3);
  assert.is(fr.memory().details.threads, 3);
  assert.is(fr.memory().details.sharedMemory, 1);
});

test('every threaded kernel gives the one-thread bits at 1, 2, 3 and 4 threads', async () => {
  setThreadTesting({ minWork: 0 });
  try {
    const ref = new Map<string, Uint32Array[]>();
    fr.setThreads(1);
    for (const [name, f] of cases) ref.set(name, bits(f()));
    for (const [n, callerRuns] of [
      [2, false],
      [3, false],
      [4, false],
      [2, true],
      [4, true],
    ] as const) {
      // callerRuns: the calling thread takes blocks too, as it does outside the tests
      setThreadTesting({ minWork: 0, callerRuns });
      fr.setThreads(n);
      assert.is(await fr.threadsReady(), n);
      const before = fr.threadInfo().workerBlocks;
      for (const [name, f] of cases) {
        const got = bits(f());
        const want = ref.get(name)!;
        for (let o = 0; o < want.length; o++) {
          assert.is(got[o].length, want[o].length);
          let diff = -1;
          for (let i = 0; i < want[o].length && diff < 0; i++) if (got[o][i] !== want[o][i]) diff = i;
          if (diff >= 0)
            assert.unreachable(`${name} at ${n} threads: output ${o} differs at ${diff} (${got[o][diff]} vs ${want[o][diff]})`);
        }
      }
      if (!callerRuns) assert.ok(fr.threadInfo().workerBlocks > before, `the workers took no block at ${n} threads`);
    }
  } finally {
    setThreadTesting({});
    fr.setThreads(null);
  }
});

test('the shared-memory module is the built module with its memory imported: same code, same bits', () => {
  const shared = loadWasm(undefined, { threads: true });
  const plain = loadWasm(undefined, { threads: false });
  assert.ok(shared.shared && shared.memory.buffer instanceof SharedArrayBuffer);
  assert.equal(
    WebAssembly.Module.imports(shared.module).map((i) => `${i.module}.${i.name}:${i.kind}`),
    ['env.memory:memory'],
  );
  assert.equal(WebAssembly.Module.imports(plain.module), []);
  assert.is(shared.relaxed, plain.relaxed);
  // a conv forward and a matmul in both give the same bits
  const M = 37,
    N = 45,
    K = 300;
  const outs = [shared, plain].map((m) => {
    const e = m.exports;
    const r = new fr.Rng(3);
    const put = (n: number) => {
      const p = m.alloc(n * 4);
      const v = m.f32(p, n);
      for (let i = 0; i < n; i++) v[i] = r.uniform(-1, 1);
      return p;
    };
    const a = put(M * K),
      b = put(K * N),
      c = m.alloc(M * N * 4);
    const s = m.alloc(e.gemmScratchBytes(M, N, K));
    e.gemm(M, N, K, a, K, 0, b, N, 0, c, N, 0, s);
    return new Uint32Array(m.f32(c, M * N).slice().buffer);
  });
  assert.equal(Array.from(outs[0]), Array.from(outs[1]));
});

test('without shared memory (the plain build) the engine runs on one thread and says why', () => {
  const m = loadWasm(undefined, { threads: false });
  assert.not.ok(m.shared);
  const info = threadInfoFor(m);
  assert.is(info.threads, 1);
  assert.ok(info.note.length > 0);
  assert.is(setThreadsOf(4, m), 1);
  const be = new WasmBackend(m);
  assert.is(be.memory().threads, 1);
  assert.match(be.notes()[0], /one thread/);
});

test('a page that is not cross-origin isolated loads the plain build, with the reason', () => {
  const g = globalThis as any;
  const had = Object.getOwnPropertyDescriptor(g, 'crossOriginIsolated');
  g.crossOriginIsolated = false;
  try {
    const m = loadWasm(undefined, { threads: true });
    assert.not.ok(m.shared);
    assert.match(m.sharedNote, /cross-origin isolated/);
    assert.is(threadInfoFor(m).threads, 1);
  } finally {
    if (had) Object.defineProperty(g, 'crossOriginIsolated', had);
    else delete g.crossOriginIsolated;
  }
});

test('without SharedArrayBuffer: the plain build, one thread', () => {
  const g = globalThis as any;
  const sab = g.SharedArrayBuffer;
  delete g.SharedArrayBuffer;
  try {
    const m = loadWasm(undefined, { threads: true });
    assert.not.ok(m.shared);
    assert.match(m.sharedNote, /SharedArrayBuffer/);
  } finally {
    g.SharedArrayBuffer = sab;
  }
});

test('setThreads checks its argument', () => {
  assert.throws(() => fr.setThreads(0), /1 to 16/);
  assert.throws(() => fr.setThreads(2.5), /1 to 16/);
});

test.run();
