// Regression targets and their normalization: targets against a float64 R-CNN encoder written here,
// per-class statistics against float64 means/stds, and the folding of the statistics into
// bbox_pred (raw deltas of the folded layer == un-normalized deltas of the unfolded one).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.js';
import '../helpers/backend.js';
import {
  computeBboxStats,
  computeTargets,
  fixedBboxStats,
  foldBboxStats,
  normalizeTargets,
  unnormalizeDeltas,
} from '../../src/detection/model/targets.js';
import { baseConfig } from '../../src/detection/model/config.js';
import { createModel } from '../../src/detection/model/fastRcnn.js';
import { modelFromBytes, modelToBytes } from '../../src/detection/model/modelFile.js';

const test = suite('detection: targets, normalization, folding');

/** R-CNN encoding with pixel-inclusive widths, float64. */
function encodeRef(p: number[], g: number[]): number[] {
  const w = p[2] - p[0] + 1,
    h = p[3] - p[1] + 1,
    cx = p[0] + 0.5 * w,
    cy = p[1] + 0.5 * h;
  const gw = g[2] - g[0] + 1,
    gh = g[3] - g[1] + 1,
    gx = g[0] + 0.5 * gw,
    gy = g[1] + 0.5 * gh;
  return [(gx - cx) / w, (gy - cy) / h, Math.log(gw / w), Math.log(gh / h)];
}

function randomBoxes(rng: fr.Rng, n: number): number[][] {
  return Array.from({ length: n }, () => {
    const x = rng.uniform(0, 200),
      y = rng.uniform(0, 150);
    return [x, y, x + rng.uniform(4, 120), y + rng.uniform(4, 90)];
  });
}

test('computeTargets: encodes foreground rows, zeros the rest', () => {
  const rng = new fr.Rng(1);
  const p = randomBoxes(rng, 20),
    g = randomBoxes(rng, 20);
  const labels = p.map((_, i) => (i % 3 === 0 ? 0 : 1 + (i % 4)));
  const t = computeTargets(new Float32Array(p.flat()), new Float32Array(g.flat()), labels);
  p.forEach((b, i) => {
    const want = labels[i] ? encodeRef(Array.from(new Float32Array(b)), Array.from(new Float32Array(g[i]))) : [0, 0, 0, 0];
    for (let k = 0; k < 4; k++) assert.ok(Math.abs(t[4 * i + k] - want[k]) < 1e-5, `row ${i}.${k}: ${t[4 * i + k]} vs ${want[k]}`);
  });
});

test('computeBboxStats: per-class mean and std over foreground rows (float64 oracle)', () => {
  const rng = new fr.Rng(2);
  const K1 = 4;
  const sets = [0, 1, 2].map(() => {
    const n = 30;
    const labels = Int32Array.from({ length: n }, () => rng.int(0, 3)); // class 3 never appears
    const targets = Float32Array.from({ length: 4 * n }, () => rng.normal(0.3, 0.5));
    return { labels, targets };
  });
  const s = computeBboxStats(sets, K1);
  for (let c = 1; c < K1; c++)
    for (let k = 0; k < 4; k++) {
      const vals: number[] = [];
      for (const set of sets)
        set.labels.forEach((l, i) => {
          if (l === c) vals.push(set.targets[4 * i + k]);
        });
      if (!vals.length) {
        assert.is(s.means[4 * c + k], 0);
        assert.is(s.stds[4 * c + k], 1);
        continue;
      }
      const m = vals.reduce((a, b) => a + b, 0) / vals.length;
      const sd = Math.sqrt(vals.reduce((a, b) => a + (b - m) ** 2, 0) / vals.length);
      assert.ok(Math.abs(s.means[4 * c + k] - m) < 1e-6, `mean ${c}.${k}`);
      assert.ok(Math.abs(s.stds[4 * c + k] - sd) < 1e-5, `std ${c}.${k}: ${s.stds[4 * c + k]} vs ${sd}`);
    }
  assert.equal(Array.from(s.means.subarray(0, 4)), [0, 0, 0, 0], 'background row');
  assert.equal(Array.from(s.stds.subarray(0, 4)), [1, 1, 1, 1]);
});

test('normalize then un-normalize round-trips; fixed stats are per class except background', () => {
  const st = fixedBboxStats(3, [0, 0, 0, 0], [0.1, 0.1, 0.2, 0.2]);
  assert.equal(Array.from(st.stds), [1, 1, 1, 1, 0.1, 0.1, 0.2, 0.2, 0.1, 0.1, 0.2, 0.2].map(Math.fround));
  const t = Float32Array.from([0.05, -0.02, 0.1, 0.3]);
  normalizeTargets(t, [2], st);
  assert.ok(Math.abs(t[0] - 0.5) < 1e-6 && Math.abs(t[2] - 0.5) < 1e-6 && Math.abs(t[3] - 1.5) < 1e-6);
  const row = new Float32Array(12);
  row.set(t, 8);
  unnormalizeDeltas(row, st);
  assert.ok(Math.abs(row[8] - 0.05) < 1e-7 && Math.abs(row[11] - 0.3) < 1e-6);
});

test('folding: the folded layer predicts std·d + mean of the unfolded one (float64 oracle)', () => {
  const rng = new fr.Rng(3);
  const K1 = 3,
    D = 5;
  const W = Float32Array.from({ length: 4 * K1 * D }, () => rng.normal(0, 0.1)),
    b = Float32Array.from({ length: 4 * K1 }, () => rng.normal(0, 0.1));
  const stats = {
    means: Float32Array.from({ length: 4 * K1 }, () => rng.normal(0, 0.1)),
    stds: Float32Array.from({ length: 4 * K1 }, () => rng.uniform(0.05, 0.5)),
  };
  const f = foldBboxStats(W, b, stats);
  const h = Array.from({ length: D }, () => rng.normal(0, 1));
  for (let r = 0; r < 4 * K1; r++) {
    let d = b[r],
      df = f.bias[r];
    for (let j = 0; j < D; j++) {
      d += W[r * D + j] * h[j];
      df += f.weight[r * D + j] * h[j];
    }
    const want = d * stats.stds[r] + stats.means[r];
    assert.ok(Math.abs(df - want) < 1e-6, `row ${r}: ${df} vs ${want}`);
  }
});

test('a saved model predicts the raw deltas of the unsaved (normalized) one', () => {
  const cfg = baseConfig();
  cfg.model.backbone.stages = [[4], [8]];
  cfg.model.fc = [16, 16];
  const model = createModel(cfg, ['a', 'b']);
  const rng = new fr.Rng(4);
  // Make bbox_pred non-trivial so the check can fail.
  const bw = model.bboxPred.weight,
    bb = model.bboxPred.bias!;
  bw.assign(fr.randomNormal(bw.shape, 0, 0.2, { rng }));
  bb.assign(fr.randomNormal(bb.shape, 0, 0.2, { rng }));
  model.bboxMeans = Float32Array.from({ length: 12 }, () => rng.normal(0, 0.1));
  model.bboxStds = Float32Array.from({ length: 12 }, () => rng.uniform(0.1, 0.3));
  model.eval();
  const x = fr.randomNormal([1, 3, 32, 40], 0, 1, { rng });
  const rois = fr.tensor([
    [0, 2, 3, 20, 25],
    [0, 10, 0, 39, 31],
  ]);
  const raw = (m: typeof model) =>
    fr.noGrad(() => {
      const out = m.head(m.pool(m.forward(x), rois));
      return out.bboxPred.dataSync() as Float32Array;
    });
  const want = unnormalizeDeltas(Float32Array.from(raw(model)), { means: model.bboxMeans, stds: model.bboxStds });
  const loaded = modelFromBytes(modelToBytes(model, cfg)).model;
  assert.is(loaded.bboxMeans, null);
  const got = raw(loaded);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-5, `${i}: ${got[i]} vs ${want[i]}`);
  model.dispose();
  loaded.dispose();
  x.dispose();
  rois.dispose();
});

test.run();
