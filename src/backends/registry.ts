// Kernels by backend and name. Each backend's `kernels` map is the one kept here, so kernel files can
// register in any order relative to the backend's construction.
import type { AnyKernelFunc, KernelFunc } from '../core/backend.js';
import type { KernelName } from '../core/kernels.js';

const byBackend = new Map<string, Map<KernelName, AnyKernelFunc>>();

export function kernelsFor(backendName: string): Map<KernelName, AnyKernelFunc> {
  let m = byBackend.get(backendName);
  if (!m) {
    m = new Map();
    byBackend.set(backendName, m);
  }
  return m;
}

/** Registers `backendName`'s implementation of kernel `kernelName` (inputs and attrs of src/core/kernels.ts). */
export function registerKernel<K extends KernelName>(backendName: string, kernelName: K, fn: KernelFunc<K>): void {
  kernelsFor(backendName).set(kernelName, fn as unknown as AnyKernelFunc);
}
