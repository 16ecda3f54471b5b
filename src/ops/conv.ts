// 2-D convolution and max pooling, NCHW, and the backward kernels their gradient rules run.
import { convOutSize } from '../core/conv.js';
import {
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  MaxPool2D,
  MaxPool2DGrad,
  type MaxPool2DAttrs,
  type Pair,
} from '../core/kernels.js';
import { shapeStr } from '../core/types.js';
import { engine } from '../tensor/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkDtype, checkRank, checkTensor, pair } from './util.js';

export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
}

function outSize(op: string, inp: number, k: number, s: number, p: number): number {
  const o = convOutSize(inp, k, s, p);
  if (o < 1) throw new Error(`${op}: kernel ${k} with padding ${p} does not fit input size ${inp}`);
  return o;
}

/** x[N,C,H,W] ⋆ w[OC,C,KH,KW] (+ bias[OC]) → [N,OC,OH,OW], zero padding. */
export function conv2d(x: Tensor, w: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  const op = 'conv2d';
  checkTensor(op, 'x', x);
  checkTensor(op, 'w', w);
  checkRank(op, 'x', x, 4);
  checkRank(op, 'w', w, 4);
  checkDtype(op, 'x', x, 'float32');
  checkDtype(op, 'w', w, 'float32');
  if (w.shape[1] !== x.shape[1]) {
    throw new Error(
      `conv2d: input has ${x.shape[1]} channels but the filter ${shapeStr(w.shape)} expects ${w.shape[1]} (x ${shapeStr(x.shape)})`,
    );
  }
  const stride = pair(opts.stride ?? 1, op, 'stride'),
    pad = pair(opts.padding ?? 0, op, 'padding');
  if (stride[0] < 1 || stride[1] < 1) throw new Error(`conv2d: stride must be >= 1, got ${stride}`);
  outSize(op, x.shape[2], w.shape[2], stride[0], pad[0]);
  outSize(op, x.shape[3], w.shape[3], stride[1], pad[1]);
  if (bias) {
    checkTensor(op, 'bias', bias);
    if (bias.rank !== 1 || bias.shape[0] !== w.shape[0]) throw new Error(`conv2d: bias ${shapeStr(bias.shape)} must be [${w.shape[0]}]`);
  }
  return engine.runKernel(Conv2D, bias ? [x, w, bias] : [x, w], { stride, pad })[0];
}

/** The input gradient of conv2d: dy [N,OC,OH,OW] and w → dx of `inputShape` (conv2d's gradient rule). */
export function conv2dBackpropInput(dy: Tensor, w: Tensor, inputShape: number[], stride: Pair, pad: Pair): Tensor {
  const op = 'conv2dBackpropInput';
  checkTensor(op, 'dy', dy);
  checkTensor(op, 'w', w);
  checkRank(op, 'dy', dy, 4);
  checkRank(op, 'w', w, 4);
  return engine.runKernel(Conv2DBackpropInput, [dy, w], { inputShape, stride, pad })[0];
}

/** The filter gradient of conv2d: x and dy → dw of `filterShape` (conv2d's gradient rule). */
export function conv2dBackpropFilter(x: Tensor, dy: Tensor, filterShape: number[], stride: Pair, pad: Pair): Tensor {
  const op = 'conv2dBackpropFilter';
  checkTensor(op, 'x', x);
  checkTensor(op, 'dy', dy);
  checkRank(op, 'x', x, 4);
  checkRank(op, 'dy', dy, 4);
  return engine.runKernel(Conv2DBackpropFilter, [x, dy], { filterShape, stride, pad })[0];
}

export interface MaxPool2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
}

/** Max pooling over kernel windows; padding never wins. */
export function maxPool2d(x: Tensor, kernel: number | [number, number], opts: MaxPool2dOptions = {}): Tensor {
  const op = 'maxPool2d';
  checkTensor(op, 'x', x);
  checkRank(op, 'x', x, 4);
  checkDtype(op, 'x', x, 'float32');
  const k = pair(kernel, op, 'kernel');
  const stride = pair(opts.stride ?? k, op, 'stride'),
    pad = pair(opts.padding ?? 0, op, 'padding');
  if (k[0] < 1 || k[1] < 1 || stride[0] < 1 || stride[1] < 1) throw new Error(`maxPool2d: kernel and stride must be >= 1`);
  if (pad[0] * 2 > k[0] || pad[1] * 2 > k[1]) throw new Error(`maxPool2d: padding ${pad} must be at most half the kernel ${k}`);
  outSize(op, x.shape[2], k[0], stride[0], pad[0]);
  outSize(op, x.shape[3], k[1], stride[1], pad[1]);
  const [y, arg] = engine.runKernel(MaxPool2D, [x], { kernel: k, stride, pad });
  arg.dispose(); // the tape keeps its own reference for the backward pass
  return y;
}

/** The gradient of maxPool2d: dy routed through the forward's argmax switches, windows as in `attrs`. */
export function maxPool2dGrad(dy: Tensor, argmax: Tensor, inputShape: number[], attrs: MaxPool2DAttrs): Tensor {
  const op = 'maxPool2dGrad';
  checkTensor(op, 'dy', dy);
  checkTensor(op, 'argmax', argmax);
  checkDtype(op, 'argmax', argmax, 'int32');
  return engine.runKernel(MaxPool2DGrad, [dy, argmax], { inputShape, ...attrs })[0];
}
