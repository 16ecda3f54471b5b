// Gradient rules by kernel name. A rule gets the output gradients (one per kernel output; null where
// no gradient flowed) and the saved inputs/outputs, and returns one gradient per input (null where an
// input is not differentiable). Rules are written with ops, so they run on any backend.
import type { Tensor } from '../tensor/tensor.js';

/** What a rule sees: shares of the kernel's inputs and outputs, and which inputs need a gradient. */
export interface Saved { inputs: Tensor[]; outputs: Tensor[]; needs?: boolean[] }
export type GradFunc = (dys: (Tensor | null)[], saved: Saved, attrs: Record<string, any>) => (Tensor | null)[];

const rules = new Map<string, GradFunc>();

export function registerGradient(kernelName: string, fn: GradFunc): void {
  rules.set(kernelName, fn);
}

export function getGradient(kernelName: string): GradFunc | undefined {
  return rules.get(kernelName);
}
