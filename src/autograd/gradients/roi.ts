// Gradients of RoI pooling (through the argmax switches, paper eq. 4) and RoIAlign.
import { engine } from '../../tensor/engine.js';
import { registerGradient } from '../registry.js';

registerGradient('RoiPool', ([dy], { inputs: [x, rois], outputs: [, argmax] }) =>
  [engine.runKernel('RoiPoolGrad', [dy!, argmax, rois], { inputShape: x.shape })[0], null]);

registerGradient('RoiAlign', ([dy], { inputs: [x, rois] }, attrs) =>
  [engine.runKernel('RoiAlignGrad', [dy!, rois], { ...attrs, inputShape: x.shape })[0], null]);

// smooth-L1: the input gets g = dL/dinput, the target −g.
registerGradient('SmoothL1', ([dy], { inputs: [x, t] }, { beta }) => {
  const [g] = engine.runKernel('SmoothL1Grad', [dy!, x, t], { beta });
  const [ng] = engine.runKernel('Neg', [g]);
  return [g, ng];
});
