// The detector's configuration in one typed object: the paper's method with the defaults of the
// original lib/fast_rcnn/config.py, except where a small net trained from scratch on a laptop needs
// other values (marked "ours"). Overridable by a JSON file (deep-merged) and by CLI flags (dotted keys): configOverrides.ts.

export interface BackboneConfig {
  /**
   * VGG-style stages: each is a list of 3×3 conv output channels (pad 1, ReLU after each); a 2×2
   * max pool follows every stage but the last. VGG16 is [[64,64],[128,128],[256,256,256],[512,512,512],[512,512,512]].
   */
  stages: number[][];
  /** Name of the first conv layer that is trained (conv1_1 = all; the paper's VGG16 used conv3_1). */
  trainFrom: string;
  /**
   * Normalization after each conv (ours, not the paper's): 'none' (VGG16), or 'instance' (per image
   * and channel over H×W, with a learned scale and shift; the same computation in training and
   * testing, so it needs no running statistics).
   */
  norm: 'none' | 'instance';
}

export interface ModelConfig {
  backbone: BackboneConfig;
  /** RoI pooling output [ph, pw] (7×7 in the paper). */
  roiPoolSize: [number, number];
  /** fc6 and fc7 widths (4096 in VGG16). */
  fc: [number, number];
  /** Dropout after fc6 and fc7 (0.5 in the paper). */
  dropout: number;
  /**
   * Initialization of conv layers and fc6/fc7: 'kaiming' (He normal, needed from scratch; ours) or
   * 'gaussian' (std 0.01). cls_score and bbox_pred are always N(0, 0.01²) / N(0, 0.001²), biases 0.
   */
  init: 'kaiming' | 'gaussian';
  /**
   * Truncated-SVD ranks of fc6 and fc7 (the paper's §3.1; 0 = a plain layer). A compressed layer is
   * two layers: <fc>_L (Σ_t·Vᵀ, no bias) then <fc>_U (U, with the original bias).
   */
  svd: [number, number];
}

/** Classification pre-training on object crops before the Fast R-CNN iterations (ours; 0 iterations = off). */
export interface PretrainConfig {
  /** Steps, when `ratio` is 0 (0 = no pre-training). */
  iterations: number;
  /**
   * Pre-training steps per Fast R-CNN iteration (> 0: `iterations` follows train.iterations, whether
   * given, from the dataset size or planned to a time budget); 0 = use `iterations` as it is.
   */
  ratio: number;
  /** Crops per step. */
  batch: number;
  /** Crop side in pixels (0 = chosen from the data, see dataScales.ts). */
  cropSize: number;
  /** Fraction of background regions (IoU < train.bgThreshHi with every object, clutter included). */
  bgFraction: number;
  /** Foreground regions overlap an object at least this much (1 = ground-truth boxes only). */
  fgMinOverlap: number;
  /** Regions are enlarged by this factor (context around the box) before warping. */
  context: number;
  /**
   * true: crops keep regions at their size in the training image (shrinking only those larger than
   * cropSize / context) and the RoI is the region; false: regions are warped to the whole crop (R-CNN).
   */
  nativeScale: boolean;
  /** Random shift (fraction of the box) and size change of object crops. */
  jitter: number;
  lr: number;
  warmupIters: number;
}

export interface TrainConfig {
  /**
   * Short-side scales; one is picked at random per image (the paper's multi-scale training).
   * [] = chosen from the dataset's image and object sizes before training (dataScales.ts).
   */
  scales: number[];
  /** Cap on the long side. */
  maxSize: number;
  /** Images per mini-batch (N). */
  imsPerBatch: number;
  /** RoIs per mini-batch (R), split evenly over the N images. */
  batchSize: number;
  fgFraction: number;
  fgThresh: number;
  bgThreshHi: number;
  bgThreshLo: number;
  /** Horizontal flip augmentation (each image also appears mirrored). */
  useFlipped: boolean;
  /**
   * Augmentation (ours; off in the paper): each training image and pre-training crop gets its colour
   * channels in a random order. For data whose classes do not depend on colour (the built-in shapes).
   */
  permuteChannels: boolean;
  /**
   * Photometric augmentation (ours; 0 = off): each training image and pre-training crop gets a random
   * contrast (1 ± j), colour balance (1 ± j/2 per channel) and brightness (± j pixel stds).
   */
  colourJitter: number;
  /** Train on objects marked difficult (py-faster-rcnn's use_diff, default false). */
  useDifficult: boolean;
  /** RoIs overlapping a ground-truth box at least this much get regression targets. */
  bboxThresh: number;
  /**
   * 'computed': per-class means/stds over the training RoIs (the original fast-rcnn roidb.py);
   * 'fixed': bboxMeans/bboxStds below (py-faster-rcnn's PRECOMPUTED option); 'none'.
   */
  bboxNormalize: 'computed' | 'fixed' | 'none';
  bboxMeans: [number, number, number, number];
  bboxStds: [number, number, number, number];
  /** λ of eq. 1. */
  lambda: number;
  /** Fast R-CNN iterations; 0 = planned from the dataset size (planner.ts) or from a time budget. */
  iterations: number;
  lr: number;
  /**
   * 'sgd' (the paper's: momentum, Caffe form) or 'adam' (ours: AdamW with decoupled weight decay;
   * `momentum` is then β1, and weightDecay is decoupled). Pre-training uses the same optimizer.
   */
  optimizer: 'sgd' | 'adam';
  momentum: number;
  weightDecay: number;
  /** LR multiplier of biases (2 in the paper's prototxts). */
  biasLrMult: number;
  /** Weight-decay multiplier of biases (ours: 0, found better from scratch in RECIPES.md). */
  biasDecayMult: number;
  /** LR ×gamma at these fractions of `iterations` (the paper: 30k of 40k = 0.75). */
  stepFractions: number[];
  gamma: number;
  /** Linear warm-up iterations (ours; 0 = none) starting at warmupFactor × lr. */
  warmupIters: number;
  warmupFactor: number;
  /** Checkpoint every this many iterations (0 = off; see snapshotSeconds). */
  snapshotIters: number;
  /** Checkpoint when this many seconds have passed since the last one (0 = off). */
  snapshotSeconds: number;
  /** Proposals per image used for training (best ranked first; 0 = all). */
  maxProposals: number;
  /**
   * Online hard example mining (ours, from Shrivastava et al. 2016; off in the paper): candidates > 0
   * samples that many RoIs per image (same fg/bg rules), scores them without gradients and trains on
   * the batchSize/imsPerBatch with the highest loss after NMS at `nms` among them by loss.
   */
  hardMining: { candidates: number; nms: number };
  seed: number;
  pretrain: PretrainConfig;
}

export interface TestConfig {
  /** One scale = single-scale testing; several = image pyramid. [] = a pyramid on the training scale (dataScales.ts). */
  scales: number[];
  maxSize: number;
  /**
   * In a pyramid, each RoI goes to the scale where its area is closest to pyramidArea² (224 in the
   * paper). 0 = the RoI pooling grid times the feature stride (an RoI then covers one feature cell per bin).
   */
  pyramidArea: number;
  /** Per-class NMS IoU threshold. */
  nms: number;
  /** Detections below this score are dropped before NMS. */
  scoreThresh: number;
  maxPerImage: number;
  /** Proposals per image at test time (best ranked first; 0 = all). */
  maxProposals: number;
  /** Use the regressed boxes (false: the proposals themselves). */
  bboxReg: boolean;
  /** Also score the mirror image and average scores and deltas over both (ours; off in the paper). */
  flip: boolean;
  /** RoIs per forward pass of the fc head (bounds memory). */
  chunk: number;
}

export interface FastRcnnConfig {
  /** Per-channel pixel means (RGB), subtracted from the input. */
  pixelMeans: [number, number, number];
  /** Per-channel pixel stds (RGB); inputs are divided by them (ours; [1,1,1] = the paper's raw means). */
  pixelStds: [number, number, number];
  model: ModelConfig;
  train: TrainConfig;
  test: TestConfig;
}

/**
 * The engine's base values, on which the presets (presets.ts) are written: every key set, nothing
 * chosen from the data. Tests build their tiny configs from it.
 */
export function baseConfig(): FastRcnnConfig {
  return {
    pixelMeans: [122.7717, 115.9465, 102.9801],
    pixelStds: [58.4, 57.1, 57.4],
    model: {
      backbone: { stages: [[16], [32], [64], [128]], trainFrom: 'conv1_1', norm: 'none' },
      roiPoolSize: [7, 7],
      fc: [256, 256],
      dropout: 0.5,
      init: 'kaiming',
      svd: [0, 0],
    },
    train: {
      scales: [240],
      maxSize: 1000,
      imsPerBatch: 2,
      batchSize: 128,
      fgFraction: 0.25,
      fgThresh: 0.5,
      bgThreshHi: 0.5,
      bgThreshLo: 0.1,
      useFlipped: true,
      permuteChannels: false,
      colourJitter: 0,
      useDifficult: false,
      bboxThresh: 0.5,
      bboxNormalize: 'computed',
      bboxMeans: [0, 0, 0, 0],
      bboxStds: [0.1, 0.1, 0.2, 0.2],
      lambda: 1,
      iterations: 1000,
      lr: 0.02,
      optimizer: 'sgd',
      momentum: 0.9,
      weightDecay: 5e-4,
      biasLrMult: 2,
      biasDecayMult: 0,
      stepFractions: [0.8],
      gamma: 0.1,
      warmupIters: 100,
      warmupFactor: 0.1,
      snapshotIters: 0,
      snapshotSeconds: 300, // a checkpoint every 5 minutes: a crash or Ctrl-C loses little
      maxProposals: 2000,
      hardMining: { candidates: 0, nms: 0.7 },
      seed: 3,
      pretrain: {
        iterations: 0,
        ratio: 0,
        batch: 64,
        cropSize: 32,
        bgFraction: 0.25,
        fgMinOverlap: 0.8,
        context: 1.2,
        nativeScale: false,
        jitter: 0.05,
        lr: 0.05,
        warmupIters: 20,
      },
    },
    test: {
      scales: [240],
      maxSize: 1000,
      pyramidArea: 224,
      nms: 0.3,
      scoreThresh: 0.05,
      maxPerImage: 100,
      maxProposals: 2000,
      bboxReg: true,
      flip: false,
      chunk: 1024,
    },
  };
}

/** The shape of VGG16's conv layers (for `--config`), with the paper's fine-tuning from conv3_1. */
export function vgg16Backbone(): BackboneConfig {
  return {
    stages: [
      [64, 64],
      [128, 128],
      [256, 256, 256],
      [512, 512, 512],
      [512, 512, 512],
    ],
    trainFrom: 'conv3_1',
    norm: 'none',
  };
}

/** Checks ranges and consistency; returns the config. */
export function validateConfig(c: FastRcnnConfig): FastRcnnConfig {
  const bad = (k: string, why: string): never => {
    throw new Error(`config '${k}': ${why}`);
  };
  const posInt = (k: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) bad(k, `must be a positive integer, got ${v}`);
  };
  if (!c.model.backbone.stages.length || c.model.backbone.stages.some((s) => !s.length))
    bad('model.backbone.stages', 'needs at least one stage of at least one conv');
  c.model.backbone.stages.flat().forEach((v) => posInt('model.backbone.stages', v));
  c.model.roiPoolSize.forEach((v) => posInt('model.roiPoolSize', v));
  c.model.fc.forEach((v) => posInt('model.fc', v));
  c.model.svd.forEach((v) => {
    if (!Number.isInteger(v) || v < 0) bad('model.svd', `ranks must be integers >= 0, got ${v}`);
  });
  if (!(c.model.dropout >= 0 && c.model.dropout < 1)) bad('model.dropout', 'must be in [0, 1)');
  if (!['none', 'instance'].includes(c.model.backbone.norm))
    bad('model.backbone.norm', `must be 'none' or 'instance', got '${c.model.backbone.norm}'`);
  if (!convNames(c.model.backbone.stages).includes(c.model.backbone.trainFrom)) {
    bad(
      'model.backbone.trainFrom',
      `'${c.model.backbone.trainFrom}' is not a conv layer (${convNames(c.model.backbone.stages).join(', ')})`,
    );
  }
  const t = c.train;
  t.scales.forEach((v) => posInt('train.scales', v));
  c.test.scales.forEach((v) => posInt('test.scales', v));
  if (!(c.test.pyramidArea >= 0)) bad('test.pyramidArea', 'must be >= 0 (0 = from the RoI pooling grid)');
  posInt('train.imsPerBatch', t.imsPerBatch);
  posInt('train.batchSize', t.batchSize);
  if (t.batchSize % t.imsPerBatch !== 0) bad('train.batchSize', `must be a multiple of imsPerBatch (${t.imsPerBatch})`);
  if (!(t.fgFraction >= 0 && t.fgFraction <= 1)) bad('train.fgFraction', 'must be in [0, 1]');
  if (!(t.bgThreshLo <= t.bgThreshHi)) bad('train.bgThreshLo', 'must be <= bgThreshHi');
  if (!Number.isInteger(t.iterations) || t.iterations < 0)
    bad('train.iterations', `must be an integer >= 0 (0 = planned), got ${t.iterations}`);
  if (!(t.pretrain.ratio >= 0 && t.pretrain.ratio <= 10)) bad('train.pretrain.ratio', `must be in [0, 10], got ${t.pretrain.ratio}`);
  if (!(t.snapshotSeconds >= 0)) bad('train.snapshotSeconds', 'must be >= 0');
  if (!Number.isInteger(t.snapshotIters) || t.snapshotIters < 0) bad('train.snapshotIters', 'must be an integer >= 0');
  const hm = t.hardMining;
  if (!Number.isInteger(hm.candidates) || hm.candidates < 0)
    bad('train.hardMining.candidates', `must be an integer >= 0, got ${hm.candidates}`);
  if (hm.candidates > 0 && hm.candidates < t.batchSize / t.imsPerBatch)
    bad('train.hardMining.candidates', `must be 0 (off) or >= the RoIs per image (${t.batchSize / t.imsPerBatch})`);
  if (!(hm.nms > 0 && hm.nms <= 1)) bad('train.hardMining.nms', 'must be in (0, 1]');
  if (!Number.isInteger(t.pretrain.iterations) || t.pretrain.iterations < 0) bad('train.pretrain.iterations', 'must be an integer >= 0');
  posInt('train.pretrain.batch', t.pretrain.batch);
  const cs = t.pretrain.cropSize;
  if (cs !== 0 && (!Number.isInteger(cs) || cs < featureStride(c.model.backbone.stages)))
    bad(
      'train.pretrain.cropSize',
      `must be 0 (from the data) or an integer >= the feature stride ${featureStride(c.model.backbone.stages)}`,
    );
  if (!(t.pretrain.bgFraction >= 0 && t.pretrain.bgFraction <= 1)) bad('train.pretrain.bgFraction', 'must be in [0, 1]');
  if (!(t.lr > 0)) bad('train.lr', 'must be > 0');
  if (!(t.colourJitter >= 0 && t.colourJitter < 1)) bad('train.colourJitter', 'must be in [0, 1)');
  if (!['sgd', 'adam'].includes(t.optimizer)) bad('train.optimizer', `must be 'sgd' or 'adam', got '${t.optimizer}'`);
  if (!(t.momentum >= 0 && t.momentum < 1)) bad('train.momentum', 'must be in [0, 1)');
  if (t.bboxStds.some((s) => !(s > 0))) bad('train.bboxStds', 'must be > 0');
  if (!(c.test.nms > 0 && c.test.nms <= 1)) bad('test.nms', 'must be in (0, 1]');
  posInt('test.chunk', c.test.chunk);
  if (c.pixelStds.some((s) => !(s > 0))) bad('pixelStds', 'must be > 0');
  // Sizes a config (a model file's included) may ask for: far above any use here, far below what
  // would take gigabytes before the first check of the data.
  const upTo = (k: string, v: number, max: number) => {
    if (!Number.isInteger(v) || v < 1 || v > max) bad(k, `must be an integer in [1, ${max}], got ${v}`);
  };
  if (c.pixelMeans.length !== 3 || c.pixelStds.length !== 3) bad('pixelMeans', 'pixelMeans and pixelStds need 3 values (R, G, B)');
  if (c.model.backbone.stages.length > 8 || c.model.backbone.stages.some((st) => st.length > 8))
    bad('model.backbone.stages', 'at most 8 stages of at most 8 convs');
  c.model.backbone.stages.flat().forEach((v) => upTo('model.backbone.stages', v, 4096));
  c.model.fc.forEach((v) => upTo('model.fc', v, 16384));
  if (c.model.fc.length !== 2) bad('model.fc', `needs 2 sizes (fc6, fc7), got ${c.model.fc.length}`);
  c.model.roiPoolSize.forEach((v) => upTo('model.roiPoolSize', v, 32));
  if (c.model.roiPoolSize.length !== 2) bad('model.roiPoolSize', 'needs [height, width]');
  if (c.model.svd.length !== 2) bad('model.svd', 'needs 2 ranks (fc6, fc7; 0 = not compressed)');
  const MAX_SIDE = 2048; // 4 megapixels a level: far above what a CPU detector can use, far below gigabytes
  upTo('train.maxSize', t.maxSize, MAX_SIDE);
  upTo('test.maxSize', c.test.maxSize, MAX_SIDE);
  t.scales.forEach((v) => upTo('train.scales', v, MAX_SIDE));
  c.test.scales.forEach((v) => upTo('test.scales', v, MAX_SIDE));
  if (!(c.test.scoreThresh >= 0 && c.test.scoreThresh <= 1)) bad('test.scoreThresh', `must be in [0, 1], got ${c.test.scoreThresh}`);
  upTo('test.maxPerImage', c.test.maxPerImage, 100000);
  if (t.stepFractions.some((f) => !(f > 0 && f < 1))) bad('train.stepFractions', `must be in (0, 1), got [${t.stepFractions}]`);
  if (!(t.gamma > 0 && t.gamma <= 1)) bad('train.gamma', `must be in (0, 1], got ${t.gamma}`);
  if (!(t.weightDecay >= 0)) bad('train.weightDecay', 'must be >= 0');
  return c;
}

/** Names of the conv layers of a backbone: conv<stage>_<index>, 1-based, as VGG's. */
export function convNames(stages: number[][]): string[] {
  return stages.flatMap((s, i) => s.map((_, j) => `conv${i + 1}_${j + 1}`));
}

/** Feature stride of a backbone: 2^(stages − 1). */
export function featureStride(stages: number[][]): number {
  return 2 ** (stages.length - 1);
}

/**
 * The settings still to be chosen from the data or a plan (empty scales, pyramidArea 0, cropSize 0,
 * iterations 0); a config with none of them can train and test as it is.
 */
export function unresolvedKeys(c: FastRcnnConfig): string[] {
  const out: string[] = [];
  if (!c.train.scales.length) out.push('train.scales');
  if (!c.test.scales.length) out.push('test.scales');
  if (c.test.pyramidArea === 0) out.push('test.pyramidArea');
  if (c.train.pretrain.cropSize === 0) out.push('train.pretrain.cropSize');
  if (c.train.iterations === 0) out.push('train.iterations');
  return out;
}
