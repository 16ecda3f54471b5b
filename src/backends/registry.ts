// Kernels by backend and name. Each backend's `kernels` map is the one kept here, so kernel files can
// register in any order relative to the backend's construction.
import type { KernelFunc } from './backend.js';

const byBackend = new Map<string, Map<string, KernelFunc>>();

export function kernelsFor(backendName: string): Map<string, KernelFunc> {
  let m = byBackend.get(backendName);
  if (!m) { m = new Map(); byBackend.set(backendName, m); }
  return m;
}

export function registerKernel(backendName: string, kernelName: string, fn: KernelFunc): void {
  kernelsFor(backendName).set(kernelName, fn);
}
