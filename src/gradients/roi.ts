// Gradients of RoI pooling (through the argmax switches, paper eq. 4), RoIAlign and smooth-L1.
import { RoiAlign, RoiPool, SmoothL1 } from '../core/kernels.js';
import { registerGradient } from '../autograd/registry.js';
import { neg, roiAlignGrad, roiPoolGrad, smoothL1Grad } from './ops.js';

export function registerRoiGradients(): void {
  registerGradient(RoiPool, ([dy], { inputs: [x, rois], outputs: [, argmax] }) => [roiPoolGrad(dy!, argmax, rois, x.shape), null]);

  registerGradient(RoiAlign, ([dy], { inputs: [x, rois] }, attrs) => [roiAlignGrad(dy!, rois, x.shape, attrs), null]);

  // smooth-L1: the input gets g = dL/dinput, the target −g.
  registerGradient(SmoothL1, ([dy], { inputs: [x, t] }, { beta }) => {
    const g = smoothL1Grad(dy!, x, t, beta);
    return [g, neg(g)];
  });
}
