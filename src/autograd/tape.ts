// Reverse-mode autodiff on a tape. While any input of a kernel requires grad, the engine records
// (rule, input ids, output ids, saved shares of inputs and outputs, attrs). backward() walks the tape
// from the end, calls each rule with its output gradients, sums gradients per tensor id, fills leaf
// `.grad`s and then releases the tape (saved shares are disposed, so memory returns to its level).
import type { Tensor } from '../tensor/tensor.js';
import { shapeStr } from '../tensor/types.js';
import type { GradFunc, Saved } from './registry.js';

interface Entry {
  kernel: string;
  rule: GradFunc;
  inputIds: number[];
  outputIds: number[];
  needs: boolean[];
  inputShapes: number[][];
  saved: Saved;
  attrs: Record<string, any>;
}

/** What the tape needs from the ops layer (injected to keep the module graph acyclic). */
export interface TapeOps {
  add(a: Tensor, b: Tensor): Tensor;
  ones(shape: number[]): Tensor;
  tidy<T>(fn: () => T): T;
  keep<T extends Tensor>(t: T): T;
  noGrad<T>(fn: () => T): T;
  share(t: Tensor): Tensor;
}

export class Tape {
  private entries: Entry[] = [];
  private leaves = new Map<number, Tensor>();
  ops: TapeOps | null = null;

  get length(): number { return this.entries.length; }

  record(kernel: string, rule: GradFunc, inputs: Tensor[], outputs: Tensor[], attrs: Record<string, any>,
         save: (t: Tensor) => Tensor): void {
    for (const t of inputs) if (t.requiresGrad && t.isLeaf) this.leaves.set(t.id, t);
    this.entries.push({
      kernel, rule, attrs,
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
    const entries = this.entries, leaves = this.leaves;
    this.entries = []; this.leaves = new Map();
    return () => { this.clear(); this.entries = entries; this.leaves = leaves; };
  }

  /** loss.backward(): accumulates into `.grad` of every leaf that requires grad, then clears the tape. */
  backward(root: Tensor, dy?: Tensor): void {
    const grads = this.gradients(root, dy, [...this.leaves.values()]);
    const ops = this.ops!;
    this.leaves.forEach((leaf) => {
      const g = grads.get(leaf.id);
      if (!g) return;
      if (leaf.grad) {
        const sum = ops.noGrad(() => ops.add(leaf.grad!, g));
        leaf.grad.dispose();
        g.dispose();
        leaf.grad = ops.keep(sum);
      } else {
        leaf.grad = g;
      }
    });
    this.clear();
  }

  /**
   * Gradients of `root` with respect to `targets` (by id), computed from the tape without clearing it.
   * Returned tensors are untracked by scopes; the caller owns them.
   */
  gradients(root: Tensor, dy: Tensor | undefined, targets: Tensor[]): Map<number, Tensor> {
    const ops = this.ops!;
    if (!root.requiresGrad) {
      throw new Error('backward: the tensor does not require grad (no input with requiresGrad reached it, or it was computed under noGrad)');
    }
    if (!dy && root.size !== 1) {
      throw new Error(`backward: tensor of shape ${shapeStr(root.shape)} is not a scalar; pass dy of the same shape`);
    }
    if (dy && (dy.shape.length !== root.shape.length || dy.shape.some((d, i) => d !== root.shape[i]))) {
      throw new Error(`backward: dy ${shapeStr(dy.shape)} does not match ${shapeStr(root.shape)}`);
    }
    const wanted = new Set(targets.map((t) => t.id));
    const result = new Map<number, Tensor>();
    ops.noGrad(() => ops.tidy(() => {
      const grads = new Map<number, Tensor>();
      grads.set(root.id, dy ? ops.share(dy) : ops.ones(root.shape));
      for (let i = this.entries.length - 1; i >= 0; i--) {
        const e = this.entries[i];
        const dys = e.outputIds.map((id) => grads.get(id) ?? null);
        if (dys.every((d) => d === null)) continue;
        const inGrads = e.rule(dys, e.saved, e.attrs);
        for (let j = 0; j < e.inputIds.length; j++) {
          const g = inGrads[j];
          if (!e.needs[j] || !g) continue;
          const want = e.inputShapes[j];
          if (g.shape.length !== want.length || g.shape.some((d, k) => d !== want[k])) {
            throw new Error(`gradient of ${e.kernel}: input ${j} got ${shapeStr(g.shape)}, expected ${shapeStr(want)}`);
          }
          const id = e.inputIds[j];
          const prev = grads.get(id);
          grads.set(id, prev ? ops.add(prev, g) : g);
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
        if (g) result.set(id, ops.keep(g === dy ? ops.share(g) : g));
      }
      // A tensor kept for two targets must be two tensors (each caller disposes its own).
      const seen = new Set<Tensor>();
      for (const [id, g] of result) {
        if (seen.has(g)) result.set(id, ops.keep(ops.share(g)));
        seen.add(g);
      }
    }));
    return result;
  }
}
