// Reverse-mode autodiff on a tape. While any input of a kernel requires grad, the engine records
// (rule, input ids, output ids, saved shares of inputs and outputs, attrs). backward() walks the tape
// from the end, calls each rule with its output gradients, sums gradients per tensor id, fills leaf
// `.grad`s and then releases the tape (saved shares are disposed, so memory returns to its level).
// ready() (src/ready.ts) installs the one tape on the engine.
import { Add, type KernelName } from '../core/kernels.js';
import { sameShape, shapeStr, sizeOf } from '../core/types.js';
import { type GradientTape, engine } from '../tensor/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import { type AnyGradFunc, getGradient } from './registry.js';

interface Entry {
  kernel: KernelName;
  rule: AnyGradFunc;
  inputIds: number[];
  outputIds: number[];
  needs: boolean[];
  inputShapes: number[][];
  saved: { inputs: Tensor[]; outputs: Tensor[]; needs: boolean[] };
  attrs: object;
}

/** The few tensor operations the tape itself does, straight on the engine (no op checks needed). */
const add = (a: Tensor, b: Tensor) => engine.runKernel(Add, [a, b])[0];
const ones = (shape: number[]) => engine.makeTensor(new Float32Array(sizeOf(shape)).fill(1), shape, 'float32');
/** A share of `t` that no tidy scope owns (the tape disposes it). */
const save = (t: Tensor) => engine.share(t, t.shape, false);

/**
 * Adds `g` into `t.grad` (or makes it `t.grad`), taking ownership of `g`; the result is kept out of
 * every scope. The one rule for accumulating gradients: backward() and the gradient worker's sums.
 */
export function accumulateGrad(t: Tensor, g: Tensor): void {
  if (t.grad) {
    const sum = engine.noGrad(() => add(t.grad!, g));
    t.grad.dispose();
    g.dispose();
    t.grad = engine.keep(sum);
  } else {
    t.grad = engine.keep(g);
  }
}

class Tape implements GradientTape {
  private entries: Entry[] = [];
  private leaves = new Map<number, Tensor>();

  get length(): number {
    return this.entries.length;
  }

  record(kernel: KernelName, inputs: Tensor[], outputs: Tensor[], attrs: object): void {
    const rule = getGradient(kernel);
    if (!rule) return;
    for (const o of outputs) {
      o.requiresGrad = o.dtype === 'float32';
      o.fromOp = true;
    }
    for (const t of inputs) if (t.requiresGrad && t.isLeaf) this.leaves.set(t.id, t);
    this.entries.push({
      kernel,
      rule,
      attrs,
      inputIds: inputs.map((t) => t.id),
      outputIds: outputs.map((t) => t.id),
      needs: inputs.map((t) => t.requiresGrad),
      inputShapes: inputs.map((t) => t.shape),
      saved: { inputs: inputs.map(save), outputs: outputs.map(save), needs: inputs.map((t) => t.requiresGrad) },
    });
  }

  /** Drops everything recorded (e.g. after a forward pass whose gradient is not wanted). */
  clear(): void {
    for (const e of this.entries) {
      for (const t of e.saved.inputs) t.dispose();
      for (const t of e.saved.outputs) t.dispose();
    }
    this.entries = [];
    this.leaves.clear();
  }

  /** Swaps in an empty tape, returning a function that restores the previous one. */
  isolate(): () => void {
    const entries = this.entries,
      leaves = this.leaves;
    this.entries = [];
    this.leaves = new Map();
    return () => {
      this.clear();
      this.entries = entries;
      this.leaves = leaves;
    };
  }

  /** loss.backward(): accumulates into `.grad` of every leaf that requires grad, then clears the tape. */
  backward(root: Tensor, dy?: Tensor): void {
    const grads = this.gradients(root, dy, [...this.leaves.values()]);
    this.leaves.forEach((leaf) => {
      const g = grads.get(leaf.id);
      if (g) accumulateGrad(leaf, g);
    });
    this.clear();
  }

  /**
   * Gradients of `root` with respect to `targets` (by id), computed from the tape without clearing it.
   * Returned tensors are untracked by scopes; the caller owns them.
   */
  gradients(root: Tensor, dy: Tensor | undefined, targets: Tensor[]): Map<number, Tensor> {
    if (!root.requiresGrad) {
      throw new Error(
        'backward: the tensor does not require grad (no input with requiresGrad reached it, or it was computed under noGrad)',
      );
    }
    if (!dy && root.size !== 1) {
      throw new Error(`backward: tensor of shape ${shapeStr(root.shape)} is not a scalar; pass dy of the same shape`);
    }
    if (dy && !sameShape(dy.shape, root.shape)) {
      throw new Error(`backward: dy ${shapeStr(dy.shape)} does not match ${shapeStr(root.shape)}`);
    }
    const wanted = new Set(targets.map((t) => t.id));
    const result = new Map<number, Tensor>();
    engine.noGrad(() =>
      engine.tidy(() => {
        const grads = new Map<number, Tensor>();
        grads.set(root.id, dy ? engine.share(dy) : ones(root.shape));
        for (let i = this.entries.length - 1; i >= 0; i--) {
          const e = this.entries[i];
          const dys = e.outputIds.map((id) => grads.get(id) ?? null);
          if (dys.every((d) => d === null)) continue;
          const inGrads = e.rule(dys, e.saved, e.attrs);
          for (let j = 0; j < e.inputIds.length; j++) {
            const g = inGrads[j];
            if (!e.needs[j] || !g) continue;
            const want = e.inputShapes[j];
            if (!sameShape(g.shape, want)) {
              throw new Error(`gradient of ${e.kernel}: input ${j} got ${shapeStr(g.shape)}, expected ${shapeStr(want)}`);
            }
            const id = e.inputIds[j];
            const prev = grads.get(id);
            grads.set(id, prev ? add(prev, g) : g);
          }
          // Output gradients are done with: free them early unless still referenced.
          for (const id of e.outputIds) {
            const g = grads.get(id);
            grads.delete(id);
            if (g && !wanted.has(id) && !inGrads.includes(g) && ![...grads.values()].includes(g)) g.dispose();
            else if (g && wanted.has(id)) grads.set(id, g);
          }
        }
        for (const id of wanted) {
          const g = grads.get(id);
          if (g) result.set(id, engine.keep(g === dy ? engine.share(g) : g));
        }
        // A tensor kept for two targets must be two tensors (each caller disposes its own).
        const seen = new Set<Tensor>();
        for (const [id, g] of result) {
          if (seen.has(g)) result.set(id, engine.keep(engine.share(g)));
          seen.add(g);
        }
      }),
    );
    return result;
  }
}

/** The one tape, installed on the engine by ready(). */
export const tape = new Tape();
