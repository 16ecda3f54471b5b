// The Fast R-CNN network (paper Fig. 1): a VGG-style conv backbone over the whole image, RoI max
// pooling at the last conv layer, fc6 and fc7 with dropout, then two sibling outputs: clsScore
// (K+1 logits) and bboxPred (4 box deltas per class, background included). Parameter names follow
// the original Caffe model (conv1_1.weight, fc6.weight, cls_score.weight, bbox_pred.weight, ...).
import { Module } from '../../nn/module.js';
import { Conv2d, Linear } from '../../nn/layers.js';
import { gaussian, kaiming, type Init } from '../../nn/init.js';
import { maxPool2d } from '../../ops/conv.js';
import { relu } from '../../ops/elementwise.js';
import { fill } from '../../ops/creation.js';
import { instanceNorm } from '../../ops/norm.js';
import { dropout } from '../../ops/nn.js';
import { flatten } from '../../ops/shape.js';
import { concat } from '../../ops/shape.js';
import { roiPool } from '../../ops/roi.js';
import { engine } from '../../tensor/engine.js';
import type { Tensor } from '../../tensor/tensor.js';
import { shapeStr } from '../../core/types.js';
import { Rng } from '../../util/random.js';
import { type FastRcnnConfig, type ModelConfig, convNames, featureStride } from './config.js';

/** A plain fc layer, or its SVD factorization (x·Lᵀ·Uᵀ + b). */
export type FcLayer = Linear | { L: Linear; U: Linear; forward(x: Tensor): Tensor };

export interface HeadOutputs {
  clsScore: Tensor;
  bboxPred: Tensor;
}

export interface FastRCNNOptions {
  /** Object classes (background is index 0 and is not listed). */
  classes: string[];
  model: ModelConfig;
  /** LR / decay multipliers of biases (the paper: LR ×2). */
  biasLrMult?: number;
  biasDecayMult?: number;
  /** Seeds the initialization and the dropout masks. */
  seed?: number;
}

/**
 * Per-image, per-channel normalization over H×W with a learned scale and shift (instance norm):
 * y = (x − mean) / sqrt(var + eps) · gamma + beta, by the fused instanceNorm op (gamma = weight, beta = bias).
 */
export class ChannelNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(
    readonly channels: number,
    readonly eps = 1e-5,
    biasParam: { lrMult?: number; decayMult?: number } = {},
  ) {
    super();
    this.weight = this.param('weight', fill([channels], 1), { decayMult: 0 });
    this.bias = this.param('bias', fill([channels], 0), { lrMult: biasParam.lrMult, decayMult: 0 });
  }
  forward(x: Tensor): Tensor {
    return instanceNorm(x, this.weight, this.bias, { eps: this.eps });
  }
}

export class FastRCNN extends Module {
  readonly classes: string[];
  readonly numClasses: number; // K + 1
  readonly config: ModelConfig;
  readonly stride: number;
  readonly convs: Conv2d[] = [];
  /** One per conv when model.backbone.norm is 'instance'. */
  readonly norms: ChannelNorm[] = [];
  readonly convNames: string[];
  /** Index in `convs` where each stage ends (a 2×2 max pool follows all but the last). */
  private readonly stageEnds: Set<number>;
  /** fc6 / fc7: one Linear, or two (<fc>_L then <fc>_U) after truncated-SVD compression. */
  readonly fc6: FcLayer;
  readonly fc7: FcLayer;
  readonly clsScore: Linear;
  readonly bboxPred: Linear;
  /** Dropout masks come from here; its state is part of a checkpoint. */
  readonly dropoutRng: Rng;
  /**
   * Per-class target normalization [K+1][4] while training (bboxPred predicts normalized deltas);
   * null once folded into bboxPred (a saved or loaded model predicts raw deltas).
   */
  bboxMeans: Float32Array | null = null;
  bboxStds: Float32Array | null = null;

  constructor(opts: FastRCNNOptions) {
    super();
    const m = opts.model;
    if (!opts.classes.length) throw new Error('FastRCNN: the class list is empty');
    if (new Set(opts.classes).size !== opts.classes.length)
      throw new Error(`FastRCNN: duplicate class names in ${JSON.stringify(opts.classes)}`);
    if (opts.classes.some((c) => c === '__background__'))
      throw new Error("FastRCNN: '__background__' is implicit (index 0); do not list it");
    this.classes = opts.classes.slice();
    this.numClasses = opts.classes.length + 1;
    this.config = structuredClone(m);
    this.stride = featureStride(m.backbone.stages);
    const rng = new Rng(opts.seed ?? 0);
    const hidden: Init = m.init === 'kaiming' ? kaiming : gaussian(0.01);
    const biasParam = { lrMult: opts.biasLrMult ?? 2, decayMult: opts.biasDecayMult ?? 1 };
    this.convNames = convNames(m.backbone.stages);
    this.stageEnds = new Set();
    let inC = 3,
      k = 0;
    m.backbone.stages.forEach((stage, s) => {
      stage.forEach((outC) => {
        this.convs.push(
          this.module(
            this.convNames[k],
            new Conv2d(inC, outC, 3, { padding: 1, rng, weightInit: hidden, biasParam, bias: m.backbone.norm === 'none' }),
          ),
        );
        if (m.backbone.norm === 'instance')
          this.norms.push(this.module(`${this.convNames[k]}_norm`, new ChannelNorm(outC, 1e-5, biasParam)));
        inC = outC;
        k++;
      });
      if (s < m.backbone.stages.length - 1) this.stageEnds.add(k - 1);
    });
    const [ph, pw] = m.roiPoolSize;
    const fc = (name: string, inF: number, outF: number, rank: number): FcLayer => {
      if (!rank) return this.module(name, new Linear(inF, outF, { rng, weightInit: hidden, biasParam }));
      if (rank > Math.min(inF, outF)) throw new Error(`FastRCNN: SVD rank ${rank} of ${name} exceeds min(${inF}, ${outF})`);
      const L = this.module(`${name}_L`, new Linear(inF, rank, { rng, weightInit: hidden, bias: false }));
      const U = this.module(`${name}_U`, new Linear(rank, outF, { rng, weightInit: hidden, biasParam }));
      return { L, U, forward: (x: Tensor) => engine.tidy(() => U.forward(L.forward(x))) };
    };
    const svd = m.svd ?? [0, 0];
    this.fc6 = fc('fc6', inC * ph * pw, m.fc[0], svd[0]);
    this.fc7 = fc('fc7', m.fc[0], m.fc[1], svd[1]);
    this.clsScore = this.module('cls_score', new Linear(m.fc[1], this.numClasses, { rng, weightInit: gaussian(0.01), biasParam }));
    this.bboxPred = this.module('bbox_pred', new Linear(m.fc[1], 4 * this.numClasses, { rng, weightInit: gaussian(0.001), biasParam }));
    this.dropoutRng = rng.fork();
    this.setTrainFrom(m.backbone.trainFrom);
  }

  /** Trains conv layers from `name` up and freezes those below (the paper's Table 5). */
  setTrainFrom(name: string): void {
    const i = this.convNames.indexOf(name);
    if (i < 0) throw new Error(`FastRCNN: no conv layer '${name}' (have ${this.convNames.join(', ')})`);
    this.convs.forEach((c, j) => {
      c.setTrainable(j >= i);
      this.norms[j]?.setTrainable(j >= i);
    });
    this.config.backbone.trainFrom = name;
  }

  /** Conv feature map [N, C, H/stride, W/stride] of images [N, 3, H, W]. */
  forward(images: Tensor): Tensor {
    if (images.rank !== 4 || images.shape[1] !== 3) throw new Error(`FastRCNN: images must be [N,3,H,W], got ${shapeStr(images.shape)}`);
    if (images.shape[2] < this.stride || images.shape[3] < this.stride) {
      throw new Error(`FastRCNN: image ${images.shape[3]}x${images.shape[2]} is smaller than the feature stride ${this.stride}`);
    }
    let h = images;
    this.convs.forEach((c, j) => {
      let y = c.forward(h);
      if (h !== images) h.dispose();
      if (this.norms[j]) {
        const z = this.norms[j].forward(y);
        y.dispose();
        y = z;
      }
      h = relu(y);
      y.dispose();
      if (this.stageEnds.has(j)) {
        const p = maxPool2d(h, 2, { stride: 2 });
        h.dispose();
        h = p;
      }
    });
    return h;
  }

  /** RoI-pooled features [R, C·ph·pw] of rois [R,5] = (batch, x1, y1, x2, y2) in input-image pixels. */
  pool(features: Tensor, rois: Tensor): Tensor {
    return engine.tidy(() => flatten(roiPool(features, rois, { outputSize: this.config.roiPoolSize, spatialScale: 1 / this.stride })));
  }

  /** fc6 → fc7 → (clsScore, bboxPred) on pooled features [R, C·ph·pw]; dropout only in training mode. */
  head(pooled: Tensor): HeadOutputs {
    return engine.tidy(() => {
      const p = this.config.dropout;
      const drop = (x: Tensor) => (this.training && p > 0 ? dropout(x, p, this.dropoutRng, true) : x);
      const h6 = drop(relu(this.fc6.forward(pooled)));
      const h7 = drop(relu(this.fc7.forward(h6)));
      return { clsScore: this.clsScore.forward(h7), bboxPred: this.bboxPred.forward(h7) };
    });
  }

  /**
   * The whole network on a mini-batch: each image runs through the backbone on its own (no padding
   * between images of different sizes), its RoIs are pooled from its own feature map, and the pooled
   * features of all images go through the head together. images[i] is [1,3,H_i,W_i]; rois[i] is
   * [R_i, 5] with batch index 0.
   */
  forwardImages(images: Tensor[], rois: Tensor[]): HeadOutputs {
    if (images.length !== rois.length) throw new Error(`FastRCNN: ${images.length} images but ${rois.length} RoI sets`);
    return engine.tidy(() => {
      // An image without RoIs contributes nothing: skip its backbone pass.
      const pooled = images.flatMap((im, i) => (rois[i].shape[0] ? [this.pool(this.forward(im), rois[i])] : []));
      if (!pooled.length) throw new Error('FastRCNN: the mini-batch has no RoIs');
      return this.head(pooled.length === 1 ? pooled[0] : concat(pooled, 0));
    });
  }

  /** Parameter counts by layer (for reports). */
  parameterCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of this.namedParameters()) {
      const layer = p.name.slice(0, p.name.lastIndexOf('.'));
      out[layer] = (out[layer] ?? 0) + p.tensor.size;
    }
    return out;
  }
}

/** Builds the model for a config and class list. */
export function createModel(cfg: FastRcnnConfig, classes: string[], seed = cfg.train.seed): FastRCNN {
  return new FastRCNN({ classes, model: cfg.model, biasLrMult: cfg.train.biasLrMult, biasDecayMult: cfg.train.biasDecayMult, seed });
}

/**
 * The parameter names and shapes a FastRCNN of this config has (namedParameters() order), computed
 * without building it: a model file is checked against them before any layer is allocated, so a
 * small file asking for fc 30000×30000 fails at once. test/detection/modelFile.test.ts holds this
 * equal to the built model's for every layout (norms, biases, SVD pairs).
 */
export function parameterShapes(m: ModelConfig, numClasses: number): [string, number[]][] {
  const out: [string, number[]][] = [];
  const names = convNames(m.backbone.stages);
  let inC = 3,
    k = 0;
  for (const stage of m.backbone.stages)
    for (const outC of stage) {
      out.push([`${names[k]}.weight`, [outC, inC, 3, 3]]);
      if (m.backbone.norm === 'none') out.push([`${names[k]}.bias`, [outC]]);
      else out.push([`${names[k]}_norm.weight`, [outC]], [`${names[k]}_norm.bias`, [outC]]);
      inC = outC;
      k++;
    }
  const fc = (name: string, inF: number, outF: number, rank: number) => {
    if (!rank) out.push([`${name}.weight`, [outF, inF]], [`${name}.bias`, [outF]]);
    else out.push([`${name}_L.weight`, [rank, inF]], [`${name}_U.weight`, [outF, rank]], [`${name}_U.bias`, [outF]]);
  };
  const svd = m.svd ?? [0, 0];
  fc('fc6', inC * m.roiPoolSize[0] * m.roiPoolSize[1], m.fc[0], svd[0]);
  fc('fc7', m.fc[0], m.fc[1], svd[1]);
  fc('cls_score', m.fc[1], numClasses, 0);
  fc('bbox_pred', m.fc[1], 4 * numClasses, 0);
  return out;
}
