// Presets load and validate; `paper` holds the original fast-rcnn config.py and VGG16 solver values
// key by key (the table below is copied from those files, not from our code); `shapes` is the demo's.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PRESET_NAMES, presetConfig } from '../../src/detection/model/presets.js';
import { unresolvedKeys, validateConfig } from '../../src/detection/model/config.js';

const test = suite('detection: presets');

test('every preset loads and validates; an unknown name lists the presets', () => {
  for (const n of PRESET_NAMES) validateConfig(presetConfig(n));
  assert.throws(() => presetConfig('fastest'), /unknown preset 'fastest' \(presets: default, paper, shapes\)/);
});

test('paper: the original lib/fast_rcnn/config.py and solver.prototxt values', () => {
  const c = presetConfig('paper');
  // lib/fast_rcnn/config.py (Fast R-CNN, 2015)
  const original: [string, unknown, unknown][] = [
    ['TRAIN.SCALES (600,)', c.train.scales, [600]],
    ['TRAIN.MAX_SIZE 1000', c.train.maxSize, 1000],
    ['TRAIN.IMS_PER_BATCH 2', c.train.imsPerBatch, 2],
    ['TRAIN.BATCH_SIZE 128', c.train.batchSize, 128],
    ['TRAIN.FG_FRACTION 0.25', c.train.fgFraction, 0.25],
    ['TRAIN.FG_THRESH 0.5', c.train.fgThresh, 0.5],
    ['TRAIN.BG_THRESH_HI 0.5', c.train.bgThreshHi, 0.5],
    ['TRAIN.BG_THRESH_LO 0.1', c.train.bgThreshLo, 0.1],
    ['TRAIN.USE_FLIPPED True', c.train.useFlipped, true],
    ['TRAIN.BBOX_THRESH 0.5', c.train.bboxThresh, 0.5],
    ['TRAIN.SNAPSHOT_ITERS 10000', c.train.snapshotIters, 10000],
    ['TEST.SCALES (600,)', c.test.scales, [600]],
    ['TEST.MAX_SIZE 1000', c.test.maxSize, 1000],
    ['TEST.NMS 0.3', c.test.nms, 0.3],
    ['TEST.BBOX_REG True', c.test.bboxReg, true],
    ['PIXEL_MEANS BGR [102.9801, 115.9465, 122.7717] (ours RGB)', c.pixelMeans, [122.7717, 115.9465, 102.9801]],
    ['RNG_SEED 3', c.train.seed, 3],
    // models/VGG16/solver.prototxt and train.prototxt
    ['base_lr 0.001', c.train.lr, 0.001],
    ['momentum 0.9', c.train.momentum, 0.9],
    ['weight_decay 0.0005', c.train.weightDecay, 0.0005],
    ['gamma 0.1', c.train.gamma, 0.1],
    ['stepsize 30000 of max_iter 40000', c.train.stepFractions.map((f) => f * c.train.iterations), [30000]],
    ['max_iter 40000', c.train.iterations, 40000],
    ['bias lr_mult 2', c.train.biasLrMult, 2],
    ['bias decay_mult 0', c.train.biasDecayMult, 0],
    ['roi_pool pooled_w/h 7', c.model.roiPoolSize, [7, 7]],
    ['dropout_ratio 0.5', c.model.dropout, 0.5],
    ['no warm-up', c.train.warmupIters, 0],
    ['no input std division', c.pixelStds, [1, 1, 1]],
  ];
  for (const [what, got, want] of original) assert.equal(got, want, what);
  assert.is(c.train.hardMining.candidates, 0, 'no hard mining');
  assert.is(c.train.pretrain.iterations, 0, 'no pre-training');
  assert.is(c.test.flip, false);
  assert.equal(unresolvedKeys(c), [], 'nothing left to the data');
});

test('default: what train uses with no flags; scales and iterations left to the data', () => {
  const c = presetConfig('default');
  assert.equal(unresolvedKeys(c).sort(), [
    'test.pyramidArea',
    'test.scales',
    'train.iterations',
    'train.pretrain.cropSize',
    'train.scales',
  ]);
  assert.is(c.train.permuteChannels, false, 'colour carries meaning in real photos');
  assert.is(c.model.backbone.norm, 'instance');
  assert.ok(c.train.hardMining.candidates > 0);
  assert.ok(c.train.snapshotSeconds > 0, 'checkpoints every few minutes');
});

test("shapes: the demo's fixed recipe", () => {
  const c = presetConfig('shapes');
  assert.equal(unresolvedKeys(c), []);
  assert.equal(
    [c.train.scales, c.test.scales, c.test.pyramidArea, c.train.pretrain.cropSize, c.train.iterations, c.train.pretrain.iterations],
    [[120], [120, 180, 240], 32, 36, 3700, 1500],
  );
  assert.is(c.train.permuteChannels, true);
});

test.run();
