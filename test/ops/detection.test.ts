// The detector's tensor ops through the engine (any backend): roiPool, roiAlign, smoothL1 and
// fastRcnnLoss against the torchvision/numpy fixtures, plus float64 finite-difference checks.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.js';
import { tol } from '../helpers/backend.js';
import { assertClose, assertEqualArrays, maxAbs } from '../helpers/close.js';
import { fixtureCases, toF32, toI32 } from '../helpers/fixtures.js';

const test = suite('ops: detection (roiPool, roiAlign, smoothL1, fastRcnnLoss)');

function roiCase(c: any) {
  const x = fr.tensor(toF32(c.input.x), c.input.x.shape);
  const rois = fr.tensor(toF32(c.input.rois), c.input.rois.shape);
  const g = fr.tensor(toF32(c.input.grad_output), c.input.grad_output.shape);
  return { x, rois, g, opts: { outputSize: c.input.output_size as [number, number], spatialScale: c.input.spatial_scale } };
}

test('roiPool: every fixture case exactly (output, argmax, gradient through the switches)', () => {
  for (const c of fixtureCases('roi_pool')) {
    const { x, rois, g, opts } = roiCase(c);
    const { output, argmax } = fr.roiPoolWithArgmax(x, rois, opts);
    assertEqualArrays(output.dataSync(), toF32(c.expected.output), `${c.id} output`);
    assertEqualArrays(argmax.dataSync(), toI32(c.expected.argmax), `${c.id} argmax`);
    const dx = fr.grad((t) => fr.sum(fr.mul(fr.roiPool(t, rois, opts), g)))(x);
    // exact on WASM; on WebGL the product with g and the sum are float32 ops on the GPU
    assertClose(dx.dataSync(), toF32(c.expected.grad_input), tol(0, 1e-5), tol(0, 1e-6), `${c.id} grad_input`);
    fr.engine.tape.clear();
    [x, rois, g, output, argmax, dx].forEach((t) => t.dispose());
  }
});

test('roiAlign: every fixture case (output and gradient, 1e-5 × max|x|)', () => {
  for (const c of fixtureCases('roi_align')) {
    const { x, rois, g, opts } = roiCase(c);
    const o = { ...opts, samplingRatio: c.input.sampling_ratio, aligned: c.input.aligned };
    const scale = Math.max(1, maxAbs(toF32(c.input.x)));
    const y = fr.roiAlign(x, rois, o);
    assertClose(y.dataSync(), toF32(c.expected.output), 0, 1e-5 * scale, `${c.id} output`);
    const dx = fr.grad((t) => fr.sum(fr.mul(fr.roiAlign(t, rois, o), g)))(x);
    assertClose(
      dx.dataSync(),
      toF32(c.expected.grad_input),
      0,
      tol(1e-5, 1e-4) * Math.max(1, maxAbs(toF32(c.expected.grad_input))),
      `${c.id} grad_input`,
    );
    [x, rois, g, y, dx].forEach((t) => t.dispose());
  }
});

test('roiPool / roiAlign: float64 finite differences (away from ties)', () => {
  const rng = new fr.Rng(3);
  const n = 2 * 3 * 9 * 11;
  const xs = rng.shuffle(Array.from({ length: n }, (_, i) => -1 + (2 * i) / n));
  const x = fr.tensor(Float32Array.from(xs), [2, 3, 9, 11]);
  const rois = fr.tensor([
    [0, 0, 0, 40, 30],
    [1, 8, 4, 35, 33],
    [0, 20.4, 10.6, 43.7, 35.2],
  ]);
  for (const [name, f] of [
    ['roiPool', (t: fr.Tensor) => fr.roiPool(t, rois, { outputSize: [3, 2], spatialScale: 0.25 })],
    ['roiAlign', (t: fr.Tensor) => fr.roiAlign(t, rois, { outputSize: [3, 2], spatialScale: 0.25, samplingRatio: 2, aligned: true })],
  ] as const) {
    const y0 = f(x);
    const g = fr.randomUniform(y0.shape, -1, 1, { rng });
    const an = fr
      .grad((t) => fr.sum(fr.mul(f(t), g)))(x)
      .dataSync();
    // numeric: both ops are piecewise linear in x, so float32 central differences with a step
    // smaller than the gap between values are exact up to rounding
    const eps = 1e-3,
      base = Float32Array.from(xs);
    const idx = Array.from({ length: 40 }, () => rng.int(0, n));
    for (const i of idx) {
      const fx = (v: number) => {
        const d = base.slice();
        d[i] = v;
        const t = fr.tensor(d, [2, 3, 9, 11]);
        const s = fr.noGrad(() => fr.sum(fr.mul(f(t), g))).item();
        t.dispose();
        return s;
      };
      const num = (fx(base[i] + eps) - fx(base[i] - eps)) / (2 * eps);
      assert.ok(Math.abs(num - an[i]) <= 2e-2 * Math.max(1, Math.abs(num)), `${name} d/dx[${i}]: analytic ${an[i]} numeric ${num}`);
    }
  }
});

test('smoothL1: fixture values for none/sum/mean and gradients', () => {
  for (const c of fixtureCases('smooth_l1')) {
    const input = fr.tensor(toF32(c.input.input)),
      target = fr.tensor(toF32(c.input.target));
    const beta = c.input.beta;
    for (const red of ['none', 'sum', 'mean'] as const) {
      const e = c.expected[`loss_${red}`];
      assertClose(
        fr.smoothL1(input, target, { beta, reduction: red }).dataSync(),
        red === 'none' ? toF32(e) : [e],
        tol(1e-6, 1e-5),
        1e-7,
        `${c.id} loss_${red}`,
      );
      const go = red === 'none' ? fr.tensor(toF32(c.input.grad_output_none)) : null;
      const gi = fr.grad((t) => {
        const l = fr.smoothL1(t, target, { beta, reduction: red });
        return go ? fr.sum(fr.mul(l, go)) : l;
      })(input);
      assertClose(gi.dataSync(), toF32(c.expected[`grad_input_${red}`]), tol(1e-6, 1e-5), 1e-7, `${c.id} grad_${red}`);
    }
  }
  assert.throws(() => fr.smoothL1(fr.zeros([3]), fr.zeros([4])), /smoothL1: input \[3\] and target \[4\] differ in shape/);
  assert.throws(() => fr.smoothL1(fr.zeros([3]), fr.zeros([3]), { beta: -1 }), /beta must be finite and >= 0/);
});

test('fastRcnnLoss: fixture losses and gradients (cls and bbox)', () => {
  for (const c of fixtureCases('fast_rcnn_loss')) {
    const cls = fr.tensor(toF32(c.input.cls_score), c.input.cls_score.shape);
    const labels = fr.tensor(toI32(c.input.labels), c.input.labels.shape, 'int32');
    const bbox = fr.tensor(toF32(c.input.bbox_pred), c.input.bbox_pred.shape);
    const targets = fr.tensor(toF32(c.input.bbox_targets), c.input.bbox_targets.shape);
    const lambda = c.input.lambda;
    const { lossCls, lossLoc, loss } = fr.fastRcnnLoss(cls, labels, bbox, targets, { lambda });
    const rt = tol(1e-6, 1e-5);
    assertClose([lossCls.item()], [c.expected.loss_cls], rt, 1e-7, `${c.id} loss_cls`);
    assertClose([lossLoc.item()], [c.expected.loss_loc], rt, 1e-7, `${c.id} loss_loc`);
    assertClose([loss.item()], [c.expected.loss_total], rt, 1e-7, `${c.id} loss_total`);
    const [gc, gb] = fr.grads((a, b) => fr.fastRcnnLoss(a, labels, b, targets, { lambda }).loss)(cls, bbox);
    assertClose(gc.dataSync(), toF32(c.expected.grad_cls_score), tol(1e-5, 1e-4), 1e-7, `${c.id} grad_cls_score`);
    assertClose(gb.dataSync(), toF32(c.expected.grad_bbox_pred), tol(1e-5, 1e-4), 1e-7, `${c.id} grad_bbox_pred`);
  }
});

test('roiPool: clear errors for bad rois', () => {
  const x = fr.zeros([2, 3, 8, 8]);
  const o = { outputSize: [2, 2] as [number, number], spatialScale: 0.5 };
  assert.throws(() => fr.roiPool(x, fr.zeros([3, 4]), o), /roiPool: rois must be \[R,5\] = \(batchIndex, x1, y1, x2, y2\), got \[3,4\]/);
  assert.throws(() => fr.roiPool(x, fr.tensor([[2, 0, 0, 4, 4]]), o), /RoI 0 has batch index 2, outside \[0, 2\)/);
  assert.throws(() => fr.roiPool(x, fr.tensor([[0, 0, NaN, 4, 4]]), o), /RoI 0 has a non-finite coordinate/);
  assert.throws(
    () => fr.roiPool(x, fr.tensor([[0, 0, 0, 4, 4]]), { outputSize: [2, 2], spatialScale: -1 }),
    /spatialScale must be a positive finite number/,
  );
  const inv = fr.roiPool(x, fr.tensor([[0, 6, 6, 1, 1]]), o); // inverted: reference semantics, no crash
  assert.equal(inv.shape, [1, 3, 2, 2]);
});

test.run();
