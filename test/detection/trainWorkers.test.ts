// Two gradient threads (trainDetector workers: 2, the demo's default on a 2-core machine): a worker
// thread computes the gradients of every other part of the mini-batch (images in Fast R-CNN, blocks
// of crops in pre-training) from the main thread's weights. The run must follow the single-thread
// run: same losses and the same weights after pre-training and Fast R-CNN steps with hard example
// mining, up to float rounding (the worker's gradient sum is added as one term).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../src/index.js';
import '../helpers/backend.js';
import { createModel } from '../../src/detection/model/fastRcnn.js';
import { trainDetector } from '../../src/app/train.js';
import { parseLossCsv } from '../../src/detection/training/lossPlot.js';
import { tempDir, tinyConfig, tinyDataset } from './helpers.js';

const test = suite('detection: training on two threads');
const data = tinyDataset(8, 13);

test('workers: 2 gives the single-thread losses and weights (pre-training, then Fast R-CNN with hard mining)', async () => {
  const cfg = tinyConfig(5);
  cfg.model.dropout = 0; // dropout masks are drawn per thread
  cfg.train.pretrain.iterations = 3;
  cfg.train.pretrain.batch = 8;
  cfg.train.hardMining = { candidates: 40, nms: 0.7 };
  const run = async (workers: number) => {
    const dir = tempDir(`w${workers}`);
    const r = await trainDetector({ data, out: join(dir, 'm.safetensors'), config: cfg, log: null, progress: 'none', workers });
    const w = r.model.namedParameters().map((p) => ({ name: p.name, v: Float32Array.from(p.tensor.dataSync() as Float32Array) }));
    r.model.dispose();
    return { w, log: parseLossCsv(readFileSync(r.lossCsv, 'utf8')) };
  };
  const one = await run(1),
    two = await run(2);
  assert.is(two.log.length, 8);
  assert.equal(
    two.log.map((l) => l.phase),
    one.log.map((l) => l.phase),
  );
  two.log.forEach((l, i) =>
    assert.ok(
      Math.abs(l.loss - one.log[i].loss) <= 1e-4 * Math.abs(one.log[i].loss),
      `iteration ${i}: loss ${l.loss} vs ${one.log[i].loss}`,
    ),
  );
  const init = createModel(cfg, ['circle', 'cross', 'ring', 'square', 'star', 'triangle']);
  const w0 = init.namedParameters().map((p) => Float32Array.from(p.tensor.dataSync() as Float32Array));
  init.dispose();
  let moved = 0;
  two.w.forEach((p, k) => {
    p.v.forEach((v, j) => {
      moved = Math.max(moved, Math.abs(v - w0[k][j]));
    });
    let d = 0,
      m = 0;
    p.v.forEach((v, j) => {
      d = Math.max(d, Math.abs(v - one.w[k].v[j]));
      m = Math.max(m, Math.abs(one.w[k].v[j]));
    });
    assert.ok(d <= 1e-4 * Math.max(m, 1e-3), `${p.name}: weights differ by ${d} (max |w| ${m})`);
  });
  assert.ok(moved > 1e-3, 'training moved the weights');
});

test.run();
