// `fastrcnn train` as a library call (Node): read the split, decode the images, load or compute the
// proposals, build the roidb, then run the Trainer with a progress bar (loss terms, s/iter, ETA), the
// loss written as CSV and an SVG plot, atomic checkpoints (weights, momentum, iteration, generator
// states, data order) every snapshotIters and at the end, --resume from the checkpoint, and a clear
// stop on a NaN/Inf loss that keeps the last good checkpoint. The model file is written at the end
// with the target normalization folded into bbox_pred.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join, basename, extname } from 'node:path';
import type { RgbImage } from '../data/types.js';
import { type FastRcnnConfig, defaultConfig, validateConfig } from './config.js';
import { decodeImages, defaultProposalsDir, proposalsFor, readSplit } from './dataset.js';
import { atomicWrite, readFileChecked, saveModel } from './files.js';
import { LOSS_CSV_HEADER, lossCsvRow, lossSvg, parseLossCsv } from './lossPlot.js';
import { buildRoidb, type RoidbEntry } from './minibatch.js';
import { type FastRCNN, createModel } from './model.js';
import { type IterationLog, NonFiniteLossError, Trainer } from './trainer.js';
import { GradientWorker } from './gradWorker.js';

export interface TrainOptions {
  /** VOC directory. */
  data: string;
  /** Image set (default 'trainval'). */
  split?: string;
  /** Model file to write. */
  out: string;
  config?: FastRcnnConfig;
  /** Class list (default: the dataset's classes.txt or the sorted names in its annotations). */
  classes?: string[];
  /** Proposals cache (default <data>/proposals); missing files are computed. */
  proposalsDir?: string;
  /** Checkpoint file (default <out>.ckpt). */
  checkpoint?: string;
  /** Continue from the checkpoint (an error when there is none). */
  resume?: boolean;
  /** Stop after this many iterations in this call, writing a checkpoint (tests, time-sliced runs). */
  stopAfter?: number;
  /** Where messages go (default console.log); null silences. */
  log?: ((msg: string) => void) | null;
  /** Progress display: 'bar' (TTY), 'lines' (a line every ~5%), 'none'. Default: bar on a TTY, else lines. */
  progress?: 'bar' | 'lines' | 'none';
  /**
   * Threads computing gradients (1 or 2; default 1: the sync costs ~15 ms an iteration). Each mini-batch
   * image (or half of the crops) goes to one thread. Results are deterministic for a given count.
   */
  workers?: number;
}

export interface TrainResult {
  model: FastRCNN;
  config: FastRcnnConfig;
  /** Written model file, or null when stopped early (stopAfter). */
  modelPath: string | null;
  checkpoint: string;
  lossCsv: string;
  lossSvg: string;
  iterations: number;
  seconds: number;
  /** Mean seconds per iteration over this call. */
  secondsPerIter: number;
  last: IterationLog | null;
  warnings: string[];
}

/** Paths derived from the model path: <stem>.ckpt, <stem>.loss.csv, <stem>.loss.svg. */
export function trainPaths(out: string, checkpoint?: string): { checkpoint: string; csv: string; svg: string } {
  const stem = join(dirname(out), basename(out, extname(out)));
  return { checkpoint: checkpoint ?? `${stem}.ckpt`, csv: `${stem}.loss.csv`, svg: `${stem}.loss.svg` };
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  s = Math.max(0, Math.round(s));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), ss = s % 60;
  return `${h ? `${h}:${String(m).padStart(2, '0')}` : m}:${String(ss).padStart(2, '0')}`;
}

/** One progress line: bar, iteration, loss terms, accuracy, LR, s/iter and ETA. */
export function progressLine(l: IterationLog, total: number, secPerIter: number, width = 24): string {
  const done = l.iteration + 1, f = done / total, fill = Math.round(f * width);
  const bar = '='.repeat(Math.max(0, fill - 1)) + (fill ? '>' : '') + ' '.repeat(width - fill);
  return `[${bar}] ${done}/${total}${l.phase === 'pretrain' ? ' pretrain' : ''} loss ${l.loss.toFixed(3)} (cls ${l.lossCls.toFixed(3)} loc ${l.lossLoc.toFixed(3)}) ` +
    `acc fg ${(l.fgAcc * 100).toFixed(0)}% bg ${(l.bgAcc * 100).toFixed(0)}% lr ${l.lr.toPrecision(2)} ` +
    `${secPerIter.toFixed(2)} s/it ETA ${fmtTime((total - done) * secPerIter)}`;
}

export function trainDetector(opts: TrainOptions): TrainResult {
  const t0 = performance.now();
  const log = opts.log === null ? () => {} : opts.log ?? ((m: string) => console.log(m));
  const cfg = validateConfig(structuredClone(opts.config ?? defaultConfig()));
  const split = opts.split ?? 'trainval';
  const paths = trainPaths(opts.out, opts.checkpoint);
  if (opts.resume && !existsSync(paths.checkpoint)) throw new Error(`--resume: no checkpoint at ${paths.checkpoint}`);

  const ds = readSplit(opts.data, split, opts.classes);
  const warnings = [...ds.warnings];
  const { records, images } = decodeImages(ds.records, warnings);
  if (!records.length) throw new Error(`no usable images in split '${split}' of ${opts.data}`);
  const propDir = opts.proposalsDir ?? defaultProposalsDir(opts.data);
  const tp = performance.now();
  const proposals = proposalsFor(records, (r) => images.get(r.id)!, { dir: propDir }, warnings);
  const propSecs = (performance.now() - tp) / 1000;
  const roidb = buildRoidb(records, proposals, ds.classes, cfg);
  warnings.push(...roidb.warnings);
  const nFg = roidb.entries.reduce((n, e) => n + e.numGt, 0);
  log(`train: ${records.length} images of '${split}' (${roidb.entries.length} with flips), ${ds.classes.length} classes [${ds.classes.join(', ')}], ` +
    `${nFg} ground-truth boxes, proposals from ${propDir} (${propSecs.toFixed(1)} s)`);
  if (warnings.length) log(`train: ${warnings.length} warning(s):\n  ${warnings.slice(0, 10).join('\n  ')}${warnings.length > 10 ? `\n  ... ${warnings.length - 10} more` : ''}`);

  const model = createModel(cfg, ds.classes);
  const workers = Math.max(1, Math.min(2, opts.workers ?? 1));
  const parallel = workers >= 2 ? new GradientWorker(model, cfg) : null;
  const trainer = new Trainer(model, roidb, cfg, (e: RoidbEntry): RgbImage => images.get(e.id)!, parallel);
  let logs: IterationLog[] = [];
  if (opts.resume) {
    trainer.restore(readFileChecked(paths.checkpoint, 'checkpoint'), paths.checkpoint);
    if (existsSync(paths.csv)) logs = parseLossCsv(readFileSync(paths.csv, 'utf8')).filter((l) => l.iteration < trainer.iteration);
    log(`train: resumed from ${paths.checkpoint} at iteration ${trainer.iteration}`);
  }
  atomicWrite(paths.csv, [LOSS_CSV_HEADER, ...logs.map(lossCsvRow)].join('\n') + '\n');

  const total = trainer.totalIterations;
  const mode = opts.progress ?? (opts.log === undefined && process.stderr.isTTY ? 'bar' : 'lines');
  const counts = model.parameterCounts();
  log(`train: ${total - trainer.iteration} iterations, ${model.numParameters().toLocaleString('en-US')} parameters ` +
    `(${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}), stride ${model.stride}, LR ${cfg.train.lr}, ${workers} thread(s)`);
  const writeCheckpoint = () => {
    if (!trainer.parametersFinite()) throw new Error(`training diverged before iteration ${trainer.iteration}: parameters are not finite; the last good checkpoint is ${paths.checkpoint}`);
    atomicWrite(paths.checkpoint, trainer.checkpointBytes());
    atomicWrite(paths.svg, lossSvg(logs));
  };
  const start = trainer.iteration, tLoop = performance.now();
  let last: IterationLog | null = null, ran = 0, ema = 0;
  const every = Math.max(1, Math.round(total / 20));
  try {
    while (!trainer.done && (opts.stopAfter === undefined || ran < opts.stopAfter)) {
      const l = trainer.step();
      ran++;
      last = l; logs.push(l);
      appendFileSync(paths.csv, lossCsvRow(l) + '\n');
      ema = ran === 1 ? l.seconds : 0.9 * ema + 0.1 * l.seconds;
      if (mode === 'bar') process.stderr.write(`\r${progressLine(l, total, ema)}\x1b[K`);
      else if (mode === 'lines' && ((l.iteration + 1) % every === 0 || trainer.done)) log(progressLine(l, total, ema));
      const snap = cfg.train.snapshotIters;
      if (snap > 0 && trainer.iteration % snap === 0 && !trainer.done) writeCheckpoint();
    }
  } catch (e) {
    if (mode === 'bar') process.stderr.write('\n');
    trainer.dispose();
    atomicWrite(paths.svg, lossSvg(logs));
    if (e instanceof NonFiniteLossError) {
      const have = existsSync(paths.checkpoint) ? `the last good checkpoint is ${paths.checkpoint}` : 'no checkpoint was written yet (set train.snapshotIters)';
      throw new Error(`${e.message} Training stopped; ${have}.`);
    }
    throw e;
  }
  if (mode === 'bar') process.stderr.write('\n');
  writeCheckpoint();
  const loopSecs = (performance.now() - tLoop) / 1000;
  let modelPath: string | null = null;
  if (trainer.done) {
    saveModel(opts.out, model, cfg, { trainedIterations: String(trainer.iteration), trainSplit: split });
    modelPath = opts.out;
    log(`train: model written to ${opts.out} (loss curve ${paths.csv}, ${paths.svg}; checkpoint ${paths.checkpoint})`);
  } else {
    log(`train: stopped at iteration ${trainer.iteration} of ${total}; checkpoint ${paths.checkpoint} (continue with --resume)`);
  }
  trainer.dispose();
  return {
    model, config: cfg, modelPath, checkpoint: paths.checkpoint, lossCsv: paths.csv, lossSvg: paths.svg,
    iterations: trainer.iteration - start, seconds: (performance.now() - t0) / 1000,
    secondsPerIter: ran ? loopSecs / ran : 0, last, warnings,
  };
}
