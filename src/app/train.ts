// `fastrcnn train` as a library call (Node): read the data (trainData.ts: splits, images, proposals,
// the scales the config leaves to the data, the roidb), plan the iterations
// (dataset-size rule or a time budget, re-planned from measured step times), then run the Trainer with
// a progress bar (loss terms, s/iter, ETA), the loss as CSV and an SVG plot, validation mAP on a
// held-out split with the best model kept, atomic checkpoints (weights, momentum, iteration,
// generator states, data order) every snapshotIters / snapshotSeconds, on SIGINT/SIGTERM and at the
// end, --resume from the checkpoint, and a clear stop on a NaN/Inf loss that keeps the last good
// checkpoint. The model file is written at the end with the target normalization folded into bbox_pred.
import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RgbImage } from '../data/types.js';
import type { VocRecord } from './data/voc.js';
import { type FastRcnnConfig, baseConfig, unresolvedKeys, validateConfig } from '../detection/model/config.js';
import { atomicWrite, readFileChecked, removeOrphanTemps, saveModel } from './files.js';
import { LOSS_CSV_HEADER, lossCsvRow, lossSvg, parseLossCsv } from '../detection/training/lossPlot.js';
import type { RoidbEntry } from '../detection/training/minibatch.js';
import { type FastRCNN, createModel } from '../detection/model/fastRcnn.js';
import { modelToBytes } from '../detection/model/modelFile.js';
import { type InitReport, formatInitReport, initFromBytes } from '../detection/model/initFrom.js';
import { defaultWorkers } from './threads/parallel.js';
import { BudgetPlanner, ITERATION_RULE, MIN_ITERATIONS, iterationsForDataset, remainingSeconds } from '../detection/training/planner.js';
import { type IterationLog, NonFiniteLossError, Trainer } from '../detection/training/trainer.js';
import { fmtTime, progressLine, trainPaths } from './trainProgress.js';
import { GradientWorker } from './threads/gradWorker.js';
import { type Log, type RunMeta, readCheckpointMeta, readTrainingData } from './trainData.js';
import { validate } from './validation.js';

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
  /**
   * A safetensors file (path or bytes) whose tensors initialize the parameters of the same names
   * before training (a pretrained start: e.g. VGG16's conv layers converted by python/fastrcnn_torch).
   * Shape mismatches are errors; the report is logged and returned. Not applied on resume (the
   * checkpoint holds the weights).
   */
  initFrom?: string | Uint8Array;
  /** Stop after this many iterations in this call, writing a checkpoint (tests, time-sliced runs). */
  stopAfter?: number;
  /** Where messages go (default console.log); null silences. */
  log?: ((msg: string) => void) | null;
  /** Progress display: 'bar' (TTY), 'lines' (a line every ~5%), 'none'. Default: bar on a TTY, else lines. */
  progress?: 'bar' | 'lines' | 'none';
  /**
   * Threads computing gradients, computing missing proposals and validating (1 or 2; default 2 where
   * the machine has 2 or more cores). Each mini-batch image (or half of the crops) goes to one
   * thread. Results are deterministic for a given count.
   */
  workers?: number;
  /**
   * Seconds the whole call may take (reading the data and proposals, training, validation, writing):
   * pre-training steps and Fast R-CNN iterations are planned to fit and re-planned as the run measures
   * itself. Replaces train.iterations. On --resume: the time for this call (default: what the
   * interrupted run had left).
   */
  timeBudget?: number;
  /** Validation split, or 'auto' to hold out part of the training split (seeded by train.seed). */
  valSplit?: string;
  /** Validate every this many Fast R-CNN iterations (default: at 20, 40, 60, 80 and 100% of the run), and at the end. */
  valEvery?: number;
  /** Preset name recorded in the model file. */
  preset?: string;
  /**
   * Stop cleanly on SIGINT/SIGTERM: finish the step, write the checkpoint, return interrupted (the
   * CLI). Default false (a library caller handles its own signals; see also `shouldStop`).
   */
  handleSignals?: boolean;
  /** Polled after every step; true stops the run as a signal would (checkpoint written). */
  shouldStop?: () => boolean;
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
  /** True when a signal or shouldStop ended the run early (a checkpoint was written). */
  interrupted: boolean;
  /** Validation results, in order, and the best model's file (null without validation). */
  validation: { iteration: number; map07: number }[];
  bestPath: string | null;
  /** Pre-training steps and Fast R-CNN iterations as finally planned. */
  plan: { pretrain: number; iterations: number };
  /** What initFrom loaded, left at its initialization and ignored (null without initFrom, or on resume). */
  init: InitReport | null;
}

export async function trainDetector(opts: TrainOptions): Promise<TrainResult> {
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  const log: Log = opts.log === null ? () => {} : (opts.log ?? ((m: string) => console.log(m)));
  const split = opts.split ?? 'trainval';
  const paths = trainPaths(opts.out, opts.checkpoint);
  if (opts.resume && !existsSync(paths.checkpoint)) throw new Error(`--resume: no checkpoint at ${paths.checkpoint}`);
  if (existsSync(opts.out) && statSync(opts.out).isDirectory())
    throw new Error(`--out ${opts.out} is a directory; give a model file path such as ${join(opts.out, 'model.safetensors')}`);
  if (opts.timeBudget !== undefined && !(opts.timeBudget > 0)) throw new Error(`time budget must be > 0 seconds, got ${opts.timeBudget}`);
  // What a run killed mid-write left behind (kill -9 during a checkpoint) goes before this run writes.
  const orphans = [opts.out, paths.checkpoint, paths.csv, paths.svg, paths.best].flatMap(removeOrphanTemps);
  if (orphans.length) log(`train: removed ${orphans.length} temp file(s) an interrupted run left: ${orphans.join(', ')}`);
  const workers = opts.workers ?? defaultWorkers(2);
  if (!Number.isInteger(workers) || workers < 1 || workers > 2) throw new Error(`workers must be 1 or 2, got ${workers}`);
  // Read before the data, so that a wrong path fails at once; checked against the model once it is built.
  const initSource = typeof opts.initFrom === 'string' ? opts.initFrom : 'initFrom bytes';
  const initBytes =
    opts.initFrom === undefined || opts.resume
      ? null
      : typeof opts.initFrom === 'string'
        ? readFileChecked(opts.initFrom, '--init-from file')
        : opts.initFrom;
  if (opts.initFrom !== undefined && opts.resume)
    log(`train: --init-from ${initSource} not applied: the run continues from the checkpoint's weights`);

  // On --resume the checkpoint's config is the run's (its scales and plan were resolved before it started).
  let cfg = validateConfig(structuredClone(opts.config ?? baseConfig()));
  let run: RunMeta = { spent: 0, budget: opts.timeBudget ?? 0, best: -1, valSplit: opts.valSplit ?? null, split };
  if (opts.resume) {
    const ck = readCheckpointMeta(paths.checkpoint);
    // The data decides the order of the mini-batches: another split would not continue the same run.
    const same = (what: string, was: string | null | undefined, now: string | null) => {
      if (was !== undefined && was !== now)
        throw new Error(
          `--resume: the checkpoint was trained with ${what} ${was ?? '(none)'}, this call asks for ${now ?? '(none)'}; give the same`,
        );
    };
    same('--split', ck.run.split, split);
    same('--val-split', ck.run.valSplit, opts.valSplit ?? null);
    const asked = cfg.train.iterations;
    cfg = ck.config;
    run = ck.run;
    if (opts.timeBudget !== undefined) run = { ...run, spent: 0, budget: opts.timeBudget };
    else if (asked > 0 && asked !== cfg.train.iterations && !run.budget) cfg.train.iterations = asked; // checked against the checkpoint below
  }

  const data = await readTrainingData(opts, split, cfg, workers, log);
  const { classes, records, images, val, valProposals, roidb, warnings } = data;
  cfg = data.config;

  // A first plan (so the trainer starts in the right phase); a budget re-plans it from measured costs.
  const budgeted = run.budget > 0;
  if (!opts.resume) {
    if (cfg.train.iterations === 0) {
      cfg.train.iterations = iterationsForDataset(records.length);
      if (!budgeted)
        log(
          `train: ${cfg.train.iterations} Fast R-CNN iterations for ${records.length} training images (${ITERATION_RULE}; --time or --iterations to choose)`,
        );
    }
    if (cfg.train.pretrain.ratio > 0) cfg.train.pretrain.iterations = Math.round(cfg.train.pretrain.ratio * cfg.train.iterations);
  }
  const open = unresolvedKeys(cfg);
  if (open.length) throw new Error(`internal: ${open.join(', ')} still unresolved`);

  const model = createModel(cfg, classes);
  let init: InitReport | null = null;
  if (initBytes) {
    try {
      init = initFromBytes(model, initBytes, { source: initSource, config: cfg });
    } catch (e) {
      model.dispose();
      throw e;
    }
    log(`train: ${formatInitReport(init)}`);
  }
  const parallel = workers >= 2 ? new GradientWorker(model, cfg) : null;
  const trainer = new Trainer(model, roidb, cfg, (e: RoidbEntry): RgbImage => images.get(e.id)!, parallel);
  let logs: IterationLog[] = [];
  if (opts.resume) {
    trainer.restore(readFileChecked(paths.checkpoint, 'checkpoint'), paths.checkpoint);
    const doneT = trainer.iteration - cfg.train.pretrain.iterations;
    if (doneT > cfg.train.iterations) {
      trainer.dispose();
      model.dispose();
      throw new Error(
        `--resume: the checkpoint is at Fast R-CNN iteration ${doneT}, past the ${cfg.train.iterations} asked for; ask for at least ${doneT}`,
      );
    }
    if (existsSync(paths.csv)) logs = parseLossCsv(readFileSync(paths.csv, 'utf8')).filter((l) => l.iteration < trainer.iteration);
    log(`train: resumed from ${paths.checkpoint} at iteration ${trainer.iteration}`);
  }
  atomicWrite(paths.csv, [LOSS_CSV_HEADER, ...logs.map(lossCsvRow)].join('\n') + '\n');

  // Seconds per step: probed now, then measured as the run goes (BudgetPlanner keeps both).
  const probe = trainer.probe();
  const valSet = val ? { records: val.records, image: (r: VocRecord) => val.images.get(r.id), proposals: valProposals, workers } : null;
  const P = () => cfg.train.pretrain.iterations,
    T = () => cfg.train.iterations;
  // Validation points: every valEvery iterations, or at fifths of the plan (so a plan that moves keeps
  // five), and at the end. Their cost is measured on two images now and on each real one later.
  const VAL_POINTS = 5;
  let valDone = 0;
  const valDue = (doneT: number) => (opts.valEvery ? doneT % opts.valEvery === 0 : doneT >= ((valDone + 1) / VAL_POINTS) * T());
  const valsLeft = () => {
    if (!valSet) return 0;
    const doneT = Math.max(0, trainer.iteration - P());
    return opts.valEvery ? Math.ceil((T() - doneT) / opts.valEvery) + 1 : VAL_POINTS - valDone;
  };
  let valSeconds = 0;
  if (valSet) {
    const few = { ...valSet, records: valSet.records.slice(0, 2), workers: 1 };
    validate(model, cfg, few);
    const s = performance.now();
    validate(model, cfg, few);
    valSeconds =
      ((((performance.now() - s) / 1000 / few.records.length) * valSet.records.length) / workers) * 1.2 + (workers > 1 ? 0.5 : 0);
  }
  const reserve = () => valsLeft() * valSeconds + 1;
  const planner = new BudgetPlanner(budgeted ? run.budget - run.spent : Infinity, cfg.train.pretrain.ratio, probe, elapsed, reserve);
  const cost = planner.cost;
  const replan = (): boolean => {
    if (!budgeted) return true;
    const c = { pretrain: P(), iterations: T(), stepFractions: cfg.train.stepFractions };
    if (!planner.replan(trainer.iteration, c)) return false;
    cfg.train.pretrain.iterations = c.pretrain;
    cfg.train.iterations = c.iterations;
    cfg.train.stepFractions = c.stepFractions;
    return true;
  };
  if (!replan()) {
    const need = run.spent + planner.minimumSeconds();
    trainer.dispose();
    model.dispose();
    throw new Error(
      `a time budget of ${fmtTime(run.budget)} is too small to train: reading the data took ${elapsed().toFixed(0)} s and ` +
        `${MIN_ITERATIONS} iterations need about ${fmtTime(need)} in all on this machine; give at least --time ${Math.ceil(need / 60)}m`,
    );
  }
  const eta = () => remainingSeconds({ iteration: trainer.iteration, pretrain: P(), iterations: T() }, cost) + reserve();
  const counts = model.parameterCounts();
  log(
    `train: ${P() ? `${P()} pre-training steps + ` : ''}${T()} iterations${budgeted ? ` planned for ${fmtTime(run.budget - run.spent)}` : ''}, ` +
      `${model.numParameters().toLocaleString('en-US')} parameters (${Object.entries(counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}), stride ${model.stride}, ` +
      `LR ${cfg.train.lr}, ${workers} thread(s); about ${cost.pretrain.toFixed(3)} s per pre-training step and ${cost.train.toFixed(3)} s per iteration: ETA ${fmtTime(eta())}`,
  );

  const bestPath = valSet ? paths.best : null;
  const validation: TrainResult['validation'] = [];
  const writeCheckpoint = () => {
    if (!trainer.parametersFinite())
      throw new Error(
        `training diverged before iteration ${trainer.iteration}: parameters are not finite; the last good checkpoint is ${paths.checkpoint}`,
      );
    atomicWrite(paths.checkpoint, trainer.checkpointBytes({ run: JSON.stringify({ ...run, spent: run.spent + elapsed() }) }));
    atomicWrite(paths.svg, lossSvg(logs));
  };
  const runValidation = (l: IterationLog) => {
    const s = performance.now();
    const table = validate(model, cfg, valSet!);
    valSeconds = (performance.now() - s) / 1000;
    // Points the run has passed (a plan that shrank can pass several at once) are not made up for.
    valDone = Math.max(valDone + 1, Math.floor(((trainer.iteration - P()) * VAL_POINTS) / T()));
    l.valMap07 = table.map07;
    validation.push({ iteration: l.iteration, map07: table.map07 });
    const better = table.map07 > run.best;
    if (better) {
      run.best = table.map07;
      atomicWrite(
        bestPath!,
        modelToBytes(model, cfg, {
          trainedIterations: String(trainer.iteration),
          trainSplit: split,
          preset: opts.preset ?? '',
          valMap07: String(table.map07),
        }),
      );
    }
    log(
      `train: validation mAP (VOC07) ${table.map07.toFixed(4)} after iteration ${trainer.iteration - P()} on ${valSet!.records.length} images (${valSeconds.toFixed(1)} s)` +
        (better ? `, best so far: ${bestPath}` : `, best ${run.best.toFixed(4)}`),
    );
  };

  let stopping = false;
  const onSignal = (sig: string) => {
    if (stopping) {
      log(`train: second ${sig}: exiting without a checkpoint`);
      process.exit(130);
    }
    stopping = true;
    log(`\ntrain: ${sig}: finishing this step and writing the checkpoint (again to exit at once)`);
  };
  const sigint = () => onSignal('SIGINT'),
    sigterm = () => onSignal('SIGTERM');
  if (opts.handleSignals) {
    process.on('SIGINT', sigint);
    process.on('SIGTERM', sigterm);
  }

  const mode = opts.progress ?? (opts.log === undefined && process.stderr.isTTY ? 'bar' : 'lines');
  const start = trainer.iteration,
    tLoop = performance.now();
  let last: IterationLog | null = null,
    ran = 0,
    lastSnap = performance.now(),
    interrupted = false;
  let nextLine = 0;
  try {
    while (!trainer.done && (opts.stopAfter === undefined || ran < opts.stopAfter)) {
      const l = trainer.step();
      ran++;
      last = l;
      logs.push(l);
      planner.observe(l.phase, l.seconds);
      const spi = planner.secondsPerStep(l.phase);
      if (budgeted && (ran % 10 === 0 || trainer.iteration === P())) replan();
      const doneT = trainer.iteration - P();
      if (valSet && doneT > 0 && (valDue(doneT) || trainer.done)) runValidation(l);
      appendFileSync(paths.csv, lossCsvRow(l) + '\n');
      const total = trainer.totalIterations;
      if (mode === 'bar') process.stderr.write(`\r${progressLine(l, total, spi, 24, eta())}\x1b[K`);
      else if (mode === 'lines' && (elapsed() >= nextLine || trainer.done)) {
        log(progressLine(l, total, spi, 24, eta()));
        nextLine = elapsed() + Math.max(5, eta() / 20);
      }
      const snap = cfg.train.snapshotIters,
        snapSec = cfg.train.snapshotSeconds;
      if (
        !trainer.done &&
        ((snap > 0 && trainer.iteration % snap === 0) || (snapSec > 0 && performance.now() - lastSnap >= snapSec * 1000))
      ) {
        writeCheckpoint();
        lastSnap = performance.now();
      }
      if (opts.handleSignals) await new Promise((r) => setImmediate(r)); // lets a signal in
      if (stopping || opts.shouldStop?.()) {
        interrupted = !trainer.done;
        break;
      }
    }
  } catch (e) {
    if (mode === 'bar') process.stderr.write('\n');
    trainer.dispose();
    atomicWrite(paths.svg, lossSvg(logs));
    if (e instanceof NonFiniteLossError) {
      const have = existsSync(paths.checkpoint)
        ? `the last good checkpoint is ${paths.checkpoint}`
        : 'no checkpoint was written yet (set train.snapshotIters)';
      throw new Error(`${e.message} Training stopped; ${have}.`);
    }
    throw e;
  } finally {
    if (opts.handleSignals) {
      process.off('SIGINT', sigint);
      process.off('SIGTERM', sigterm);
    }
  }
  if (mode === 'bar') process.stderr.write('\n');
  writeCheckpoint();
  const loopSecs = (performance.now() - tLoop) / 1000;
  let modelPath: string | null = null;
  if (trainer.done) {
    saveModel(opts.out, model, cfg, { trainedIterations: String(trainer.iteration), trainSplit: split, preset: opts.preset ?? '' });
    modelPath = opts.out;
    log(
      `train: model written to ${opts.out} (loss curve ${paths.csv}, ${paths.svg}; checkpoint ${paths.checkpoint}` +
        `${bestPath && existsSync(bestPath) ? `; best validation mAP ${run.best.toFixed(4)} in ${bestPath}` : ''})`,
    );
  } else {
    log(
      `train: ${interrupted ? 'interrupted' : 'stopped'} at iteration ${trainer.iteration} of ${trainer.totalIterations}; checkpoint ${paths.checkpoint} (continue with --resume)`,
    );
  }
  trainer.dispose();
  return {
    model,
    config: cfg,
    modelPath,
    checkpoint: paths.checkpoint,
    lossCsv: paths.csv,
    lossSvg: paths.svg,
    iterations: trainer.iteration - start,
    seconds: elapsed(),
    secondsPerIter: ran ? loopSecs / ran : 0,
    last,
    warnings,
    interrupted,
    validation,
    bestPath: bestPath && existsSync(bestPath) ? bestPath : null,
    plan: { pretrain: P(), iterations: T() },
    init,
  };
}
