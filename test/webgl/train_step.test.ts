// A Fast R-CNN training step (backbone with instance norm, max pooling, RoI pooling, fc6/fc7 with
// dropout, both heads, the multi-task loss, backward) on the active backend: every dense kernel runs
// on it, only the detector's own kernels (RoI pooling, smooth-L1) fall back to WASM, and on WebGL
// the loss and gradients match the same step on WASM.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.js';
import { BACKEND } from '../helpers/backend.js';
import { assertClose, maxAbs } from '../helpers/close.js';
import { baseConfig } from '../../src/detection/model/config.js';
import { createModel } from '../../src/detection/model/fastRcnn.js';
import { fastRcnnLoss } from '../../src/detection/model/loss.js';

const test = suite('webgl: a Fast R-CNN training step');

/** Kernels that are the detector's own and run in WASM by design. */
const WASM_BY_DESIGN = new Set(['RoiPool', 'RoiPoolGrad', 'RoiAlign', 'RoiAlignGrad', 'SmoothL1', 'SmoothL1Grad']);

function step(backend: string): { loss: number; grads: Map<string, Float32Array>; kernels: Map<string, string> } {
  fr.setBackend(backend);
  const cfg = baseConfig();
  cfg.model.backbone.stages = [[8], [16, 16], [12]];
  cfg.model.backbone.norm = 'instance';
  cfg.model.fc = [32, 24];
  cfg.model.roiPoolSize = [3, 3];
  const model = createModel(cfg, ['cat', 'dog', 'bird'], 7);
  model.train();
  const rng = new fr.Rng(11);
  const H = 40,
    W = 54,
    R = 20;
  const images = [0, 1].map(() =>
    fr.tensor(
      Float32Array.from({ length: 3 * H * W }, () => rng.uniform(-1, 1)),
      [1, 3, H, W],
    ),
  );
  const rois = [0, 1].map(() => {
    const r = new Float32Array(R * 5);
    for (let i = 0; i < R; i++) {
      const x1 = Math.floor(rng.uniform(0, W - 12)),
        y1 = Math.floor(rng.uniform(0, H - 12));
      r.set([0, x1, y1, x1 + 8 + Math.floor(rng.uniform(0, 4)), y1 + 8 + Math.floor(rng.uniform(0, 4))], i * 5);
    }
    return fr.tensor(r, [R, 5]);
  });
  const labels = fr.tensor(Int32Array.from({ length: 2 * R }, (_, i) => (i % 3 === 0 ? 1 + (i % 3) : i % 4 === 0 ? 2 : 0)));
  const targets = fr.tensor(
    Float32Array.from({ length: 2 * R * 4 }, () => rng.uniform(-1, 1)),
    [2 * R, 4],
  );
  const kernels = new Map<string, string>();
  const run = fr.engine.runKernel.bind(fr.engine);
  fr.engine.runKernel = (name, inputs, ...attrs) => {
    kernels.set(name, fr.engine.backend.kernels.has(name) ? fr.engine.backend.name : 'wasm');
    return run(name, inputs, ...attrs);
  };
  let loss: number;
  try {
    const l = fr.tidy(() => {
      const { clsScore, bboxPred } = model.forwardImages(images, rois);
      return fastRcnnLoss(clsScore, labels, bboxPred, targets).loss;
    });
    loss = l.item();
    l.backward();
    l.dispose();
  } finally {
    fr.engine.runKernel = run;
  }
  const grads = new Map(model.namedParameters().map((p) => [p.name, p.tensor.grad!.dataSync().slice() as Float32Array]));
  model.dispose();
  [...images, ...rois, labels, targets].forEach((t) => t.dispose());
  return { loss, grads, kernels };
}

test('dense kernels run on the active backend; only the detector kernels fall back', () => {
  const s = step(BACKEND);
  for (const [name, where] of s.kernels) {
    if (WASM_BY_DESIGN.has(name)) continue;
    assert.is(where, BACKEND, `${name} ran on ${where}`);
  }
  for (const k of ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'MaxPool2D', 'MatMul', 'LogSoftmax', 'RoiPool']) {
    assert.ok(s.kernels.has(k), `the step uses ${k}`);
  }
  assert.ok(Number.isFinite(s.loss));
});

if (BACKEND === 'webgl') {
  test('loss and every parameter gradient match the same step on wasm', () => {
    const g = step('webgl');
    const c = step('wasm');
    fr.setBackend('webgl');
    assertClose([g.loss], [c.loss], 1e-4, 1e-6, 'loss');
    assert.is(g.grads.size, c.grads.size);
    for (const [name, v] of c.grads) {
      assertClose(g.grads.get(name)!, v, 0, 1e-3 * Math.max(1e-3, maxAbs(v)), `grad ${name}`);
    }
  });
}

test.run();
