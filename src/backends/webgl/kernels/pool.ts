// Max pooling on WebGL: the forward pass writes y and the argmax switches in one draw (two render
// targets); the backward pass gathers, for each input element, dy of the windows that chose it.
import { registerKernel } from '../../registry.js';
import { sizeOf } from '../../../tensor/types.js';
import type { GLData, WebGLBackend } from '../backend.js';
import { elementwise } from './elementwise.js';

registerKernel('webgl', 'MaxPool2D', ([x], { kernel, stride, pad }, bk) => {
  const be = bk as WebGLBackend;
  const [N, C, H, W] = x.shape;
  const OH = Math.floor((H + 2 * pad[0] - kernel[0]) / stride[0]) + 1, OW = Math.floor((W + 2 * pad[1] - kernel[1]) / stride[1]) + 1;
  const y = be.out([N, C, OH, OW]);
  const arg = be.out([N, C, OH, OW], 'int32');
  const n = N * C * OH * OW;
  if (!n) return [y, arg];
  be.run({
    program: 'max_pool', defines: { ROW4: OW % 4 === 0 ? 1 : 0 }, inputs: { x },
    uniforms: { H, W, OH, OW, KH: kernel[0], KW: kernel[1], strideH: stride[0], strideW: stride[1], padH: pad[0], padW: pad[1] },
    output: [be.texOf(y), be.texOf(arg)], texels: Math.ceil(n / 4), cost: 4 * kernel[0] * kernel[1],
  });
  // the switches remember their windows, for a gradient rule that passes only the input shape
  (arg.dataId as GLData).meta = { kernel, stride, pad };
  return [y, arg];
});

// Gradient: with the window geometry (kernel, stride, pad: from the attrs, or remembered by the
// argmax tensor of the forward kernel) each dx element gathers dy from the windows that cover it;
// without it each dy element is scattered as a point onto the element its argmax names, the overlaps
// summed by float blending.
registerKernel('webgl', 'MaxPool2DGrad', ([dy, arg], attrs, bk) => {
  const { inputShape } = attrs;
  const geometry = (attrs.kernel ? attrs : (arg.dataId as GLData).meta) as { kernel?: number[]; stride?: number[]; pad?: number[] } | undefined;
  const { kernel, stride, pad } = geometry ?? {};
  const be = bk as WebGLBackend;
  const [, , H, W] = inputShape, [, , OH, OW] = dy.shape;
  const n = sizeOf(inputShape);
  if (!n) return [be.out(inputShape.slice())];
  if (!sizeOf(dy.shape)) return [elementwise(be, inputShape.slice(), 'float32', 'vec4(0.0)', [])];
  const dx = be.out(inputShape.slice());
  if (kernel && stride && pad) {
    const disjoint = stride[0] === kernel[0] && stride[1] === kernel[1] && !pad[0] && !pad[1];
    be.run({
      program: 'max_pool_grad', defines: { DISJOINT: disjoint ? 1 : 0, ROW4: W % 4 === 0 ? 1 : 0 }, inputs: { dy, arg },
      uniforms: { H, W, OH, OW, KH: kernel[0], KW: kernel[1], strideH: stride[0], strideW: stride[1], padH: pad[0], padW: pad[1] },
      output: be.texOf(dx), texels: Math.ceil(n / 4), cost: 8 * Math.ceil(kernel[0] / stride[0]) * Math.ceil(kernel[1] / stride[1]),
    });
  } else {
    const out = be.texOf(dx);
    be.run({
      program: 'max_pool_scatter', vertex: 'max_pool_scatter_vs', inputs: { dy, arg },
      uniforms: { HW: H * W, OHW: OH * OW, outRows: Math.ceil(Math.ceil(n / 4) / out.width) },
      output: out, texels: Math.ceil(n / 4), points: sizeOf(dy.shape),
    });
  }
  return [dx];
});
