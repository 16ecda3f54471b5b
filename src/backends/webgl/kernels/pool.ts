// Max pooling on WebGL: the forward pass writes y and the argmax switches in one draw (two render
// targets); the backward pass gathers, for each input element, dy of the windows that chose it.
import { convOutHW } from '../../../core/conv.js';
import { MaxPool2D, MaxPool2DGrad } from '../../../core/kernels.js';
import { registerKernel } from '../../registry.js';
import { sizeOf } from '../../../core/types.js';
import type { WebGLBackend } from '../backend.js';
import { elementwise } from './elementwise.js';

registerKernel('webgl', MaxPool2D, ([x], { kernel, stride, pad }, bk) => {
  const be = bk as WebGLBackend;
  const [N, C, H, W] = x.shape;
  const [OH, OW] = convOutHW(x.shape, kernel, stride, pad);
  const y = be.out([N, C, OH, OW]);
  const arg = be.out([N, C, OH, OW], 'int32');
  const n = N * C * OH * OW;
  if (!n) return [y, arg];
  be.run({
    program: 'max_pool',
    defines: { ROW4: OW % 4 === 0 ? 1 : 0 },
    inputs: { x },
    uniforms: { H, W, OH, OW, KH: kernel[0], KW: kernel[1], strideH: stride[0], strideW: stride[1], padH: pad[0], padW: pad[1] },
    output: [be.texOf(y), be.texOf(arg)],
    texels: Math.ceil(n / 4),
    cost: 4 * kernel[0] * kernel[1],
  });
  return [y, arg];
});

// Gradient: each dx element gathers dy from the windows (kernel, stride, pad of the forward) that
// cover it and chose it.
registerKernel('webgl', MaxPool2DGrad, ([dy, arg], { inputShape, kernel, stride, pad }, bk) => {
  const be = bk as WebGLBackend;
  const [, , H, W] = inputShape,
    [, , OH, OW] = dy.shape;
  const n = sizeOf(inputShape);
  if (!n) return [be.out(inputShape.slice())];
  if (!sizeOf(dy.shape)) return [elementwise(be, inputShape.slice(), 'float32', 'vec4(0.0)', [])];
  const dx = be.out(inputShape.slice());
  const disjoint = stride[0] === kernel[0] && stride[1] === kernel[1] && !pad[0] && !pad[1];
  be.run({
    program: 'max_pool_grad',
    defines: { DISJOINT: disjoint ? 1 : 0, ROW4: W % 4 === 0 ? 1 : 0 },
    inputs: { dy, arg },
    uniforms: { H, W, OH, OW, KH: kernel[0], KW: kernel[1], strideH: stride[0], strideW: stride[1], padH: pad[0], padW: pad[1] },
    output: be.texOf(dx),
    texels: Math.ceil(n / 4),
    cost: 8 * Math.ceil(kernel[0] / stride[0]) * Math.ceil(kernel[1] / stride[1]),
  });
  return [dx];
});
