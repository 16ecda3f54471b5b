// Module: named parameters and submodules, a state dict, train/eval mode. Parameters are leaf tensors
// with requiresGrad, kept out of tidy scopes; each carries its LR and weight-decay multipliers.
import { engine } from '../tensor/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import { sameShape, shapeStr } from '../core/types.js';

export interface ParamOptions {
  /** Multiplies the optimizer's LR for this parameter (the paper: 1 for weights, 2 for biases). */
  lrMult?: number;
  /** Multiplies the weight decay for this parameter. */
  decayMult?: number;
  /** Frozen parameters get no gradient and no update. */
  trainable?: boolean;
}

export interface Parameter {
  name: string;
  tensor: Tensor;
  lrMult: number;
  decayMult: number;
}

export abstract class Module {
  training = true;
  private params = new Map<string, { tensor: Tensor } & Required<ParamOptions>>();
  private children = new Map<string, Module>();

  abstract forward(...inputs: Tensor[]): Tensor;

  /** Registers (or replaces) a parameter; the module owns and eventually disposes it. */
  protected param(name: string, t: Tensor, opts: ParamOptions = {}): Tensor {
    engine.keep(t);
    const trainable = opts.trainable ?? true;
    t.requiresGrad = trainable;
    t.name = name;
    const old = this.params.get(name);
    if (old && old.tensor !== t) old.tensor.dispose();
    this.params.set(name, { tensor: t, lrMult: opts.lrMult ?? 1, decayMult: opts.decayMult ?? 1, trainable });
    return t;
  }

  protected module<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  /** Parameters with dotted names (`fc6.weight`), depth first, in registration order. */
  namedParameters(prefix = ''): Parameter[] {
    const out: Parameter[] = [];
    for (const [n, p] of this.params) out.push({ name: prefix + n, tensor: p.tensor, lrMult: p.lrMult, decayMult: p.decayMult });
    for (const [n, c] of this.children) out.push(...c.namedParameters(`${prefix}${n}.`));
    return out;
  }

  /** Trainable parameters only. */
  parameters(): Parameter[] {
    return this.namedParameters().filter((p) => p.tensor.requiresGrad);
  }

  /** Freezes or unfreezes every parameter of this module (e.g. conv layers below the paper's conv3_1). */
  setTrainable(trainable: boolean): void {
    for (const p of this.params.values()) {
      p.trainable = trainable;
      p.tensor.requiresGrad = trainable;
    }
    for (const c of this.children.values()) c.setTrainable(trainable);
  }

  train(on = true): this {
    this.training = on;
    for (const c of this.children.values()) c.train(on);
    return this;
  }
  eval(): this {
    return this.train(false);
  }

  /** name -> tensor (shared, not copied). */
  stateDict(): Map<string, Tensor> {
    return new Map(this.namedParameters().map((p) => [p.name, p.tensor]));
  }

  /** Copies values in by name; every parameter must be present with its shape unless strict=false. */
  loadStateDict(state: Map<string, { shape: number[]; data: Float32Array }>, strict = true): void {
    const own = this.namedParameters();
    const missing = own.filter((p) => !state.has(p.name)).map((p) => p.name);
    const names = new Set(own.map((p) => p.name));
    const unexpected = [...state.keys()].filter((k) => !names.has(k));
    if (strict && (missing.length || unexpected.length)) {
      throw new Error(
        `loadStateDict: ${missing.length ? `missing ${missing.join(', ')}` : ''}${missing.length && unexpected.length ? '; ' : ''}${unexpected.length ? `unexpected ${unexpected.join(', ')}` : ''}`,
      );
    }
    for (const p of own) {
      const s = state.get(p.name);
      if (!s) continue;
      if (!sameShape(s.shape, p.tensor.shape)) {
        throw new Error(
          `loadStateDict: '${p.name}' has shape ${shapeStr(s.shape)} in the file but ${shapeStr(p.tensor.shape)} in the model`,
        );
      }
      const t = engine.makeTensor(s.data, s.shape, 'float32');
      p.tensor.assign(t);
      t.dispose();
    }
  }

  numParameters(): number {
    return this.namedParameters().reduce((n, p) => n + p.tensor.size, 0);
  }

  zeroGrad(): void {
    for (const p of this.namedParameters())
      if (p.tensor.grad) {
        p.tensor.grad.dispose();
        p.tensor.grad = null;
      }
  }

  dispose(): void {
    for (const p of this.params.values()) p.tensor.dispose();
    for (const c of this.children.values()) c.dispose();
  }
}
