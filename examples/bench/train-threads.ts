// Data-parallel gradient threads (src/app/threads/gradWorker.ts) against the kernel threads
// (src/backends/wasm/threads.ts), and both, on the demo's recipe: a small synthetic VOC set at the
// demo's image size, the 'shapes' preset, Fast R-CNN iterations only (no pre-training, no
// validation); then the test step: two detection threads (one image each) against one detection
// thread with two kernel threads. Median seconds per iteration / per image after warm-up.
//
// Usage: node --import ./scripts/relaxed-simd.mjs --import tsx examples/bench/train-threads.ts [--iterations 30] [--images 48] [--quick]
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/app/threads/kernelThreads.js';
import { synthesize } from '../../src/app/data/synth.js';
import { proposalsStep, testStep } from '../../src/app/pipeline.js';
import { setGradientKernelThreads } from '../../src/app/threads/gradWorker.js';
import { trainDetector } from '../../src/app/train.js';
import { presetConfig } from '../../src/detection/model/presets.js';
import { parseLossCsv } from '../../src/detection/training/lossPlot.js';
import { setThreads, threadsReady } from '../../src/index.js';
import { cliArg } from './harness.js';

const quick = cliArg('quick') !== undefined;
const iterations = Number(cliArg('iterations') ?? (quick ? 12 : 30));
const images = Number(cliArg('images') ?? 48);
const dir = join(tmpdir(), `fastrcnn-train-threads-${process.pid}`);
const data = join(dir, 'data');
synthesize({ outDir: data, images, seed: 7, testFraction: 0.25, width: 160, height: 120 });
for (const split of ['trainval', 'test']) await proposalsStep({ data, split, log: () => {} });

const median = (v: number[]) => {
  const s = v.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// [gradient threads, kernel threads of each]
const combos: [number, number][] = [
  [1, 1],
  [2, 1],
  [1, 2],
  [2, 2],
];
const cfg = presetConfig('shapes');
cfg.train.pretrain.iterations = 0;
cfg.train.iterations = iterations;
const rows: string[] = [];
let base = 0;
let model = '';
for (const [workers, threads] of combos) {
  setThreads(threads);
  setGradientKernelThreads(threads);
  await threadsReady();
  const out = join(dir, `w${workers}t${threads}.safetensors`);
  const r = await trainDetector({ data, out, config: cfg, log: null, progress: 'none', workers });
  const secs = parseLossCsv(readFileSync(r.lossCsv, 'utf8')).map((l) => l.seconds);
  const s = median(secs.slice(Math.min(5, secs.length - 1)));
  r.model.dispose();
  model = out;
  if (workers === 1 && threads === 1) base = s;
  rows.push(
    `train  gradient threads ${workers} × kernel threads ${threads}: ${(s * 1000).toFixed(0)} ms/iteration  (${(base / s).toFixed(2)}x of 1 × 1)`,
  );
  console.log(rows[rows.length - 1]);
}
setGradientKernelThreads(null);

// the test step: one image per detection thread, or one thread with kernel threads
let testBase = 0;
for (const [workers, threads] of [
  [1, 1],
  [2, 1],
  [1, 2],
] as const) {
  setThreads(threads);
  await threadsReady();
  testStep({ model, data, split: 'test', log: () => {}, workers }); // warm-up
  const t0 = performance.now();
  const r = testStep({ model, data, split: 'test', log: () => {}, workers });
  const perImage = (performance.now() - t0) / r.images;
  if (workers === 1 && threads === 1) testBase = perImage;
  rows.push(
    `test   detection threads ${workers} × kernel threads ${threads}: ${perImage.toFixed(1)} ms/image  (${(testBase / perImage).toFixed(2)}x of 1 × 1)`,
  );
  console.log(rows[rows.length - 1]);
}
setThreads(null);
console.log(`\n${rows.join('\n')}`);
rmSync(dir, { recursive: true, force: true });
process.exit(0);
