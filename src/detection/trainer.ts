// The training loop's state machine, without file I/O (so a browser can drive it too): SGD with
// momentum and weight decay (biases at ×2 LR), a step LR schedule with linear warm-up, hierarchical
// mini-batches from the roidb, and a full state (weights, momentum, iteration, generators, data
// order) that round-trips through safetensors bytes for bit-identical resumption.
import { SGD, type SGDState } from '../nn/optim.js';
import { stepLr } from '../nn/schedule.js';
import { softmaxCrossEntropy } from '../ops/nn.js';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from '../nn/safetensors.js';
import { fastRcnnLoss } from '../ops/detection.js';
import { engine } from '../tensor/engine.js';
import type { RgbImage } from '../data/types.js';
import { Rng } from '../util/random.js';
import type { FastRcnnConfig } from './config.js';
import { type Roidb, type RoidbEntry, disposeMinibatch, getMinibatch } from './minibatch.js';
import type { FastRCNN } from './model.js';
import { disposeCropBatch, sampleCrops } from './pretrain.js';

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
}

export class NonFiniteLossError extends Error {
  constructor(readonly iteration: number, readonly values: { loss: number; lossCls: number; lossLoc: number }) {
    super(`training diverged at iteration ${iteration}: loss ${values.loss} (cls ${values.lossCls}, loc ${values.lossLoc}) is not finite. ` +
      'Lower train.lr, lengthen train.warmupIters, or check the data (boxes, proposals) for extreme values.');
    this.name = 'NonFiniteLossError';
  }
}

/** The LR at an iteration: base LR, ×gamma at each step fraction of the run, warm-up first. */
export function learningRate(t: FastRcnnConfig['train'], iteration: number): number {
  return stepLr({
    baseLr: t.lr, gamma: t.gamma, warmupIters: t.warmupIters, warmupFactor: t.warmupFactor,
    steps: t.stepFractions.map((f) => Math.round(f * t.iterations)),
  }, iteration);
}

/** A fingerprint of the roidb (ids, flips, box counts), so a checkpoint is not resumed on other data. */
export function roidbFingerprint(entries: RoidbEntry[]): string {
  let h = 2166136261;
  const mix = (s: string) => { for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0; };
  for (const e of entries) mix(`${e.id}|${e.flipped ? 1 : 0}|${e.boxes.length}|${e.numGt};`);
  return `${entries.length}:${h.toString(16)}`;
}

export class Trainer {
  /** SGD over the parameters trained in the current phase (all of them while pre-training). */
  optimizer: SGD;
  private phase: 'pretrain' | 'train';
  iteration = 0;
  /** Draws scales and RoI samples. */
  readonly dataRng: Rng;
  /** Shuffles the image order. */
  readonly orderRng: Rng;
  private perm: number[] = [];
  private cursor = 0;

  constructor(readonly model: FastRCNN, readonly roidb: Roidb, readonly cfg: FastRcnnConfig,
              readonly loadImage: (e: RoidbEntry) => RgbImage) {
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
  get totalIterations(): number { return this.cfg.train.pretrain.iterations + this.cfg.train.iterations; }
  /** Pre-training trains every layer; Fast R-CNN training those from model.backbone.trainFrom up. */
  private makeOptimizer(): SGD {
    const t = this.cfg.train;
    if (this.phase === 'pretrain') this.model.setTrainFrom(this.model.convNames[0]);
    else this.model.setTrainFrom(this.cfg.model.backbone.trainFrom);
    return new SGD(this.model.parameters(), { lr: t.lr, momentum: t.momentum, weightDecay: t.weightDecay });
  }

  private enterTraining(): void {
    this.optimizer.dispose();
    this.phase = 'train';
    this.optimizer = this.makeOptimizer();
  }

  get done(): boolean { return this.iteration >= this.totalIterations; }
  get pretraining(): boolean { return this.iteration < this.cfg.train.pretrain.iterations; }

  /** The next N entries of a random permutation, reshuffled when used up (the original's _get_next_minibatch_inds). */
  private nextEntries(): RoidbEntry[] {
    const n = this.cfg.train.imsPerBatch, all = this.roidb.entries;
    if (this.cursor + n > this.perm.length || !this.perm.length) {
      this.perm = this.orderRng.shuffle(Array.from({ length: all.length }, (_, i) => i));
      this.cursor = 0;
    }
    const pick = this.perm.slice(this.cursor, this.cursor + n).map((i) => all[i]);
    this.cursor += n;
    return pick;
  }

  /** One SGD iteration. Throws NonFiniteLossError (before updating anything) when the loss is NaN/Inf. */
  step(): IterationLog {
    if (this.pretraining) return this.pretrainStep();
    const P = this.cfg.train.pretrain.iterations;
    if (this.phase === 'pretrain') this.enterTraining(); // fresh momentum, as from a pre-trained model
    const t0 = performance.now();
    const it = this.iteration;
    const lr = learningRate(this.cfg.train, it - P);
    const mb = getMinibatch(this.nextEntries(), this.cfg, this.dataRng, this.loadImage);
    let loss, lossCls, lossLoc, fgAcc = 0, bgAcc = 0;
    try {
      const out = engine.tidy(() => {
        const { clsScore, bboxPred } = this.model.forwardImages(mb.images, mb.rois);
        const l = fastRcnnLoss(clsScore, mb.labels, bboxPred, mb.bboxTargets, { lambda: this.cfg.train.lambda });
        return { ...l, clsScore };
      });
      [fgAcc, bgAcc] = accuracy(out.clsScore.dataSync() as Float32Array, mb.labels.dataSync() as Int32Array, this.model.numClasses);
      out.clsScore.dispose();
      loss = out.loss.item(); lossCls = out.lossCls.item(); lossLoc = out.lossLoc.item();
      out.lossCls.dispose(); out.lossLoc.dispose();
      if (!Number.isFinite(loss)) {
        out.loss.dispose();
        engine.tape.clear();
        throw new NonFiniteLossError(it, { loss, lossCls, lossLoc });
      }
      out.loss.backward();
      out.loss.dispose();
    } finally {
      disposeMinibatch(mb);
    }
    this.optimizer.lr = lr;
    this.optimizer.update();
    this.optimizer.zeroGrad();
    this.iteration++;
    return { iteration: it, phase: 'train', loss, lossCls, lossLoc, lr, fgAcc, bgAcc, seconds: (performance.now() - t0) / 1000 };
  }

  /** One classification step on object crops (the whole crop is the RoI; no box regression). */
  private pretrainStep(): IterationLog {
    const t0 = performance.now();
    const it = this.iteration, p = this.cfg.train.pretrain;
    const lr = stepLr({ baseLr: p.lr, steps: [Math.round(0.8 * p.iterations)], warmupIters: p.warmupIters, warmupFactor: 0.1 }, it);
    const b = sampleCrops(this.roidb.entries, this.cfg, this.dataRng, this.loadImage);
    let loss: number, fgAcc: number, bgAcc: number;
    try {
      const out = engine.tidy(() => {
        const { clsScore } = this.model.head(this.model.pool(this.model.forward(b.images), b.rois));
        return { loss: softmaxCrossEntropy(clsScore, b.labels), clsScore };
      });
      [fgAcc, bgAcc] = accuracy(out.clsScore.dataSync() as Float32Array, b.labels.dataSync() as Int32Array, this.model.numClasses);
      out.clsScore.dispose();
      loss = out.loss.item();
      if (!Number.isFinite(loss)) { out.loss.dispose(); engine.tape.clear(); throw new NonFiniteLossError(it, { loss, lossCls: loss, lossLoc: 0 }); }
      out.loss.backward();
      out.loss.dispose();
    } finally {
      disposeCropBatch(b);
    }
    this.optimizer.lr = lr;
    this.optimizer.update();
    this.optimizer.zeroGrad();
    this.iteration++;
    return { iteration: it, phase: 'pretrain', loss, lossCls: loss, lossLoc: 0, lr, fgAcc, bgAcc, seconds: (performance.now() - t0) / 1000 };
  }

  /** True when every parameter is finite (checked before a checkpoint is written). */
  parametersFinite(): boolean {
    return this.model.namedParameters().every((p) => (p.tensor.dataSync() as Float32Array).every(Number.isFinite));
  }

  // ---- checkpoints ----------------------------------------------------------------------------

  /** The whole training state as safetensors bytes (weights unfolded, statistics in the metadata). */
  checkpointBytes(extra: Record<string, string> = {}): Uint8Array {
    const tensors = new Map<string, NamedArray>();
    for (const p of this.model.namedParameters()) tensors.set(p.name, { shape: p.tensor.shape.slice(), data: p.tensor.dataSync() as Float32Array });
    const sgd = this.optimizer.getState();
    for (const [n, v] of Object.entries(sgd.velocity)) tensors.set(`__velocity__.${n}`, { shape: v.shape.slice(), data: Float32Array.from(v.data) });
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
    if (metadata.format !== 'fastrcnn-checkpoint') throw new Error(`${source}: not a training checkpoint (format '${metadata.format ?? 'none'}')`);
    const classes = JSON.parse(metadata.classes ?? '[]') as string[];
    if (JSON.stringify(classes) !== JSON.stringify(this.model.classes)) {
      throw new Error(`${source}: checkpoint classes ${JSON.stringify(classes)} differ from the dataset's ${JSON.stringify(this.model.classes)}`);
    }
    const state = JSON.parse(metadata.state);
    if (state.roidb !== roidbFingerprint(this.roidb.entries)) {
      throw new Error(`${source}: checkpoint was made on other training data or proposals (roidb ${state.roidb}, now ${roidbFingerprint(this.roidb.entries)})`);
    }
    const params = new Map<string, { shape: number[]; data: Float32Array }>();
    const velocity: SGDState['velocity'] = {};
    for (const [k, v] of tensors) {
      if (!(v.data instanceof Float32Array)) throw new Error(`${source}: '${k}' must be F32`);
      if (k.startsWith('__velocity__.')) velocity[k.slice('__velocity__.'.length)] = { shape: v.shape, data: v.data };
      else params.set(k, { shape: v.shape, data: v.data });
    }
    try { this.model.loadStateDict(params); } catch (e) { throw new Error(`${source}: ${(e as Error).message}`); }
    if (this.phase === 'pretrain' && state.iteration >= this.cfg.train.pretrain.iterations) this.enterTraining();
    this.optimizer.setState({ step: state.sgd.step, lr: state.sgd.lr, velocity });
    this.iteration = state.iteration;
    this.dataRng.setState(state.dataRng);
    this.orderRng.setState(state.orderRng);
    this.model.dropoutRng.setState(state.dropoutRng);
    this.perm = state.perm;
    this.cursor = state.cursor;
  }

  dispose(): void { this.optimizer.dispose(); }
}

/** Fraction of foreground RoIs classified as their class, and of background RoIs as background. */
export function accuracy(scores: Float32Array, labels: Int32Array, K1: number): [number, number] {
  let fg = 0, fgOk = 0, bg = 0, bgOk = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let k = 1; k < K1; k++) if (scores[i * K1 + k] > scores[i * K1 + best]) best = k;
    if (labels[i] > 0) { fg++; if (best === labels[i]) fgOk++; } else { bg++; if (best === 0) bgOk++; }
  }
  return [fg ? fgOk / fg : 0, bg ? bgOk / bg : 0];
}
