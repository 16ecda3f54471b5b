// The whole pipeline, short (~30-50 s): synthesize a small dataset (90 images of 160×120, two shape
// classes), Selective Search on worker threads, pre-training on warped regions then 250 Fast R-CNN
// iterations of a smaller network, testing on the 27 held-out images. This run reaches mAP ≈ 0.25
// (deterministic: seeded data, sampling and initialization); an untrained network of the same shape
// scores ≈ 0.07 (asserted < 0.1). The floor, 0.15, sits between the two, so a regression anywhere in
// the chain (data, proposals, sampling, targets, RoI pooling, losses, SGD, decoding, NMS, evaluation)
// fails it, while the demo (npm run demo) measures the level reached with the full budget. Also: the
// saved model file gives the same detections as the model in memory (normalization folded).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import '../../src/index.js';
import '../helpers/backend.js';
import { synthesize } from '../../src/app/data/synth.js';
import { type FastRcnnConfig, baseConfig } from '../../src/detection/model/config.js';
import { detect, imDetect } from '../../src/detection/model/detect.js';
import { loadModel } from '../../src/app/files.js';
import { createModel } from '../../src/detection/model/fastRcnn.js';
import { proposalsStep, testStep } from '../../src/app/pipeline.js';
import { trainDetector } from '../../src/app/train.js';
import { loadVocImage, readVoc } from '../../src/app/data/voc.js';
import { loadProposals } from '../../src/proposals/proposalFiles.js';
import { tempDir } from './helpers.js';

const test = suite('detection: pipeline (short demo)');

function shortConfig(): FastRcnnConfig {
  const c = baseConfig();
  c.model.backbone.stages = [[16], [32], [64], [64]];
  c.model.fc = [128, 128];
  c.model.dropout = 0;
  c.train.scales = [120];
  c.test.scales = [120];
  c.train.iterations = 250;
  c.train.warmupIters = 25;
  c.train.bgThreshLo = 0;
  c.train.stepFractions = [0.7];
  c.train.pretrain.iterations = 250;
  c.train.pretrain.batch = 32;
  c.test.scoreThresh = 0.001;
  return c;
}

test('synth -> proposals -> train -> test reaches the mAP floor; saved model = unsaved model', async () => {
  const t0 = performance.now();
  const root = tempDir('pipeline');
  const data = join(root, 'data');
  synthesize({
    outDir: data,
    images: 90,
    seed: 17,
    width: 160,
    height: 120,
    classes: ['circle', 'cross'],
    testFraction: 0.3,
    format: 'png',
  });
  for (const split of ['trainval', 'test']) await proposalsStep({ data, split, workers: 2, log: () => {} });
  const tProps = performance.now();
  const cfg = shortConfig();
  const out = join(root, 'model.safetensors');
  const r = await trainDetector({ data, out, config: cfg, log: null, progress: 'none', workers: 1 });
  const tTrain = performance.now();
  const res = testStep({ model: { model: r.model, config: r.config }, data, split: 'test', results: join(root, 'results'), log: () => {} });
  const secs = (performance.now() - t0) / 1000;
  console.log(
    `\n    short pipeline: mAP07 ${res.table.map07.toFixed(3)} (VOC10 ${res.table.mapAll.toFixed(3)}) in ${secs.toFixed(1)} s ` +
      `(proposals ${((tProps - t0) / 1000).toFixed(1)} s, training ${((tTrain - tProps) / 1000).toFixed(1)} s at ${r.secondsPerIter.toFixed(3)} s/iter)`,
  );
  assert.ok(res.table.map07 >= 0.15, `mAP ${res.table.map07}`);

  // The untrained network of the same shape is far below the floor.
  const untrained = createModel(cfg, r.model.classes);
  const base = testStep({ model: { model: untrained, config: cfg }, data, split: 'test', results: join(root, 'results0'), log: () => {} });
  console.log(`    untrained network: mAP07 ${base.table.map07.toFixed(3)}`);
  assert.ok(base.table.map07 < 0.1, `untrained mAP ${base.table.map07}`);
  untrained.dispose();

  // The file (normalization folded) detects exactly what the in-memory model (normalization applied
  // at test time) does, up to float32 rounding.
  const loaded = loadModel(out).model;
  const ds = readVoc(data, { split: 'test' });
  for (const rec of ds.records.slice(0, 5)) {
    const img = loadVocImage(rec);
    const props = loadProposals(join(data, 'proposals'), rec.id).boxes;
    // Every RoI's scores and class-specific boxes (before thresholds, so no tie can flip a decision).
    const a = imDetect(r.model, img, props, r.config),
      b = imDetect(loaded, img, props, r.config);
    assert.is(b.scores.length, a.scores.length);
    let ds = 0,
      db = 0;
    for (let i = 0; i < a.scores.length; i++) ds = Math.max(ds, Math.abs(a.scores[i] - b.scores[i]));
    for (let i = 0; i < a.boxes.length; i++) db = Math.max(db, Math.abs(a.boxes[i] - b.boxes[i]));
    assert.ok(ds < 1e-5 && db < 1e-2, `${rec.id}: scores differ by ${ds}, boxes by ${db} px`);
    assert.equal(
      detect(loaded, img, props, r.config).detections.map((d) => d.className),
      detect(r.model, img, props, r.config).detections.map((d) => d.className),
    );
  }
  loaded.dispose();
  r.model.dispose();
});

test.run();
