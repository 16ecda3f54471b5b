// Gradient rules by kernel name. A rule gets the output gradients (one per kernel output; null where
// no gradient flowed) and the saved inputs/outputs, and returns one gradient per input (null where an
// input is not differentiable). Rules are written with ops, so they run on any backend; they live in
// src/gradients/ and are registered by ready() (src/ready.ts).
import type { KernelAttrs, KernelInputs, KernelName, KernelOutputs } from '../core/kernels.js';
import type { Tensor } from '../tensor/tensor.js';

/** What a rule sees: shares of the kernel's inputs and outputs, and which inputs need a gradient. */
interface Saved<K extends KernelName = KernelName> {
  inputs: KernelInputs<K, Tensor>;
  outputs: KernelOutputs<K, Tensor>;
  needs?: boolean[];
}
export type GradFunc<K extends KernelName = KernelName> = (
  dys: (Tensor | null)[],
  saved: Saved<K>,
  attrs: KernelAttrs<K>,
) => (Tensor | null)[];

/** A rule as the tape holds it, its kernel's types erased. */
export type AnyGradFunc = (
  dys: (Tensor | null)[],
  saved: { inputs: Tensor[]; outputs: Tensor[]; needs?: boolean[] },
  attrs: object,
) => (Tensor | null)[];

const rules = new Map<KernelName, AnyGradFunc>();

export function registerGradient<K extends KernelName>(kernelName: K, fn: GradFunc<K>): void {
  rules.set(kernelName, fn as unknown as AnyGradFunc);
}

export function getGradient(kernelName: KernelName): AnyGradFunc | undefined {
  return rules.get(kernelName);
}
