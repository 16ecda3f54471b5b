import { MatMul } from '../core/kernels.js';
import { engine } from '../tensor/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import { shapeStr } from '../core/types.js';
import { checkDtype, checkRank, checkTensor } from './util.js';

/** op(a) · op(b) for 2-D a, b, where op transposes when asked. */
export function matMul(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  checkTensor('matMul', 'a', a);
  checkTensor('matMul', 'b', b);
  checkDtype('matMul', 'a', a, 'float32');
  checkDtype('matMul', 'b', b, 'float32');
  checkRank('matMul', 'a', a, 2);
  checkRank('matMul', 'b', b, 2);
  const ka = transA ? a.shape[0] : a.shape[1],
    kb = transB ? b.shape[1] : b.shape[0];
  if (ka !== kb) {
    throw new Error(
      `matMul: inner dimensions differ: a ${shapeStr(a.shape)}${transA ? 'ᵀ' : ''} · b ${shapeStr(b.shape)}${transB ? 'ᵀ' : ''}`,
    );
  }
  return engine.runKernel(MatMul, [a, b], { transA, transB })[0];
}
