// All public ops, and the wiring of the gradient rules and the tape to them.
import { engine } from '../tensor/engine.js';
import { add } from './elementwise.js';
import { ones } from './creation.js';
import '../autograd/gradients/elementwise.js';
import '../autograd/gradients/shape.js';
import '../autograd/gradients/nn.js';
import '../autograd/gradients/roi.js';

engine.tape.ops = {
  add, ones,
  tidy: (fn) => engine.tidy(fn),
  keep: (t) => engine.keep(t),
  noGrad: (fn) => engine.noGrad(fn),
  share: (t) => engine.share(t),
};

export * from './creation.js';
export * from './elementwise.js';
export * from './reduce.js';
export * from './shape.js';
export * from './matmul.js';
export * from './conv.js';
export * from './nn.js';
export * from './detection.js';
export * from './norm.js';
