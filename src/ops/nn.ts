// Composite neural-net ops: softmax, logSoftmax, cross-entropy, dropout.
import { LogSoftmax, Softmax } from '../core/kernels.js';
import { engine } from '../tensor/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import { shapeStr } from '../core/types.js';
import type { Rng } from '../util/random.js';
import { oneHot } from './creation.js';
import { mean, sum } from './reduce.js';
import { mul, neg } from './elementwise.js';
import { checkDtype, checkRank, checkTensor } from './util.js';

/** Softmax along the last axis. */
export function softmax(x: Tensor): Tensor {
  checkTensor('softmax', 'x', x);
  checkDtype('softmax', 'x', x, 'float32');
  return engine.runKernel(Softmax, [x])[0];
}

/** log(softmax(x)) along the last axis, computed stably. */
export function logSoftmax(x: Tensor): Tensor {
  checkTensor('logSoftmax', 'x', x);
  checkDtype('logSoftmax', 'x', x, 'float32');
  return engine.runKernel(LogSoftmax, [x])[0];
}

export type Reduction = 'none' | 'sum' | 'mean';

/** Cross-entropy of softmax(logits[R,K]) against int labels[R] in [0, K). */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor, reduction: Reduction = 'mean'): Tensor {
  const op = 'softmaxCrossEntropy';
  checkTensor(op, 'logits', logits);
  checkTensor(op, 'labels', labels);
  checkRank(op, 'logits', logits, 2);
  checkDtype(op, 'labels', labels, 'int32');
  if (labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new Error(`${op}: labels ${shapeStr(labels.shape)} must be [${logits.shape[0]}] for logits ${shapeStr(logits.shape)}`);
  }
  return engine.tidy(() => {
    const nll = neg(sum(mul(logSoftmax(logits), oneHot(labels, logits.shape[1])), 1));
    if (reduction === 'none') return nll;
    return reduction === 'sum' ? sum(nll) : mean(nll);
  });
}

/**
 * Inverted dropout: in training, zeroes each element with probability p and scales the rest by
 * 1/(1-p); identity otherwise. The mask comes from the seeded generator passed in.
 */
export function dropout(x: Tensor, p: number, rng: Rng, training = true): Tensor {
  checkTensor('dropout', 'x', x);
  if (!(p >= 0 && p < 1)) throw new Error(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return mul(x, 1);
  const keep = 1 / (1 - p);
  const m = new Float32Array(x.size);
  for (let i = 0; i < m.length; i++) m[i] = rng.next() >= p ? keep : 0;
  const mask = engine.makeTensor(m, x.shape, 'float32');
  const y = mul(x, mask);
  mask.dispose();
  return y;
}
