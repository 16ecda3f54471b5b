import { suite } from 'uvu';
import * as fr from '../../src/index.js';
import { tol } from '../helpers/backend.js';
import { assertClose } from '../helpers/close.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { loadFixture, toF32 as toArray } from '../helpers/fixtures.js';
import { logSoftmaxRef } from '../reference/ops.js';

const test = suite('ops: softmax and cross-entropy');

test('softmax / logSoftmax gradients vs float64 (rows of 1, 3, 21)', () => {
  for (const [r, c] of [
    [1, 1],
    [4, 3],
    [5, 21],
    [2, 64],
  ]) {
    gradcheck({ inputs: [{ shape: [r, c] }], op: fr.logSoftmax, ref: (x) => logSoftmaxRef(x, r, c) });
    gradcheck({ inputs: [{ shape: [r, c] }], op: fr.softmax, ref: (x) => logSoftmaxRef(x, r, c).map(Math.exp) });
  }
});

test('softmaxCrossEntropy reproduces softmax_cross_entropy.json (values and gradients)', () => {
  const { cases } = loadFixture('softmax_cross_entropy');
  for (const c of cases) {
    const logits = fr.tensor(toArray(c.input.logits), c.input.logits.shape);
    const labels = fr.tensor(Int32Array.from(c.input.labels.data), c.input.labels.shape, 'int32');
    const rt = tol(1e-5, 1e-4);
    assertClose(fr.softmax(logits).dataSync(), toArray(c.expected.probs), rt, 1e-7, `${c.id} probs`);
    assertClose(fr.softmaxCrossEntropy(logits, labels, 'none').dataSync(), toArray(c.expected.loss_none), rt, 1e-6, `${c.id} loss_none`);
    for (const red of ['mean', 'sum'] as const) {
      const { value, grad } = fr.valueAndGrad((x) => fr.softmaxCrossEntropy(x, labels, red))(logits);
      assertClose([value.item()], [c.expected[`loss_${red}`]], rt, 1e-6, `${c.id} loss_${red}`);
      assertClose(grad.dataSync(), toArray(c.expected[`grad_logits_${red}`]), rt * 10, 1e-6, `${c.id} grad_${red}`);
    }
  }
});

test.run();
