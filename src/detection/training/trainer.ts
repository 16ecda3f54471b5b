// The training loop's state machine, without file I/O (so a browser can drive it too): SGD with
// momentum and weight decay (biases at ×2 LR), a step LR schedule with linear warm-up, hierarchical
// mini-batches from the roidb, and a full state (weights, momentum, iteration, generators, data
// order) that round-trips through safetensors bytes for bit-identical resumption.
import { SGD } from '../../nn/optim.js';
import { Adam } from '../../nn/adam.js';
import type { Optimizer, OptimizerState } from '../../nn/optimizer.js';
import { stepLr } from '../../nn/schedule.js';
import { mul } from '../../ops/elementwise.js';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from '../../nn/safetensors.js';
import { engine } from '../../tensor/engine.js';
import type { RgbImage } from '../../data/types.js';
import { Rng } from '../../util/random.js';
import type { FastRcnnConfig } from '../model/config.js';
import { type Roidb, type RoidbEntry, minibatchParts } from './minibatch.js';
import { type BatchPart, type PartResult, partGradients } from './batchParts.js';
import type { FastRCNN } from '../model/fastRcnn.js';
import { sameClasses } from '../model/modelFile.js';
import { cropParts } from './pretrain.js';

/** A second thread computing the gradients of some parts (Node: GradientWorker in gradWorker.ts). */
export interface ParallelGradients {
  start(parts: BatchPart[], job: { trainFrom: string; training: boolean; dropoutSeed: number; lambda: number }): void;
  /** Waits; adds the parts' gradient sums into the model's .grad; results in the order given. */
  finish(): PartResult[];
  dispose(): void;
}

export interface IterationLog {
  iteration: number;
  /** 'pretrain' (classification on crops) or 'train' (Fast R-CNN). */
  phase: 'pretrain' | 'train';
  loss: number;
  lossCls: number;
  lossLoc: number;
  lr: number;
  /** Classification accuracy on this mini-batch's foreground / background RoIs. */
  fgAcc: number;
  bgAcc: number;
  /** Wall time of the iteration, seconds. */
  seconds: number;
  /** Validation VOC07 mAP measured after this iteration (only on the iterations that validated). */
  valMap07?: number;
}

export class NonFiniteLossError extends Error {
  constructor(
    readonly iteration: number,
    readonly values: { loss: number; lossCls: number; lossLoc: number },
  ) {
    super(
      `training diverged at iteration ${iteration}: loss ${values.loss} (cls ${values.lossCls}, loc ${values.lossLoc}) is not finite. ` +
        'Lower train.lr, lengthen train.warmupIters, or check the data (boxes, proposals) for extreme values.',
    );
    this.name = 'NonFiniteLossError';
  }
}

/** The LR at an iteration: base LR, ×gamma at each step fraction of the run, warm-up first. */
export function learningRate(t: FastRcnnConfig['train'], iteration: number): number {
  return stepLr(
    {
      baseLr: t.lr,
      gamma: t.gamma,
      warmupIters: t.warmupIters,
      warmupFactor: t.warmupFactor,
      steps: t.stepFractions.map((f) => Math.round(f * t.iterations)),
    },
    iteration,
  );
}

/** A fingerprint of the roidb (ids, flips, box counts), so a checkpoint is not resumed on other data. */
function roidbFingerprint(entries: RoidbEntry[]): string {
  let h = 2166136261;
  const mix = (s: string) => {
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  };
  for (const e of entries) mix(`${e.id}|${e.flipped ? 1 : 0}|${e.boxes.length}|${e.numGt};`);
  return `${entries.length}:${h.toString(16)}`;
}

export class Trainer {
  /** SGD over the parameters trained in the current phase (all of them while pre-training). */
  optimizer: Optimizer;
  private phase: 'pretrain' | 'train';
  iteration = 0;
  /** Draws scales and RoI samples. */
  readonly dataRng: Rng;
  /** Shuffles the image order. */
  readonly orderRng: Rng;
  private perm: number[] = [];
  private cursor = 0;

  constructor(
    readonly model: FastRCNN,
    readonly roidb: Roidb,
    readonly cfg: FastRcnnConfig,
    readonly loadImage: (e: RoidbEntry) => RgbImage,
    readonly parallel: ParallelGradients | null = null,
  ) {
    const t = cfg.train;
    this.phase = t.pretrain.iterations > 0 ? 'pretrain' : 'train';
    this.optimizer = this.makeOptimizer();
    const root = new Rng(t.seed);
    this.dataRng = root.fork();
    this.orderRng = root.fork();
    model.bboxMeans = roidb.stats.means;
    model.bboxStds = roidb.stats.stds;
    model.train();
  }

  /** Pre-training steps, then Fast R-CNN iterations; `iteration` counts both. */
  get totalIterations(): number {
    return this.cfg.train.pretrain.iterations + this.cfg.train.iterations;
  }
  /** Pre-training trains every layer; Fast R-CNN training those from model.backbone.trainFrom up. */
  private makeOptimizer(): Optimizer {
    const t = this.cfg.train;
    if (this.phase === 'pretrain') this.model.setTrainFrom(this.model.convNames[0]);
    else this.model.setTrainFrom(this.cfg.model.backbone.trainFrom);
    if (t.optimizer === 'adam') return new Adam(this.model.parameters(), { lr: t.lr, beta1: t.momentum, weightDecay: t.weightDecay });
    return new SGD(this.model.parameters(), { lr: t.lr, momentum: t.momentum, weightDecay: t.weightDecay });
  }

  private enterTraining(): void {
    this.optimizer.dispose();
    this.phase = 'train';
    this.optimizer = this.makeOptimizer();
  }

  get done(): boolean {
    return this.iteration >= this.totalIterations;
  }
  get pretraining(): boolean {
    return this.iteration < this.cfg.train.pretrain.iterations;
  }

  /** The next N entries of a random permutation, reshuffled when used up (the original's _get_next_minibatch_inds). */
  private nextEntries(): RoidbEntry[] {
    const n = this.cfg.train.imsPerBatch,
      all = this.roidb.entries;
    if (this.cursor + n > this.perm.length || !this.perm.length) {
      this.perm = this.orderRng.shuffle(Array.from({ length: all.length }, (_, i) => i));
      this.cursor = 0;
    }
    const pick = this.perm.slice(this.cursor, this.cursor + n).map((i) => all[i]);
    this.cursor += n;
    return pick;
  }

  /** Gradient sums of the parts, added into .grad: alternate parts go to the worker; results in part order. */
  private gradients(parts: BatchPart[]): PartResult[] {
    const lambda = this.cfg.train.lambda;
    const mine = parts.map((_, i) => i).filter((i) => !this.parallel || parts.length < 2 || i % 2 === 0);
    const theirs = parts.map((_, i) => i).filter((i) => !mine.includes(i));
    if (theirs.length) {
      this.parallel!.start(
        theirs.map((i) => parts[i]),
        {
          trainFrom: this.model.convNames.find((_, j) => this.model.convs[j].weight.requiresGrad) ?? this.model.convNames[0],
          training: this.model.training,
          dropoutSeed: this.model.dropoutRng.nextU32(),
          lambda,
        },
      );
    }
    const results: PartResult[] = new Array(parts.length);
    try {
      for (const i of mine) results[i] = partGradients(this.model, parts[i], lambda);
    } finally {
      if (theirs.length)
        this.parallel!.finish().forEach((r, k) => {
          results[theirs[k]] = r;
        });
    }
    return results;
  }

  /** One SGD iteration. Throws NonFiniteLossError (before updating anything) when the loss is NaN/Inf. */
  step(): IterationLog {
    const t0 = performance.now();
    const it = this.iteration,
      P = this.cfg.train.pretrain.iterations,
      pre = this.pretraining;
    if (!pre && this.phase === 'pretrain') this.enterTraining(); // fresh momentum, as from a pre-trained model
    const p = this.cfg.train.pretrain;
    const lr = pre
      ? stepLr({ baseLr: p.lr, steps: [Math.round(0.8 * p.iterations)], warmupIters: p.warmupIters, warmupFactor: 0.1 }, it)
      : learningRate(this.cfg.train, it - P);
    const split = this.parallel ? 2 : 1;
    const parts: BatchPart[] = pre
      ? cropParts(this.roidb.entries, this.cfg, this.dataRng, this.loadImage, split)
      : minibatchParts(this.nextEntries(), this.cfg, this.dataRng, this.loadImage);
    const results = this.gradients(parts);
    const R = results.reduce((n, r) => n + r.numRois, 0);
    const sum = (f: (r: PartResult) => number) => results.reduce((a, r) => a + f(r), 0) / Math.max(R, 1);
    const loss = sum((r) => r.lossSum),
      lossCls = sum((r) => r.lossClsSum),
      lossLoc = sum((r) => r.lossLocSum);
    if (!Number.isFinite(loss) || R === 0) {
      this.optimizer.zeroGrad();
      throw R === 0 ? new Error(`iteration ${it}: the mini-batch has no RoIs`) : new NonFiniteLossError(it, { loss, lossCls, lossLoc });
    }
    const [fgAcc, bgAcc] = accuracyOfParts(parts, results, this.model.numClasses);
    // Parts added gradients of summed losses: divide by R for the mini-batch mean.
    engine.noGrad(() => {
      for (const q of this.optimizer.params) {
        const g = q.tensor.grad;
        if (!g) continue;
        const m = mul(g, 1 / R);
        g.dispose();
        q.tensor.grad = engine.keep(m);
      }
    });
    this.optimizer.lr = lr;
    this.optimizer.step();
    this.optimizer.zeroGrad();
    this.iteration++;
    return {
      iteration: it,
      phase: pre ? 'pretrain' : 'train',
      loss,
      lossCls,
      lossLoc,
      lr,
      fgAcc,
      bgAcc,
      seconds: (performance.now() - t0) / 1000,
    };
  }

  /**
   * Wall seconds of one pre-training step and one Fast R-CNN iteration's forward and backward, on
   * the path step() takes (both threads when there is a worker): the median of five runs on different
   * images after two for the JIT's (and a new worker's) warm-up, on copies of the generators. Timing one thread and
   * dividing by the threads was 2x off for pre-training, whose small crops leave the worker's
   * weight copy as most of a step. Weights, gradients, generators and data order are as before.
   */
  probe(): { pretrain: number; train: number } {
    const rng = new Rng(0);
    rng.setState(this.dataRng.getState());
    const dropout = this.model.dropoutRng.getState();
    const B = this.cfg.train.imsPerBatch,
      E = this.roidb.entries;
    const time = (parts: BatchPart[]) => {
      const t0 = performance.now();
      this.gradients(parts);
      return (performance.now() - t0) / 1000;
    };
    const one = (k: number) => ({
      pretrain: this.cfg.train.pretrain.iterations > 0 ? time(cropParts(E, this.cfg, rng, this.loadImage, this.parallel ? 2 : 1)) : 0,
      train: time(
        minibatchParts(
          Array.from({ length: B }, (_, i) => E[(k * B + i) % E.length]),
          this.cfg,
          rng,
          this.loadImage,
        ),
      ),
    });
    one(0);
    one(1);
    const runs = [2, 3, 4, 5, 6].map(one);
    const median = (f: (r: { pretrain: number; train: number }) => number) => runs.map(f).sort((a, b) => a - b)[runs.length >> 1];
    this.model.zeroGrad();
    this.model.dropoutRng.setState(dropout);
    return { pretrain: median((r) => r.pretrain), train: median((r) => r.train) };
  }

  /** True when every parameter is finite (checked before a checkpoint is written). */
  parametersFinite(): boolean {
    return this.model.namedParameters().every((p) => (p.tensor.dataSync() as Float32Array).every(Number.isFinite));
  }

  // ---- checkpoints ----------------------------------------------------------------------------

  /** The whole training state as safetensors bytes (weights unfolded, statistics in the metadata). */
  checkpointBytes(extra: Record<string, string> = {}): Uint8Array {
    const tensors = new Map<string, NamedArray>();
    for (const p of this.model.namedParameters())
      tensors.set(p.name, { shape: p.tensor.shape.slice(), data: p.tensor.dataSync() as Float32Array });
    const sgd = this.optimizer.getState();
    for (const [n, v] of Object.entries(sgd.buffers))
      tensors.set(`__velocity__.${n}`, { shape: v.shape.slice(), data: Float32Array.from(v.data) });
    const state = {
      iteration: this.iteration,
      sgd: { step: sgd.step, lr: sgd.lr },
      dataRng: this.dataRng.getState(),
      orderRng: this.orderRng.getState(),
      dropoutRng: this.model.dropoutRng.getState(),
      perm: this.perm,
      cursor: this.cursor,
      roidb: roidbFingerprint(this.roidb.entries),
    };
    return encodeSafetensors(tensors, {
      format: 'fastrcnn-checkpoint',
      version: '1',
      classes: JSON.stringify(this.model.classes),
      config: JSON.stringify(this.cfg),
      bboxStats: JSON.stringify({ means: Array.from(this.roidb.stats.means), stds: Array.from(this.roidb.stats.stds) }),
      state: JSON.stringify(state),
      ...extra,
    });
  }

  /** Restores a state written by checkpointBytes (same classes, model shape and data). */
  restore(bytes: Uint8Array, source = 'checkpoint'): void {
    const { tensors, metadata } = decodeSafetensors(bytes, source);
    if (metadata.format !== 'fastrcnn-checkpoint')
      throw new Error(`${source}: not a training checkpoint (format '${metadata.format ?? 'none'}')`);
    const classes = JSON.parse(metadata.classes ?? '[]') as string[];
    if (!sameClasses(classes, this.model.classes)) {
      throw new Error(
        `${source}: checkpoint classes ${JSON.stringify(classes)} differ from the dataset's ${JSON.stringify(this.model.classes)}`,
      );
    }
    const state = JSON.parse(metadata.state);
    if (state.roidb !== roidbFingerprint(this.roidb.entries)) {
      throw new Error(
        `${source}: checkpoint was made on other training data or proposals (roidb ${state.roidb}, now ${roidbFingerprint(this.roidb.entries)})`,
      );
    }
    const params = new Map<string, { shape: number[]; data: Float32Array }>();
    const buffers: OptimizerState['buffers'] = {};
    for (const [k, v] of tensors) {
      if (!(v.data instanceof Float32Array)) throw new Error(`${source}: '${k}' must be F32`);
      if (k.startsWith('__velocity__.')) buffers[k.slice('__velocity__.'.length)] = { shape: v.shape, data: v.data };
      else params.set(k, { shape: v.shape, data: v.data });
    }
    try {
      this.model.loadStateDict(params);
    } catch (e) {
      throw new Error(`${source}: ${(e as Error).message}`);
    }
    if (this.phase === 'pretrain' && state.iteration >= this.cfg.train.pretrain.iterations) this.enterTraining();
    this.optimizer.setState({ step: state.sgd.step, lr: state.sgd.lr, buffers });
    this.iteration = state.iteration;
    this.dataRng.setState(state.dataRng);
    this.orderRng.setState(state.orderRng);
    this.model.dropoutRng.setState(state.dropoutRng);
    this.perm = state.perm;
    this.cursor = state.cursor;
  }

  dispose(): void {
    this.optimizer.dispose();
    this.parallel?.dispose();
  }
}

function accuracyOfParts(parts: BatchPart[], results: PartResult[], K1: number): [number, number] {
  let fg = 0,
    fgOk = 0,
    bg = 0,
    bgOk = 0;
  parts.forEach((_, i) => {
    const labels = results[i].labels;
    const [fa, ba] = accuracy(results[i].scores, labels, K1);
    const nf = labels.reduce((n, l) => n + (l > 0 ? 1 : 0), 0),
      nb = labels.length - nf;
    fg += nf;
    fgOk += fa * nf;
    bg += nb;
    bgOk += ba * nb;
  });
  return [fg ? fgOk / fg : 0, bg ? bgOk / bg : 0];
}

/** Fraction of foreground RoIs classified as their class, and of background RoIs as background. */
function accuracy(scores: Float32Array, labels: Int32Array, K1: number): [number, number] {
  let fg = 0,
    fgOk = 0,
    bg = 0,
    bgOk = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let k = 1; k < K1; k++) if (scores[i * K1 + k] > scores[i * K1 + best]) best = k;
    if (labels[i] > 0) {
      fg++;
      if (best === labels[i]) fgOk++;
    } else {
      bg++;
      if (best === 0) bgOk++;
    }
  }
  return [fg ? fgOk / fg : 0, bg ? bgOk / bg : 0];
}
