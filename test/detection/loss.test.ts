import { test } from 'uvu';
import * as assert from 'uvu/assert';
// The Fast R-CNN loss: the float64 oracle (test/reference/loss.ts) against the numpy fixtures and
// finite differences, then the tensor op fr.fastRcnnLoss against the oracle.
import { fastRcnnLoss, softmaxCrossEntropy } from '../reference/loss.js';
import * as fr from '../../src/index.js';
import { tol } from '../helpers/backend.js';
import { assertClose } from '../helpers/close.js';
import { expectClose, fixtureCases, toF32, toF64 } from '../helpers/fixtures.js';
import { Rng } from '../../src/util/random.js';

const rel = (a: number, e: number, tol: number, label: string) =>
  assert.ok(Math.abs(a - e) <= tol * Math.max(Math.abs(e), 1e-300), `${label}: ${a} vs ${e}`);

test('fixtures: softmax_cross_entropy, all outputs (float64 inputs: 1e-9; float32 gradients: 1e-6)', () => {
  const cases = fixtureCases('softmax_cross_entropy');
  assert.is(cases.length, 4);
  for (const c of cases) {
    const logits = toF64(c.input.logits),
      labels = c.input.labels.data as number[];
    const K1 = c.input.logits.shape[1];
    const m = softmaxCrossEntropy(logits, labels, K1, 'mean');
    const s = softmaxCrossEntropy(logits, labels, K1, 'sum');
    expectClose(m.losses, toF64(c.expected.loss_none), { rtol: 1e-9, atol: 1e-12 }, `${c.id} loss_none`);
    rel(m.loss, c.expected.loss_mean, 1e-9, `${c.id} loss_mean`);
    rel(s.loss, c.expected.loss_sum, 1e-9, `${c.id} loss_sum`);
    // probs and gradients come back as float32: 1e-6 relative, plus float32's smallest scale.
    expectClose(m.probs, toF64(c.expected.probs), { rtol: 1e-6, atol: 1e-30 }, `${c.id} probs`);
    expectClose(m.gradLogits, toF64(c.expected.grad_logits_mean), { rtol: 1e-6, atol: 1e-30 }, `${c.id} grad_logits_mean`);
    expectClose(s.gradLogits, toF64(c.expected.grad_logits_sum), { rtol: 1e-6, atol: 1e-30 }, `${c.id} grad_logits_sum`);
  }
});

test('fixtures: fast_rcnn_loss with float64 inputs (1e-9) and float32 inputs (1e-6)', () => {
  const cases = fixtureCases('fast_rcnn_loss');
  assert.is(cases.length, 2);
  for (const c of cases) {
    const i = c.input,
      e = c.expected;
    for (const [conv, tol] of [
      [toF64, 1e-9],
      [toF32, 1e-6],
    ] as const) {
      const r = fastRcnnLoss(conv(i.cls_score), i.labels.data, conv(i.bbox_pred), conv(i.bbox_targets), { lambda: i.lambda });
      rel(r.lossCls, e.loss_cls, tol, `${c.id} loss_cls`);
      rel(r.lossLoc, e.loss_loc, tol, `${c.id} loss_loc`);
      rel(r.loss, e.loss_total, tol, `${c.id} loss_total`);
      // Gradients near 0 from p - 1 cancellation carry the inputs' float32 rounding: an absolute
      // floor of 1e-6 × the largest gradient.
      const gc = toF64(e.grad_cls_score),
        gb = toF64(e.grad_bbox_pred);
      expectClose(r.gradClsScore, gc, { rtol: 1e-6, atol: 1e-7 * Math.max(...Array.from(gc, Math.abs)) }, `${c.id} grad_cls_score`);
      expectClose(r.gradBboxPred, gb, { rtol: 1e-6, atol: 1e-7 * Math.max(...Array.from(gb, Math.abs)) }, `${c.id} grad_bbox_pred`);
    }
  }
});

test('finite differences of fastRcnnLoss (float64): both gradients, with lambda and beta', () => {
  // Proves the fused gradients are the derivatives of the fused loss (the fixtures pin the loss).
  const rng = new Rng(3);
  const R = 6,
    K1 = 4;
  const cls = Float64Array.from({ length: R * K1 }, () => rng.uniform(-2, 2));
  const labels = [0, 1, 3, 0, 2, 3];
  const pred = Float64Array.from({ length: R * 4 * K1 }, () => rng.uniform(-2, 2));
  const tgt = Float64Array.from({ length: R * 4 }, () => rng.uniform(-2, 2));
  for (const opts of [
    { lambda: 1, beta: 1 },
    { lambda: 2.5, beta: 1 / 9 },
  ]) {
    const r = fastRcnnLoss(cls, labels, pred, tgt, opts);
    const L = (c: Float64Array, p: Float64Array) => fastRcnnLoss(c, labels, p, tgt, opts).loss;
    const h = 1e-6;
    for (let k = 0; k < cls.length; k++) {
      const a = cls.slice(),
        b = cls.slice();
      a[k] += h;
      b[k] -= h;
      assert.ok(Math.abs((L(a, pred) - L(b, pred)) / (2 * h) - r.gradClsScore[k]) < 1e-6, `cls ${k}`);
    }
    for (let k = 0; k < pred.length; k++) {
      const a = pred.slice(),
        b = pred.slice();
      a[k] += h;
      b[k] -= h;
      assert.ok(Math.abs((L(cls, a) - L(cls, b)) / (2 * h) - r.gradBboxPred[k]) < 1e-6, `bbox ${k}`);
    }
  }
});

test('the tensor op equals the float64 oracle: losses and both gradients, with lambda and beta', () => {
  const rng = new Rng(5);
  const R = 7,
    K1 = 4;
  const cls = Float32Array.from({ length: R * K1 }, () => rng.uniform(-2, 2));
  const labels = Int32Array.from([0, 1, 3, 0, 2, 3, 1]);
  const pred = Float32Array.from({ length: R * 4 * K1 }, () => rng.uniform(-2, 2));
  const tgt = Float32Array.from({ length: R * 4 }, () => rng.uniform(-2, 2));
  const lt = fr.tensor(labels, [R], 'int32'),
    tt = fr.tensor(tgt, [R, 4]);
  for (const opts of [
    { lambda: 1, beta: 1 },
    { lambda: 2.5, beta: 1 / 9 },
  ]) {
    const r = fastRcnnLoss(cls, labels, pred, tgt, opts);
    const ct = fr.tensor(cls, [R, K1]),
      pt = fr.tensor(pred, [R, 4 * K1]);
    const l = fr.fastRcnnLoss(ct, lt, pt, tt, opts);
    assertClose(
      [l.lossCls.item(), l.lossLoc.item(), l.loss.item()],
      [r.lossCls, r.lossLoc, r.loss],
      tol(1e-6, 1e-5),
      1e-7,
      `losses ${JSON.stringify(opts)}`,
    );
    const [gc, gb] = fr.grads((a, b) => fr.fastRcnnLoss(a, lt, b, tt, opts).loss)(ct, pt);
    assertClose(gc.dataSync(), r.gradClsScore, tol(1e-5, 1e-4), 1e-7, `grad cls ${JSON.stringify(opts)}`);
    assertClose(gb.dataSync(), r.gradBboxPred, tol(1e-5, 1e-4), 1e-7, `grad bbox ${JSON.stringify(opts)}`);
    [ct, pt, l.lossCls, l.lossLoc, l.loss, gc, gb].forEach((t) => t.dispose());
  }
  lt.dispose();
  tt.dispose();
});

test('errors', () => {
  const cls = fr.zeros([2, 2]),
    t = fr.zeros([2, 4]);
  assert.throws(
    () => fr.fastRcnnLoss(cls, fr.tensor([0, 2], [2], 'int32'), fr.zeros([2, 8]), t),
    /fastRcnnLoss: label 2 of RoI 1 is outside \[0, 2\)/,
  );
  assert.throws(
    () => fr.fastRcnnLoss(cls, fr.tensor([0, 1], [2], 'int32'), fr.zeros([2, 7]), t),
    /fastRcnnLoss: bboxPred \[2,7\] must be \[2,8\]/,
  );
  assert.throws(
    () => fr.fastRcnnLoss(fr.zeros([3]), fr.tensor([0, 1], [2], 'int32'), fr.zeros([2, 8]), t),
    /fastRcnnLoss: 'clsScore' must have rank 2/,
  );
  assert.throws(
    () => fr.softmaxCrossEntropy(fr.zeros([1, 3]), fr.tensor([0, 0], [2], 'int32')),
    /softmaxCrossEntropy: labels \[2\] must be \[1\]/,
  );
});

test.run();
