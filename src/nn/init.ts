// Initializers: the paper's zero-mean Gaussians (std 0.01 for cls, 0.001 for bbox), zeros, and He
// (Kaiming) normal for training small backbones from scratch.
import { randomNormal, zeros } from '../ops/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Rng } from '../util/random.js';

export type Init = { kind: 'gaussian'; std: number } | { kind: 'zeros' } | { kind: 'kaiming' };

export function gaussian(std: number): Init {
  return { kind: 'gaussian', std };
}
export const zerosInit: Init = { kind: 'zeros' };
export const kaiming: Init = { kind: 'kaiming' };

/** Makes a tensor by the initializer; fanIn is the number of inputs per output unit. */
export function initTensor(init: Init, shape: number[], fanIn: number, rng: Rng): Tensor {
  switch (init.kind) {
    case 'zeros':
      return zeros(shape);
    case 'gaussian':
      return randomNormal(shape, 0, init.std, { rng });
    case 'kaiming':
      return randomNormal(shape, 0, Math.sqrt(2 / Math.max(fanIn, 1)), { rng });
  }
}
