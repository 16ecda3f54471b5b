// `fastrcnn`: the engine and the detector, browser-safe (the Node-only steps are `fastrcnn/node`,
// src/node.ts; docs/ARCHITECTURE.md). Loading it calls ready() (src/ready.ts): the backends (WASM is the
// default everywhere), the gradient tape and the gradient rules are wired into the engine.
import { ready } from './ready.js';
import { engine } from './tensor/engine.js';
import type { Tensor } from './tensor/tensor.js';

ready();

export { Tensor } from './tensor/tensor.js';
export type { DType, TypedArray } from './core/types.js';
export { ready };
export { version } from './core/version.js';
export type { Backend, KernelFunc, TensorInfo } from './core/backend.js';
export { registerKernel } from './backends/registry.js';
export type { KernelSpecs, KernelName, KernelAttrs } from './core/kernels.js';
export { registerGradient } from './autograd/registry.js';
export { WasmBackend, setThreads, threadInfo, threadsReady, type ThreadInfo } from './backends/wasm/index.js';
export { WebGLBackend, createWebGLBackend, type WebGLBackendOptions } from './backends/webgl/index.js';
export * from './ops/index.js';
export { grad, grads, valueAndGrad, valueAndGrads, noGrad } from './autograd/functional.js';
export { Rng } from './util/random.js';
export { engine };
export type { MemoryInfo } from './tensor/engine.js';

/** Frees every tensor fn creates except those it returns. */
export function tidy<T>(fn: () => T): T {
  return engine.tidy(fn);
}
/** Exempts a tensor from the enclosing tidy. */
export function keep<T extends Tensor>(t: T): T {
  return engine.keep(t);
}
/** Live tensors and backend bytes. */
export function memory() {
  return engine.memory();
}
export function setBackend(name: string) {
  return engine.setBackend(name).name;
}
export function getBackend(): string {
  return engine.backendName;
}
export * from './nn/index.js';
export * from './detection/model/boxes.js';
export * from './detection/model/svdCompress.js';
export * from './eval/vocAp.js';
export * from './data/types.js';
export * from './data/boxes.js';
export * from './data/image.js';
export * from './data/transforms.js';
export * from './data/draw.js';
export * from './data/shapes.js';
export * from './data/synth-scene.js';
export * from './data/voc-xml.js';
export { DEFAULT_LIMITS, getLimits, setLimits, type Limits } from './core/limits.js';
export * from './proposals/selectiveSearch.js';
export * from './proposals/recall.js';
export * from './proposals/proposalFiles.js';
export * from './detection/index.js';
