// Acceptance: a small CNN trained with the engine (conv, pool, linear, autograd, SGD) learns to tell
// rendered shapes apart: ≥ 95% held-out accuracy within a fixed step budget (which runs in well under
// 30 s here; the time is printed, not asserted: tests never assert timings).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.js';
import '../helpers/backend.js';

const test = suite('nn: small CNN learns rendered shapes');
const S = 16;
const CLASSES = 4; // filled square, filled disc, hollow square, plus

function render(cls: number, rng: fr.Rng): Float32Array {
  const img = new Float32Array(S * S);
  for (let i = 0; i < img.length; i++) img[i] = rng.uniform(-0.3, 0.3); // noise background
  const r = rng.uniform(3.5, 6),
    cx = rng.uniform(r, S - r),
    cy = rng.uniform(r, S - r);
  const v = rng.uniform(0.6, 1.2) * (rng.next() < 0.5 ? 1 : -1); // bright or dark: shape, not contrast, decides
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      const dx = x + 0.5 - cx,
        dy = y + 0.5 - cy;
      let on = false;
      if (cls === 0) on = Math.abs(dx) < r * 0.8 && Math.abs(dy) < r * 0.8;
      else if (cls === 1) on = dx * dx + dy * dy < r * r;
      else if (cls === 2) on = Math.max(Math.abs(dx), Math.abs(dy)) < r && Math.max(Math.abs(dx), Math.abs(dy)) > r - 1.6;
      else on = (Math.abs(dx) < 1 && Math.abs(dy) < r) || (Math.abs(dy) < 1 && Math.abs(dx) < r);
      if (on) img[y * S + x] += v;
    }
  return img;
}

function batch(n: number, rng: fr.Rng): { x: fr.Tensor; y: fr.Tensor; labels: number[] } {
  const data = new Float32Array(n * S * S),
    labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % CLASSES;
    labels.push(c);
    data.set(render(c, rng), i * S * S);
  }
  return { x: fr.tensor(data, [n, 1, S, S]), y: fr.tensor(Int32Array.from(labels), [n], 'int32'), labels };
}

test('≥ 95% held-out accuracy within 400 steps of 32 images', () => {
  const t0 = Date.now();
  const rng = new fr.Rng(7);
  const net = new fr.Sequential([
    new fr.Conv2d(1, 8, 3, { padding: 1, rng, weightInit: fr.kaiming }),
    new fr.ReLU(),
    new fr.MaxPool2d(2),
    new fr.Conv2d(8, 16, 3, { padding: 1, rng, weightInit: fr.kaiming }),
    new fr.ReLU(),
    new fr.MaxPool2d(2),
    new fr.Flatten(),
    new fr.Linear(16 * 4 * 4, 32, { rng, weightInit: fr.kaiming }),
    new fr.ReLU(),
    new fr.Linear(32, CLASSES, { rng }),
  ]);
  const opt = new fr.SGD(net.parameters(), { lr: 0.05, momentum: 0.9, weightDecay: 1e-4 });
  const test = batch(400, new fr.Rng(999));
  let acc = 0,
    steps = 0;
  for (; steps < 400; steps++) {
    opt.lr = fr.stepLr({ baseLr: 0.05, steps: [300], warmupIters: 20 }, steps);
    const b = batch(32, rng);
    const loss = fr.tidy(() => fr.softmaxCrossEntropy(net.forward(b.x), b.y));
    loss.backward();
    opt.step();
    opt.zeroGrad();
    loss.dispose();
    b.x.dispose();
    b.y.dispose();
    if (steps % 50 === 49) {
      net.eval();
      const pred = fr.noGrad(() => fr.tidy(() => fr.argMax(net.forward(test.x), 1))).dataSync();
      net.train();
      acc = test.labels.filter((l, i) => pred[i] === l).length / test.labels.length;
      if (acc >= 0.97) break;
    }
  }
  const secs = (Date.now() - t0) / 1000;
  console.log(`\n    small CNN: ${(acc * 100).toFixed(1)}% held-out after ${steps + 1} steps in ${secs.toFixed(1)} s`);
  assert.ok(acc >= 0.95, `held-out accuracy ${acc}`);
  net.dispose();
  opt.dispose();
  test.x.dispose();
  test.y.dispose();
});

test.run();
