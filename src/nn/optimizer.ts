// What every optimizer is (SGD in ./optim.ts, Adam in ./adam.ts): `step()` applies one update from the
// parameters' `.grad`s with the per-parameter LR and decay multipliers, and the state a checkpoint
// keeps is one shape for all of them (counters plus named buffers). The helpers below are the parts
// the optimizers share: unique names, the per-parameter update loop, zeroing grads, buffers in and out.
import { engine } from '../tensor/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Parameter } from './module.js';

/** One saved buffer (a momentum, a moment) with its shape. */
export interface StateBuffer {
  shape: number[];
  data: number[] | Float32Array;
}

/**
 * What an optimizer saves for a checkpoint: the number of steps taken, the current learning rate and
 * its per-parameter buffers by key (SGD: the parameter's name → momentum; Adam: `m:<name>`, `v:<name>`).
 */
export interface OptimizerState {
  step: number;
  lr: number;
  buffers: Record<string, StateBuffer>;
}

export interface Optimizer {
  readonly params: Parameter[];
  /** Base learning rate (a schedule may set it before each step). */
  lr: number;
  /** Steps taken so far. */
  readonly steps: number;
  /** One update from the parameters' `.grad`s (parameters without a grad are left alone). */
  step(): void;
  /** Drops every parameter's `.grad`. */
  zeroGrad(): void;
  getState(): OptimizerState;
  setState(s: OptimizerState): void;
  /** Frees the optimizer's buffers. */
  dispose(): void;
}

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
  for (const p of params)
    if (p.tensor.grad) {
      p.tensor.grad.dispose();
      p.tensor.grad = null;
    }
}

/**
 * Runs `update` for each parameter that has a grad, without recording gradients and inside its own
 * tidy, with the parameter's learning rate and weight decay (base values times its multipliers).
 */
export function updateEach(
  params: Parameter[],
  lr: number,
  weightDecay: number,
  update: (p: Parameter, g: Tensor, lr: number, wd: number) => void,
): void {
  engine.noGrad(() => {
    for (const p of params) {
      const g = p.tensor.grad;
      if (!g) continue;
      engine.tidy(() => update(p, g, lr * p.lrMult, weightDecay * p.decayMult));
    }
  });
}

/**
 * The part of setState both optimizers share: frees the current buffers (`dispose`), then hands each
 * saved buffer to `load` with its key and the parameters by name; returns the counters to set.
 */
export function restoreBuffers(
  params: Parameter[],
  s: OptimizerState,
  dispose: () => void,
  load: (key: string, b: StateBuffer, byName: Map<string, Parameter>) => void,
): { steps: number; lr: number } {
  dispose();
  const byName = new Map(params.map((p) => [p.name, p]));
  for (const [key, b] of Object.entries(s.buffers)) load(key, b, byName);
  return { steps: s.step, lr: s.lr };
}

/** A buffer's values for the state. */
export function saveBuffer(t: Tensor): StateBuffer {
  return { shape: t.shape, data: t.dataSync() as Float32Array };
}

/** A saved buffer as a kept tensor of the parameter's shape; `what` names it in the size error. */
export function loadBuffer(what: string, p: Parameter, b: StateBuffer): Tensor {
  if (p.tensor.size !== b.data.length) throw new Error(`${what} has ${b.data.length} values, parameter has ${p.tensor.size}`);
  return engine.keep(engine.makeTensor(Float32Array.from(b.data), p.tensor.shape, 'float32'));
}
