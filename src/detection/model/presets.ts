// Named recipes, each a set of overrides on baseConfig(): `default` (the measured from-scratch recipe
// that `fastrcnn train` uses with no flags), `paper` (the original lib/fast_rcnn/config.py and VGG16
// solver values, for comparison) and `shapes` (the demo's, for the built-in synthetic shapes).
// Values left empty or 0 (scales, pyramidArea, cropSize, iterations) are chosen from the data or a
// time budget before training (dataScales.ts, planner.ts); the model file records the resolved config.
import { type FastRcnnConfig, baseConfig, validateConfig } from './config.js';
import { mergeConfig } from './configOverrides.js';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };
export type ConfigOverrides = DeepPartial<FastRcnnConfig>;

export const PRESET_NAMES = ['default', 'paper', 'shapes'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/**
 * Each preset's overrides of baseConfig(). The `default` values were measured on real-photo VOC
 * sets and on the synthetic shapes (see README "Training on your own data").
 */
export const PRESETS: Record<PresetName, { summary: string; overrides: ConfigOverrides }> = {
  default: {
    summary:
      'the measured from-scratch recipe: instance norm, 4x4 RoI pooling, crop pre-training, hard example mining, flip at test; scales and iterations from the data',
    overrides: {
      model: {
        backbone: { norm: 'instance' }, // +4 points at equal iterations, no running statistics
        roiPoolSize: [4, 4], // fc6 a third of 7x7's size: faster iterations and +5..7 points
        dropout: 0, // fc6/fc7 are 256 wide, not 4096
      },
      train: {
        scales: [], // from the image and object sizes (dataScales.ts)
        iterations: 0, // from the dataset size (planner.ts) or the time budget
        bgThreshLo: 0, // clutter with no overlap must be seen as background too
        stepFractions: [0.7],
        hardMining: { candidates: 256, nms: 0.7 }, // the 64 hardest of 256 per image
        pretrain: { iterations: 0, ratio: 0.4, nativeScale: true, cropSize: 0 }, // 1500 : 3700 in the demo
      },
      test: { scales: [], pyramidArea: 0, scoreThresh: 0.001, flip: true },
    },
  },
  paper: {
    summary:
      "the paper's method: the original config.py (scales 600, max 1000, N=2, R=128, 25% fg, bg [0.1, 0.5)) and VGG16 solver (LR 0.001, step at 30k of 40k)",
    overrides: {
      pixelMeans: [122.7717, 115.9465, 102.9801], // PIXEL_MEANS (BGR 102.9801, 115.9465, 122.7717)
      pixelStds: [1, 1, 1], // raw mean-subtracted pixels
      model: { roiPoolSize: [7, 7], dropout: 0.5, backbone: { norm: 'none' } },
      train: {
        scales: [600],
        maxSize: 1000,
        imsPerBatch: 2,
        batchSize: 128,
        fgFraction: 0.25,
        fgThresh: 0.5,
        bgThreshHi: 0.5,
        bgThreshLo: 0.1,
        useFlipped: true,
        bboxThresh: 0.5,
        snapshotIters: 10000,
        seed: 3, // RNG_SEED
        iterations: 40000,
        lr: 0.001,
        momentum: 0.9,
        weightDecay: 0.0005,
        gamma: 0.1,
        stepFractions: [0.75], // solver.prototxt
        biasLrMult: 2,
        biasDecayMult: 0, // the prototxts' bias lr_mult / decay_mult
        warmupIters: 0,
        hardMining: { candidates: 0 },
        permuteChannels: false,
        pretrain: { iterations: 0, ratio: 0 },
      },
      test: { scales: [600], maxSize: 1000, nms: 0.3, bboxReg: true, flip: false, pyramidArea: 224 },
    },
  },
  shapes: {
    summary:
      "the demo's recipe for the built-in shapes (160x120): the default plus channel-order augmentation, its scales and 1500 + 3700 steps",
    overrides: {
      model: { backbone: { norm: 'instance' }, roiPoolSize: [4, 4], dropout: 0 },
      train: {
        scales: [120],
        iterations: 3700,
        bgThreshLo: 0,
        stepFractions: [0.7],
        hardMining: { candidates: 256, nms: 0.7 },
        permuteChannels: true, // the shapes' classes do not depend on colour
        pretrain: { iterations: 1500, ratio: 0, nativeScale: true, cropSize: 36 },
      },
      test: { scales: [120, 180, 240], pyramidArea: 32, scoreThresh: 0.001, flip: true },
    },
  },
};

/** A preset's full config (unresolved values stay 0/[] until the data is seen). */
export function presetConfig(name: string): FastRcnnConfig {
  if (!(PRESET_NAMES as readonly string[]).includes(name)) {
    throw new Error(`unknown preset '${name}' (presets: ${PRESET_NAMES.join(', ')})`);
  }
  return validateConfig(mergeConfig(baseConfig(), PRESETS[name as PresetName].overrides));
}
