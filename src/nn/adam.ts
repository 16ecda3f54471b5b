// Adam (Kingma & Ba) with decoupled weight decay (AdamW, Loshchilov & Hutter), with the same
// per-parameter LR / decay multipliers and the same Optimizer interface as SGD, so the trainer can use either:
//   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
//   w ← w − lr·lrMult·( m̂ / (√v̂ + ε) + wd·decayMult·w ),  m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ).
// Not the paper's optimizer: an option for short from-scratch runs, where it learns much faster.
import { add, div, mul, sqrt, square, sub } from '../ops/elementwise.js';
import { engine } from '../tensor/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Parameter } from './module.js';
import {
  type Optimizer,
  type OptimizerState,
  checkUniqueNames,
  loadBuffer,
  restoreBuffers,
  saveBuffer,
  updateEach,
  zeroGrads,
} from './optimizer.js';

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

export class Adam implements Optimizer {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  steps = 0;
  private m = new Map<string, Tensor>();
  private v = new Map<string, Tensor>();

  constructor(
    readonly params: Parameter[],
    opts: AdamOptions,
  ) {
    if (!(opts.lr > 0)) throw new Error(`Adam: lr must be > 0, got ${opts.lr}`);
    this.lr = opts.lr;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    if (!(this.beta1 >= 0 && this.beta1 < 1 && this.beta2 >= 0 && this.beta2 < 1))
      throw new Error(`Adam: betas must be in [0, 1), got ${this.beta1}, ${this.beta2}`);
    checkUniqueNames('Adam', params);
  }

  step(): void {
    const t = this.steps + 1;
    const c1 = 1 / (1 - this.beta1 ** t),
      c2 = 1 / (1 - this.beta2 ** t);
    updateEach(this.params, this.lr, this.weightDecay, (p, g, lr, wd) => {
      const w = p.tensor;
      let m = this.m.get(p.name),
        v = this.v.get(p.name);
      const nm = m ? add(mul(m, this.beta1), mul(g, 1 - this.beta1)) : mul(g, 1 - this.beta1);
      const nv = v ? add(mul(v, this.beta2), mul(square(g), 1 - this.beta2)) : mul(square(g), 1 - this.beta2);
      if (m) m.assign(nm);
      else {
        m = engine.keep(nm);
        this.m.set(p.name, m);
      }
      if (v) v.assign(nv);
      else {
        v = engine.keep(nv);
        this.v.set(p.name, v);
      }
      let stepDir = div(mul(m, c1), add(sqrt(mul(v, c2)), this.eps));
      if (wd) stepDir = add(stepDir, mul(w, wd));
      w.assign(sub(w, mul(stepDir, lr)));
    });
    this.steps++;
  }

  zeroGrad(): void {
    zeroGrads(this.params);
  }

  /** Moment buffers (as `m:<name>` and `v:<name>`) and counters, for checkpoints. */
  getState(): OptimizerState {
    const buffers: OptimizerState['buffers'] = {};
    for (const [n, t] of this.m) buffers[`m:${n}`] = saveBuffer(t);
    for (const [n, t] of this.v) buffers[`v:${n}`] = saveBuffer(t);
    return { step: this.steps, lr: this.lr, buffers };
  }

  setState(s: OptimizerState): void {
    ({ steps: this.steps, lr: this.lr } = restoreBuffers(
      this.params,
      s,
      () => this.dispose(),
      (key, b, byName) => {
        const kind = key.slice(0, 2),
          n = key.slice(2);
        const p = byName.get(n);
        if ((kind !== 'm:' && kind !== 'v:') || !p) throw new Error(`Adam.setState: moment '${key}' is not m:/v: of a known parameter`);
        (kind === 'm:' ? this.m : this.v).set(n, loadBuffer(`Adam.setState: '${key}'`, p, b));
      },
    ));
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
