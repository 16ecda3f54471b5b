// The page side of `npm run bench:browser`: dense kernels on our WebGL backend and on TF.js's
// (@tensorflow/tfjs-backend-webgl) in the same page, timed alternately (each call ends with a
// readback, so the GPU work is inside the time), median of the runs.
import * as fr from '../../src/index.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import { baseConfig } from '../../src/detection/model/config.js';
import { createModel } from '../../src/detection/model/fastRcnn.js';
import { fastRcnnLoss } from '../../src/detection/model/loss.js';

export interface Row {
  name: string;
  flops: number;
  ours: () => Promise<void>;
  tfjs: () => Promise<void>;
  dispose: () => void;
}
export interface Result {
  name: string;
  gflop: number;
  oursMs: number;
  tfjsMs: number;
  ratio: number;
}

const rnd = (n: number, seed: number) => {
  const r = new fr.Rng(seed);
  return Float32Array.from({ length: n }, () => r.uniform(-1, 1));
};

function matmulRow(M: number, N: number, K: number, ta = false, tb = false): Row {
  const as = ta ? [K, M] : [M, K],
    bs = tb ? [N, K] : [K, N];
  const av = rnd(M * K, 1),
    bv = rnd(K * N, 2);
  const a = fr.tensor(av, as),
    b = fr.tensor(bv, bs);
  const ta2 = tf.tensor(av, as),
    tb2 = tf.tensor(bv, bs);
  return {
    name: `matmul ${M}x${K}${ta ? 'ᵀ' : ''} · ${K}x${N}${tb ? 'ᵀ' : ''}`,
    flops: 2 * M * N * K,
    ours: async () => {
      const y = fr.matMul(a, b, ta, tb);
      await y.data();
      y.dispose();
    },
    tfjs: async () => {
      const y = tf.matMul(ta2, tb2, ta, tb);
      await y.data();
      y.dispose();
    },
    dispose: () => {
      a.dispose();
      b.dispose();
      ta2.dispose();
      tb2.dispose();
    },
  };
}

type ConvPass = 'forward' | 'grad input' | 'grad filter';
function convRow(N: number, C: number, H: number, W: number, OC: number, k: number, pass: ConvPass = 'forward'): Row {
  const p = (k - 1) / 2;
  const xv = rnd(N * C * H * W, 3),
    wv = rnd(OC * C * k * k, 4),
    dyv = rnd(N * OC * H * W, 5);
  // ours NCHW / OIHW; TF.js NHWC / HWIO (its native layouts), same arithmetic
  const x = fr.tensor(xv, [N, C, H, W]),
    w = fr.tensor(wv, [OC, C, k, k]),
    dy = fr.tensor(dyv, [N, OC, H, W]);
  const tx = tf.tensor4d(xv, [N, H, W, C]),
    tw = tf.tensor4d(wv, [k, k, C, OC]),
    tdy = tf.tensor4d(dyv, [N, H, W, OC]);
  const attrs = { stride: [1, 1] as [number, number], pad: [p, p] as [number, number] };
  const ours = {
    forward: () => fr.conv2d(x, w, null, { padding: p }),
    'grad input': () => fr.engine.runKernel('Conv2DBackpropInput', [dy, w], { inputShape: x.shape, ...attrs })[0],
    'grad filter': () => fr.engine.runKernel('Conv2DBackpropFilter', [x, dy], { filterShape: w.shape, ...attrs })[0],
  }[pass];
  const theirs = {
    forward: () => tf.conv2d(tx, tw, 1, 'same'),
    'grad input': () => tf.conv2dTranspose(tdy, tw, [N, H, W, C], 1, 'same'),
    'grad filter': () =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x: tx, dy: tdy }, {
        strides: [1, 1],
        pad: 'same',
        dataFormat: 'NHWC',
        dimRoundingMode: undefined,
        filterShape: [k, k, C, OC],
      } as any) as tf.Tensor,
  }[pass];
  return {
    name: `conv ${k}x${k} ${pass} ${C}→${OC} @${H}x${W}${N > 1 ? ` N=${N}` : ''}`,
    flops: 2 * N * H * W * OC * C * k * k,
    ours: async () => {
      const y = ours();
      await y.data();
      y.dispose();
    },
    tfjs: async () => {
      const y = tf.tidy(theirs);
      await y.data();
      y.dispose();
    },
    dispose: () => {
      x.dispose();
      w.dispose();
      dy.dispose();
      tx.dispose();
      tw.dispose();
      tdy.dispose();
    },
  };
}

const median = (v: number[]) => {
  const s = v.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const rows: Record<string, () => Row> = {
  mm256: () => matmulRow(256, 256, 256),
  mm512: () => matmulRow(512, 512, 512),
  mm1024: () => matmulRow(1024, 1024, 1024),
  mm1024tA: () => matmulRow(1024, 1024, 1024, true, false),
  mm1024tB: () => matmulRow(1024, 1024, 1024, false, true),
  fc6: () => matmulRow(128, 512, 12544, false, true),
  fc6dW: () => matmulRow(512, 12544, 128, true, false),
  conv56: () => convRow(1, 64, 56, 56, 64, 3),
  conv28: () => convRow(1, 128, 28, 28, 128, 3),
  conv14: () => convRow(1, 256, 14, 14, 256, 3),
  conv28dx: () => convRow(1, 128, 28, 28, 128, 3, 'grad input'),
  conv28dw: () => convRow(1, 128, 28, 28, 128, 3, 'grad filter'),
};

/** Runs the named rows; each side gets a warm-up call, then they alternate for `minMs` (at least `runs` each). */
export async function bench(names: string[], runs = 3, minMs = 1500): Promise<Result[]> {
  fr.setBackend('webgl');
  await tf.setBackend('webgl');
  await tf.ready();
  const out: Result[] = [];
  for (const n of names) {
    const row = rows[n]();
    await row.ours();
    await row.tfjs();
    const o: number[] = [],
      t: number[] = [];
    const t0 = performance.now();
    while (o.length < runs || performance.now() - t0 < minMs) {
      let s = performance.now();
      await row.ours();
      o.push(performance.now() - s);
      s = performance.now();
      await row.tfjs();
      t.push(performance.now() - s);
      if (o.length >= 20) break;
    }
    row.dispose();
    const oursMs = median(o),
      tfjsMs = median(t);
    out.push({ name: row.name, gflop: row.flops / 1e9, oursMs, tfjsMs, ratio: tfjsMs / oursMs });
  }
  return out;
}

/**
 * One Fast R-CNN training step (forward, multi-task loss, backward) with the default config (2 images
 * of 240×320, 128 RoIs) on `backend`: milliseconds per step, median of `runs` after a warm-up step.
 */
export async function trainStep(backend: string, runs = 3): Promise<number> {
  fr.setBackend(backend);
  const cfg = baseConfig();
  const model = createModel(cfg, ['a', 'b', 'c', 'd', 'e'], 7);
  model.train();
  const rng = new fr.Rng(11);
  const H = 240,
    W = 320,
    R = 64;
  const images = [0, 1].map(() => fr.tensor(rnd(3 * H * W, 8), [1, 3, H, W]));
  const rois = [0, 1].map(() => {
    const r = new Float32Array(R * 5);
    for (let i = 0; i < R; i++) {
      const x1 = Math.floor(rng.uniform(0, W - 60)),
        y1 = Math.floor(rng.uniform(0, H - 60));
      r.set([0, x1, y1, x1 + 20 + Math.floor(rng.uniform(0, 40)), y1 + 20 + Math.floor(rng.uniform(0, 40))], i * 5);
    }
    return fr.tensor(r, [R, 5]);
  });
  const labels = fr.tensor(Int32Array.from({ length: 2 * R }, (_, i) => (i % 4 === 0 ? 1 + (i % 5) : 0)));
  const targets = fr.tensor(rnd(2 * R * 4, 9), [2 * R, 4]);
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    const l = fr.tidy(() => {
      const { clsScore, bboxPred } = model.forwardImages(images, rois);
      return fastRcnnLoss(clsScore, labels, bboxPred, targets).loss;
    });
    l.backward();
    l.dispose();
    for (const { tensor: p } of model.parameters()) {
      await p.grad?.data();
      p.grad?.dispose();
      p.grad = null;
    }
    if (i) times.push(performance.now() - t0);
  }
  model.dispose();
  [...images, ...rois, labels, targets].forEach((t) => t.dispose());
  fr.setBackend('webgl');
  return median(times);
}

(globalThis as any).fastrcnnBench = { bench, trainStep, rows: Object.keys(rows) };
