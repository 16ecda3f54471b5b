// The public box/SVD API answers in kind (Tensor in → Tensor out) and matches the fixtures.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.js';
import '../helpers/backend.js';
import { assertClose } from '../helpers/close.js';
import { fixtureCases, toF32, toI32 } from '../helpers/fixtures.js';

const test = suite('detection: public box and SVD API');

test('boxIou / nms / batchedNms with tensors and arrays agree with the fixtures', () => {
  const c = fixtureCases('box_iou')[0];
  const a = fr.tensor(toF32(c.input.boxes1), c.input.boxes1.shape),
    b = fr.tensor(toF32(c.input.boxes2), c.input.boxes2.shape);
  const iou = fr.boxIou(a, b) as fr.Tensor;
  assert.equal(iou.shape, [a.shape[0], b.shape[0]]);
  assertClose(iou.dataSync(), toF32(c.expected.iou_legacy_plus1), 1e-6, 1e-7, 'iou');
  assertClose(fr.boxIou(toF32(c.input.boxes1), toF32(c.input.boxes2)) as Float32Array, toF32(c.expected.iou_legacy_plus1), 1e-6, 1e-7);
  for (const n of fixtureCases('nms').slice(0, 6)) {
    const boxes = fr.tensor(toF32(n.input.boxes), n.input.boxes.shape.length === 2 ? n.input.boxes.shape : [0, 4]);
    const keep = fr.nms(boxes, fr.tensor(toF32(n.input.scores)), n.input.iou_threshold) as fr.Tensor;
    assert.is(keep.dtype, 'int32');
    assert.equal(Array.from(keep.dataSync()), Array.from(toI32(n.expected.keep_legacy_plus1_ge)), n.id);
  }
});

test('encode/decode round trip on tensors; clip keeps shape', () => {
  const p = fr.tensor([
      [10, 10, 50, 40],
      [0, 0, 9, 9],
    ]),
    g = fr.tensor([
      [12, 8, 60, 44],
      [1, 2, 7, 9],
    ]);
  const d = fr.encodeBoxes(p, g) as fr.Tensor;
  assert.equal(d.shape, [2, 4]);
  assertClose((fr.decodeBoxes(p, d) as fr.Tensor).dataSync(), g.dataSync(), 1e-5, 1e-4);
  assert.equal((fr.clipBoxes(fr.tensor([[-5, -5, 500, 20]]), 100, 200) as fr.Tensor).dataSync(), new Float32Array([0, 0, 199, 20]));
});

test('truncatedSvd / svdCompressLinear: Eckart–Young error and the same function at full rank', () => {
  const c = fixtureCases('truncated_svd')[0];
  const [u, v] = c.input.W.shape;
  const W = fr.tensor(toF32(c.input.W), [u, v]);
  const t = c.input.ranks[0];
  const { U, S, V } = fr.truncatedSvd(W, t);
  const approx = fr.matMul(fr.mul(U, fr.reshape(S, [1, t])), V, false, true);
  const err = Math.sqrt(fr.sum(fr.square(fr.sub(W, approx))).item()) / Math.sqrt(fr.sum(fr.square(W)).item());
  assertClose([err], [c.expected.rel_fro_error[String(t)]], 1e-3, 1e-4, 'relative Frobenius error');
  const lin = new fr.Linear(v, u, { rng: new fr.Rng(1), biasInit: fr.gaussian(1) });
  const two = fr.svdCompressLinear(lin, Math.min(u, v));
  const x = fr.randomNormal([3, v], 0, 1, { seed: 2 });
  assertClose(two.forward(x).dataSync(), lin.forward(x).dataSync(), 1e-3, 1e-3, 'full-rank factorization = original layer');
  assert.is(two.numParameters(), Math.min(u, v) * (u + v) + u);
  assert.throws(() => fr.truncatedSvd(W, Math.min(u, v) + 1), /rank must be an integer in \[1, min\(u, v\)/);
});

test.run();
