// SGD with momentum and weight decay, Caffe's form (as the original Fast R-CNN trained):
//   v ← μ·v + lr·lrMult·(g + wd·decayMult·w);   w ← w − v
// Per-parameter multipliers come from the module (the paper: biases at 2× LR).
import { engine } from '../tensor/engine.js';
import { add, mul, sub } from '../ops/elementwise.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Parameter } from './module.js';

export interface SGDOptions { lr: number; momentum?: number; weightDecay?: number }

export interface SGDState { step: number; lr: number; velocity: Record<string, { shape: number[]; data: number[] | Float32Array }> }

/** Optimizer state is keyed by parameter name, so names must be unique. */
export function checkUniqueNames(optimizer: string, params: Parameter[]): void {
  const names = new Set<string>();
  for (const p of params) {
    if (names.has(p.name)) throw new Error(`${optimizer}: duplicate parameter name '${p.name}'`);
    names.add(p.name);
  }
}

/** Drops every parameter's .grad (shared by the optimizers). */
export function zeroGrads(params: Parameter[]): void {
  for (const p of params) if (p.tensor.grad) { p.tensor.grad.dispose(); p.tensor.grad = null; }
}

export class SGD {
  lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  step = 0;
  private velocity = new Map<string, Tensor>();

  constructor(readonly params: Parameter[], opts: SGDOptions) {
    if (!(opts.lr > 0)) throw new Error(`SGD: lr must be > 0, got ${opts.lr}`);
    this.lr = opts.lr;
    this.momentum = opts.momentum ?? 0.9;
    this.weightDecay = opts.weightDecay ?? 5e-4;
    checkUniqueNames('SGD', params);
  }

  /** One update from the parameters' `.grad`s (parameters without a grad are left alone). */
  update(): void {
    engine.noGrad(() => {
      for (const p of this.params) {
        const g = p.tensor.grad;
        if (!g) continue;
        engine.tidy(() => {
          const w = p.tensor;
          const lr = this.lr * p.lrMult, wd = this.weightDecay * p.decayMult;
          const step = wd ? add(g, mul(w, wd)) : g;
          let v = this.velocity.get(p.name);
          const nv = v ? add(mul(v, this.momentum), mul(step, lr)) : mul(step, lr);
          if (v) v.assign(nv); else { v = engine.keep(nv); this.velocity.set(p.name, v); }
          w.assign(sub(w, v));
        });
      }
    });
    this.step++;
  }

  zeroGrad(): void { zeroGrads(this.params); }

  /** Momentum buffers and counters, for checkpoints. */
  getState(): SGDState {
    const velocity: SGDState['velocity'] = {};
    for (const [n, v] of this.velocity) velocity[n] = { shape: v.shape, data: v.dataSync() as Float32Array };
    return { step: this.step, lr: this.lr, velocity };
  }

  setState(s: SGDState): void {
    this.step = s.step;
    this.lr = s.lr;
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
    const byName = new Map(this.params.map((p) => [p.name, p]));
    for (const [n, v] of Object.entries(s.velocity)) {
      const p = byName.get(n);
      if (!p) throw new Error(`SGD.setState: velocity for unknown parameter '${n}'`);
      if (p.tensor.size !== v.data.length) throw new Error(`SGD.setState: velocity '${n}' has ${v.data.length} values, parameter has ${p.tensor.size}`);
      this.velocity.set(n, engine.keep(engine.makeTensor(Float32Array.from(v.data), p.tensor.shape, 'float32')));
    }
  }

  dispose(): void {
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
  }
}

