// SGD with momentum and weight decay, Caffe's form (as the original Fast R-CNN trained):
//   v ← μ·v + lr·lrMult·(g + wd·decayMult·w);   w ← w − v
// Per-parameter multipliers come from the module (the paper: biases at 2× LR).
import { add, mul, sub } from '../ops/elementwise.js';
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

export interface SGDOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
}

export class SGD implements Optimizer {
  lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  steps = 0;
  private velocity = new Map<string, Tensor>();

  constructor(
    readonly params: Parameter[],
    opts: SGDOptions,
  ) {
    if (!(opts.lr > 0)) throw new Error(`SGD: lr must be > 0, got ${opts.lr}`);
    this.lr = opts.lr;
    this.momentum = opts.momentum ?? 0.9;
    this.weightDecay = opts.weightDecay ?? 5e-4;
    checkUniqueNames('SGD', params);
  }

  step(): void {
    updateEach(this.params, this.lr, this.weightDecay, (p, g, lr, wd) => {
      const w = p.tensor;
      const step = wd ? add(g, mul(w, wd)) : g;
      let v = this.velocity.get(p.name);
      const nv = v ? add(mul(v, this.momentum), mul(step, lr)) : mul(step, lr);
      if (v) v.assign(nv);
      else {
        v = engine.keep(nv);
        this.velocity.set(p.name, v);
      }
      w.assign(sub(w, v));
    });
    this.steps++;
  }

  zeroGrad(): void {
    zeroGrads(this.params);
  }

  /** Momentum buffers (by parameter name) and counters, for checkpoints. */
  getState(): OptimizerState {
    const buffers: OptimizerState['buffers'] = {};
    for (const [n, v] of this.velocity) buffers[n] = saveBuffer(v);
    return { step: this.steps, lr: this.lr, buffers };
  }

  setState(s: OptimizerState): void {
    ({ steps: this.steps, lr: this.lr } = restoreBuffers(
      this.params,
      s,
      () => this.dispose(),
      (n, v, byName) => {
        const p = byName.get(n);
        if (!p) throw new Error(`SGD.setState: velocity for unknown parameter '${n}'`);
        this.velocity.set(n, loadBuffer(`SGD.setState: velocity '${n}'`, p, v));
      },
    ));
  }

  dispose(): void {
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
  }
}
