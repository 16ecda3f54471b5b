// Online hard example mining (train.hardMining): per-RoI losses against a float64 loop written
// another way (probabilities, then -log; smooth-L1 from min/abs), the selection against a sort,
// NMS among the candidates on a hand-made case, and the gradients of a mined part against those of
// a part made of the expected RoIs only.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import '../../src/index.js';
import '../helpers/backend.js';
import { roiLosses, selectHardRois } from '../../src/detection/training/hardMining.js';
import { type BatchPart, partGradients } from '../../src/detection/training/batchParts.js';
import { createModel } from '../../src/detection/model/fastRcnn.js';
import { validateConfig } from '../../src/detection/model/config.js';
import { engine } from '../../src/tensor/engine.js';
import { Rng } from '../../src/util/random.js';
import { tinyConfig } from './helpers.js';

const test = suite('detection: online hard example mining');

function refLoss(z: number[], d: number[], t: number[], u: number, lambda: number): number {
  const e = z.map(Math.exp),
    p = e[u] / e.reduce((a, b) => a + b, 0);
  let l = -Math.log(p);
  if (u > 0)
    for (let j = 0; j < 4; j++) {
      const a = Math.abs(d[4 * u + j] - t[j]),
        m = Math.min(a, 1);
      l += lambda * (0.5 * m * m + (a - m));
    }
  return l;
}

test('roiLosses = cross-entropy + lambda x smooth-L1 of the true class (float64 loop)', () => {
  const rng = new Rng(3),
    R = 30,
    K1 = 4,
    lambda = 0.7;
  const z = Float32Array.from({ length: R * K1 }, () => rng.uniform(-3, 3));
  const d = Float32Array.from({ length: R * 4 * K1 }, () => rng.uniform(-2.5, 2.5));
  const t = Float32Array.from({ length: R * 4 }, () => rng.uniform(-2, 2));
  const labels = Int32Array.from({ length: R }, (_, i) => i % K1);
  const got = roiLosses(z, d, labels, t, K1, lambda);
  for (let i = 0; i < R; i++) {
    const want = refLoss(
      Array.from(z.subarray(i * K1, i * K1 + K1)),
      Array.from(d.subarray(i * 4 * K1, (i + 1) * 4 * K1)),
      Array.from(t.subarray(4 * i, 4 * i + 4)),
      labels[i],
      lambda,
    );
    assert.ok(Math.abs(got[i] - want) < 1e-9 * Math.max(1, want), `RoI ${i}: ${got[i]} vs ${want}`);
  }
});

test('selectHardRois without NMS = the highest losses; with NMS a near copy of a harder RoI gives way', () => {
  const rng = new Rng(5),
    R = 50;
  const losses = Float64Array.from({ length: R }, () => rng.uniform(0, 5));
  const rois = new Float32Array(5 * R);
  for (let i = 0; i < R; i++) rois.set([0, 10 * i, 0, 10 * i + 8, 8], 5 * i); // disjoint boxes
  const want = Array.from({ length: R }, (_, i) => i)
    .sort((a, b) => losses[b] - losses[a])
    .slice(0, 12);
  assert.equal(selectHardRois(losses, rois, 12, 1), want);
  assert.equal(selectHardRois(losses, rois, 12, 0.7), want, 'disjoint boxes: NMS removes nothing');
  assert.equal(selectHardRois(losses, rois, 60, 0.7).length, R);
  // RoI 1 nearly covers RoI 0 (IoU 0.9) and has a lower loss: NMS drops it, the next hardest comes in.
  // RoI 5 nearly covers RoI 2 likewise.
  const l2 = Float64Array.from([9, 8, 7, 1, 2, 6]);
  const r2 = Float32Array.from([0, 0, 0, 9, 9, 0, 0, 0, 9, 8, 0, 20, 20, 29, 29, 0, 40, 40, 49, 49, 0, 60, 60, 69, 69, 0, 20, 21, 29, 29]);
  assert.equal(selectHardRois(l2, r2, 3, 0.7), [0, 2, 4]);
  assert.equal(selectHardRois(l2, r2, 3, 1), [0, 1, 2]);
  assert.equal(selectHardRois(l2, r2, 4, 0.7), [0, 2, 4, 3]);
  // Fewer survivors than wanted: the suppressed one fills in, by loss.
  assert.equal(selectHardRois(l2, r2, 5, 0.7), [0, 2, 4, 3, 1]);
});

test('a mined part trains exactly on its hardest RoIs (loss, labels and gradients of that subset)', () => {
  const cfg = tinyConfig();
  cfg.model.dropout = 0; // the same outputs in both passes
  const rng = new Rng(9),
    R = 24,
    keep = 8,
    K1 = 4,
    H = 40,
    W = 48;
  const images = Float32Array.from({ length: 3 * H * W }, () => rng.uniform(-1, 1));
  const rois = new Float32Array(5 * R);
  for (let i = 0; i < R; i++) {
    const x = rng.uniform(0, 30),
      y = rng.uniform(0, 22);
    rois.set([0, x, y, x + rng.uniform(6, 17), y + rng.uniform(6, 17)], 5 * i);
  }
  const labels = Int32Array.from({ length: R }, (_, i) => (i % 3 === 0 ? 1 + (i % (K1 - 1)) : 0));
  const targets = Float32Array.from({ length: 4 * R }, () => rng.uniform(-1, 1));
  const part: BatchPart = { images, shape: [1, 3, H, W], rois, labels, targets, hard: { keep, nms: 1 } };
  const gradsOf = (p: BatchPart) => {
    const model = createModel(cfg, ['a', 'b', 'c']);
    const w = model.clsScore.weight; // larger logits, so the losses spread out
    w.assign(
      engine.makeTensor(
        Float32Array.from(w.dataSync() as Float32Array, (v) => v * 200),
        w.shape.slice(),
        'float32',
      ),
    );
    model.train();
    const r = partGradients(model, p, 1);
    const g = model.namedParameters().map((q) => Float32Array.from(q.tensor.grad!.dataSync() as Float32Array));
    // Expected selection from the model's own head outputs on all candidates (no gradients).
    const out = engine.noGrad(() =>
      engine.tidy(() => {
        const o = model.head(
          model.pool(model.forward(engine.makeTensor(images, [1, 3, H, W], 'float32')), engine.makeTensor(rois, [R, 5], 'float32')),
        );
        return [Float32Array.from(o.clsScore.dataSync() as Float32Array), Float32Array.from(o.bboxPred.dataSync() as Float32Array)];
      }),
    );
    model.dispose();
    return { r, g, cs: out[0], bp: out[1] };
  };
  const mined = gradsOf(part);
  const losses = Array.from({ length: R }, (_, i) =>
    refLoss(
      Array.from(mined.cs.subarray(i * K1, (i + 1) * K1)),
      Array.from(mined.bp.subarray(i * 4 * K1, (i + 1) * 4 * K1)),
      Array.from(targets.subarray(4 * i, 4 * i + 4)),
      labels[i],
      1,
    ),
  );
  const order = Array.from({ length: R }, (_, i) => i).sort((a, b) => losses[b] - losses[a]),
    sel = order.slice(0, keep);
  assert.ok(losses[order[keep - 1]] - losses[order[keep]] > 1e-3, 'the cut between kept and dropped RoIs must be clear');
  const sub: BatchPart = {
    images,
    shape: [1, 3, H, W],
    rois: Float32Array.from(sel.flatMap((i) => Array.from(rois.subarray(5 * i, 5 * i + 5)))),
    labels: Int32Array.from(sel.map((i) => labels[i])),
    targets: Float32Array.from(sel.flatMap((i) => Array.from(targets.subarray(4 * i, 4 * i + 4)))),
  };
  const plain = gradsOf(sub);
  assert.is(mined.r.numRois, keep);
  assert.equal(Array.from(mined.r.labels), Array.from(sub.labels));
  const expectSum = sel.reduce((a, i) => a + losses[i], 0);
  assert.ok(Math.abs(mined.r.lossSum - expectSum) < 1e-3 * expectSum, `loss sum ${mined.r.lossSum} vs ${expectSum}`);
  assert.ok(Math.abs(mined.r.lossSum - plain.r.lossSum) < 1e-5 * expectSum);
  let maxd = 0,
    maxg = 0;
  mined.g.forEach((g, k) =>
    g.forEach((v, j) => {
      maxd = Math.max(maxd, Math.abs(v - plain.g[k][j]));
      maxg = Math.max(maxg, Math.abs(v));
    }),
  );
  assert.ok(maxg > 0 && maxd <= 1e-5 * maxg, `gradients differ by ${maxd} (max ${maxg})`);
});

test('config: hardMining.candidates must be 0 or at least the RoIs per image; nms in (0, 1]', () => {
  const c = tinyConfig();
  c.train.hardMining = { candidates: 8, nms: 0.7 };
  assert.throws(() => validateConfig(c), /hardMining\.candidates.*>= the RoIs per image \(16\)/);
  c.train.hardMining = { candidates: 64, nms: 0 };
  assert.throws(() => validateConfig(c), /hardMining\.nms/);
  c.train.hardMining = { candidates: 64, nms: 0.7 };
  validateConfig(c);
});

test.run();
