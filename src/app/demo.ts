// The demo (`npm run demo`): synthesize a dataset, compute proposals, train, test on the held-out
// split, detect one test image and draw it; every step timed, every output's path reported.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { synthesize } from './data/synth.js';
import { readVoc } from './data/voc.js';
import type { FastRcnnConfig } from '../detection/model/config.js';
import { presetConfig } from '../detection/model/presets.js';
import type { ApTable } from '../detection/testing/evaluate.js';
import { detectStep } from './detectStep.js';
import { proposalsStep, testStep } from './pipeline.js';
import { defaultWorkers } from './threads/parallel.js';
import { trainDetector } from './train.js';
import type { RecallReport } from '../proposals/recall.js';

export interface DemoOptions {
  /** Output folder (default ./out/demo, which git ignores). */
  out?: string;
  images?: number;
  testFraction?: number;
  seed?: number;
  config?: FastRcnnConfig;
  log?: (msg: string) => void;
  tty?: boolean;
  /** Threads computing gradients while training and running the detector while testing (default: 2 where the machine has 2 or more cores). */
  workers?: number;
}

export interface DemoResult {
  table: ApTable;
  steps: { name: string; seconds: number }[];
  seconds: number;
  recall: { trainval: RecallReport; test: RecallReport };
  paths: Record<string, string>;
  secondsPerIter: number;
}

/** Demo dataset: 1800 images of 160×120 (1600 trainval, 200 test). */
export const DEMO_IMAGES = 1800;
const DEMO_TEST_FRACTION = 1 / 9;
const DEMO_IMAGE_SIZE = { width: 160, height: 120 };

const MARKER = '.fastrcnn-demo';

export async function runDemo(o: DemoOptions = {}): Promise<DemoResult> {
  const log = o.log ?? console.log;
  const out = o.out ?? join('out', 'demo');
  const data = join(out, 'data');
  if (existsSync(data) && readdirSync(data).length && !existsSync(join(data, MARKER))) {
    throw new Error(`demo: ${data} exists and was not written by the demo; choose another --out`);
  }
  // Stale proposals or results of an earlier demo with other settings must not be reused.
  for (const d of ['proposals', 'results']) rmSync(join(data, d), { recursive: true, force: true });
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, MARKER), 'written by fastrcnn demo\n');
  const cfg = o.config ?? presetConfig('shapes');
  const steps: DemoResult['steps'] = [];
  const t0 = performance.now();
  const timed = async <T>(name: string, fn: () => T | Promise<T>): Promise<T> => {
    const s = performance.now();
    log(`\n== ${name}`);
    const r = await fn();
    steps.push({ name, seconds: (performance.now() - s) / 1000 });
    log(`== ${name}: ${((performance.now() - s) / 1000).toFixed(1)} s`);
    return r;
  };

  const images = o.images ?? DEMO_IMAGES;
  const synth = await timed('synth', () =>
    synthesize({ outDir: data, images, seed: o.seed ?? 1, testFraction: o.testFraction ?? DEMO_TEST_FRACTION, ...DEMO_IMAGE_SIZE }),
  );
  log(`${images} images (${synth.splits.trainval.length} trainval, ${synth.splits.test.length} test), classes ${synth.classes.join(', ')}`);
  const pTrain = await timed('proposals (trainval)', () => proposalsStep({ data, split: 'trainval', log, tty: o.tty }));
  const pTest = await timed('proposals (test)', () => proposalsStep({ data, split: 'test', log, tty: o.tty }));
  for (const [n, r] of [
    ['trainval', pTrain],
    ['test', pTest],
  ] as const) {
    log(
      `proposals ${n}: recall@0.5 ${(r.recall.recall[0] * 100).toFixed(1)}%, @0.7 ${(r.recall.recall[1] * 100).toFixed(1)}%, ${r.recall.meanBoxesPerImage.toFixed(0)} boxes/image`,
    );
  }
  const modelPath = join(out, 'model.safetensors');
  const tr = await timed('train', () =>
    trainDetector({
      data,
      out: modelPath,
      config: cfg,
      preset: 'shapes',
      log,
      progress: o.tty ? 'bar' : 'lines',
      workers: o.workers ?? defaultWorkers(2),
    }),
  );
  const results = join(out, 'results');
  const te = await timed('test', () =>
    testStep({
      model: { model: tr.model, config: tr.config },
      data,
      split: 'test',
      results,
      log,
      tty: o.tty,
      workers: o.workers ?? defaultWorkers(2),
    }),
  );
  const first = synth.splits.test[0];
  const imagePath = readVoc(data, { split: 'test' }).records.find((r) => r.id === first)!.imagePath;
  const picture = join(out, 'detections.png');
  const det = await timed('detect', () =>
    detectStep({ model: modelPath, image: imagePath, out: picture, proposals: join(data, 'proposals', `${first}.json`) }),
  );
  tr.model.dispose();
  return {
    table: te.table,
    steps,
    seconds: (performance.now() - t0) / 1000,
    secondsPerIter: tr.secondsPerIter,
    recall: { trainval: pTrain.recall, test: pTest.recall },
    paths: {
      data,
      model: modelPath,
      checkpoint: tr.checkpoint,
      lossCsv: tr.lossCsv,
      lossSvg: tr.lossSvg,
      results: te.resultsDir,
      picture: det.picture,
      detectionsJson: det.json,
      image: imagePath,
    },
  };
}
