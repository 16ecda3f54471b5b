// Layers: Conv2d, Linear, ReLU, MaxPool2d, Dropout, Flatten, Sequential.
import { add } from '../ops/elementwise.js';
import { conv2d, maxPool2d } from '../ops/conv.js';
import { matMul } from '../ops/matmul.js';
import { relu } from '../ops/elementwise.js';
import { dropout } from '../ops/nn.js';
import { flatten } from '../ops/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { shapeStr } from '../core/types.js';
import { Rng } from '../util/random.js';
import { type Init, gaussian, initTensor, zerosInit } from './init.js';
import { Module, type ParamOptions } from './module.js';

export interface LayerInit {
  weightInit?: Init;
  biasInit?: Init;
  rng?: Rng;
  bias?: boolean;
  /** Multipliers for the weight and bias (defaults: the paper's 1/1 and 2/1). */
  weight?: ParamOptions;
  biasParam?: ParamOptions;
}

const defaultBias: ParamOptions = { lrMult: 2, decayMult: 1 };

export class Conv2d extends Module {
  weight: Tensor;
  bias: Tensor | null;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    readonly opts: { stride?: number; padding?: number } & LayerInit = {},
  ) {
    super();
    const rng = opts.rng ?? new Rng(0);
    const fanIn = inChannels * kernelSize * kernelSize;
    this.weight = this.param(
      'weight',
      initTensor(opts.weightInit ?? gaussian(0.01), [outChannels, inChannels, kernelSize, kernelSize], fanIn, rng),
      opts.weight,
    );
    this.bias =
      opts.bias === false
        ? null
        : this.param('bias', initTensor(opts.biasInit ?? zerosInit, [outChannels], fanIn, rng), { ...defaultBias, ...opts.biasParam });
  }
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.opts.stride ?? 1, padding: this.opts.padding ?? 0 });
  }
}

export class Linear extends Module {
  weight: Tensor; // [out, in], as torch
  bias: Tensor | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: LayerInit = {},
  ) {
    super();
    const rng = opts.rng ?? new Rng(0);
    this.weight = this.param(
      'weight',
      initTensor(opts.weightInit ?? gaussian(0.01), [outFeatures, inFeatures], inFeatures, rng),
      opts.weight,
    );
    this.bias =
      opts.bias === false
        ? null
        : this.param('bias', initTensor(opts.biasInit ?? zerosInit, [outFeatures], inFeatures, rng), { ...defaultBias, ...opts.biasParam });
  }
  forward(x: Tensor): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures) {
      throw new Error(`Linear(${this.inFeatures}→${this.outFeatures}): input must be [N,${this.inFeatures}], got ${shapeStr(x.shape)}`);
    }
    const y = matMul(x, this.weight, false, true);
    if (!this.bias) return y;
    const z = add(y, this.bias);
    y.dispose();
    return z;
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: number,
    readonly stride = kernelSize,
    readonly padding = 0,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding });
  }
}

export class Dropout extends Module {
  constructor(
    readonly p = 0.5,
    readonly rng: Rng = new Rng(0),
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.rng, this.training);
  }
}

export class Flatten extends Module {
  forward(x: Tensor): Tensor {
    return flatten(x);
  }
}

export class Sequential extends Module {
  readonly layers: Module[];
  constructor(layers: Module[] | Record<string, Module>) {
    super();
    const entries = Array.isArray(layers) ? layers.map((l, i) => [String(i), l] as const) : Object.entries(layers);
    this.layers = entries.map(([n, l]) => this.module(n, l));
  }
  forward(x: Tensor): Tensor {
    let h = x;
    for (const l of this.layers) {
      const next = l.forward(h);
      if (h !== x) h.dispose();
      h = next;
    }
    return h;
  }
}
