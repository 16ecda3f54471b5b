// One training run in the worker, from a dataset to a model file and its detections on the test
// picture: proposals (Selective Search, fast mode), the config (a preset with the page's iteration
// counts), the Trainer stepped with pauses so the worker hears "stop", validation mAP (VOC07) at
// quarters of the run, the model bytes, then detection with the model read back from those bytes
// (exactly what a user of the downloaded file gets).
import {
  DEFAULT_SS_OPTIONS,
  type FastRcnnConfig,
  type IterationLog,
  NonFiniteLossError,
  Trainer,
  buildRoidb,
  createModel,
  detect,
  mergeConfig,
  modelFromBytes,
  modelToBytes,
  presetConfig,
  selectiveSearch,
  validateConfig,
} from '../../../src/index.js';
import { datasetStats, resolveScales } from '../../../src/detection/model/dataScales.js';
import { validateWith } from '../../../src/detection/training/validation.js';
import type { Dataset } from './data.js';
import type { FromWorker, TrainOptions } from './protocol.js';

interface RunIo {
  post: (m: FromWorker, transfer?: Transferable[]) => void;
  /** True once the page asked to stop. */
  stopped: () => boolean;
}

/** Lets queued messages (the page's "stop") in; a MessageChannel hop is not clamped like nested timers. */
function pause(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(null);
  });
}
/** Between work items, pause at most this often (ms). */
const PAUSE_EVERY = 100;
/** Loss rows go to the page at most this often (ms): it redraws the plot per message. */
const POST_EVERY = 250;

/** The dataset's preset with the page's iteration counts and seed, sizes from the data where the preset leaves them open. */
function trainConfig(ds: Dataset, o: TrainOptions): FastRcnnConfig {
  const base = presetConfig(ds.preset);
  const cfg = mergeConfig(base, {
    train: {
      iterations: o.iterations,
      seed: o.seed,
      // A short run spends at most a tenth of itself warming up.
      warmupIters: Math.min(base.train.warmupIters, Math.round(o.iterations / 10)),
      pretrain: { iterations: o.pretrain, ratio: 0 },
    },
  });
  return validateConfig(resolveScales(cfg, datasetStats(ds.train)).config);
}

/** Selective Search on every training and validation image, with progress (a stop now ends the worker). */
function proposalsOf(ds: Dataset, io: RunIo): Map<string, Float32Array> {
  const all = [...ds.train, ...ds.val];
  const out = new Map<string, Float32Array>();
  let last = performance.now();
  for (let i = 0; i < all.length; i++) {
    out.set(all[i].id, selectiveSearch(ds.images.get(all[i].id)!, DEFAULT_SS_OPTIONS));
    if (performance.now() - last > POST_EVERY) {
      io.post({ type: 'stage', text: `Selective Search: image ${i + 1} of ${all.length}…` });
      last = performance.now();
    }
  }
  return out;
}

export async function runTraining(ds: Dataset, o: TrainOptions, io: RunIo): Promise<void> {
  const t0 = performance.now();
  const proposals = proposalsOf(ds, io);
  const cfg = trainConfig(ds, o);
  const roidb = buildRoidb(ds.train, proposals, ds.classes, cfg);
  const boxes = [...proposals.values()].reduce((n, p) => n + p.length / 4, 0) / proposals.size;
  io.post({
    type: 'data',
    summary:
      `${ds.summary}; ${Math.round(boxes)} proposals per image (${((performance.now() - t0) / 1000).toFixed(1)} s); ` +
      `training scale ${cfg.train.scales.join('/')}, test scales ${cfg.test.scales.join('/')}`,
    warnings: [...ds.warnings, ...roidb.warnings],
  });
  const model = createModel(cfg, ds.classes);
  const trainer = new Trainer(model, roidb, cfg, (e) => ds.images.get(e.id)!);
  const P = cfg.train.pretrain.iterations,
    T = cfg.train.iterations;
  const valAt = new Set([0.25, 0.5, 0.75, 1].map((f) => Math.max(1, Math.round(f * T))));
  const valSet = { records: ds.val, image: (r: { id: string }) => ds.images.get(r.id), proposals, workers: 1 };
  let pending: IterationLog[] = [];
  let lastPost = performance.now(),
    lastPause = lastPost,
    lastVal = -1;
  const flush = () => {
    io.post({ type: 'logs', logs: pending, total: trainer.totalIterations });
    pending = [];
    lastPost = performance.now();
  };
  const validate = (l: IterationLog) => {
    io.post({ type: 'stage', text: `Validating on ${ds.val.length} images…` });
    const table = validateWith(model, cfg, valSet);
    l.valMap07 = table.map07;
    lastVal = l.iteration;
    io.post({ type: 'validation', iteration: Math.max(0, trainer.iteration - P), table });
  };
  let last: IterationLog | null = null;
  try {
    io.post({ type: 'stage', text: `Training: ${P ? `${P} pre-training steps, then ` : ''}${T} iterations…` });
    while (!trainer.done && !io.stopped()) {
      const l = trainer.step();
      last = l;
      pending.push(l);
      const doneT = trainer.iteration - P;
      if (doneT > 0 && valAt.has(doneT)) validate(l);
      if (performance.now() - lastPost > POST_EVERY || l.valMap07 !== undefined) flush();
      if (performance.now() - lastPause > PAUSE_EVERY) {
        await pause();
        lastPause = performance.now();
      }
    }
    // Stopped early: the model as it is now is still measured (and offered).
    if (last && lastVal !== last.iteration) validate(last);
    flush();
  } catch (e) {
    trainer.dispose();
    model.dispose();
    // The page has no LR setting: say where it is.
    throw e instanceof NonFiniteLossError
      ? new Error(`${e.message} (The page trains with its preset's LR; \`fastrcnn train --set\` changes it.)`)
      : e;
  }
  const bytes = modelToBytes(model, cfg, {
    trainedIterations: String(trainer.iteration),
    preset: ds.preset,
    trainedIn: 'browser',
    ...(last?.valMap07 !== undefined ? { valMap07: String(last.valMap07) } : {}),
  });
  trainer.dispose();
  model.dispose();

  io.post({ type: 'stage', text: `Detecting on ${ds.test.name}…` });
  const loaded = modelFromBytes(bytes, { source: 'model.safetensors' });
  try {
    const r = detect(loaded.model, ds.test.image, selectiveSearch(ds.test.image, DEFAULT_SS_OPTIONS), loaded.config);
    io.post({ type: 'model', bytes, seconds: (performance.now() - t0) / 1000 }, [bytes.buffer]);
    io.post({ type: 'detections', test: ds.test, detections: r.detections });
  } finally {
    loaded.model.dispose();
  }
}
