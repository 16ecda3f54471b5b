// The WebGL2 backend ('webgl') and its kernels; ready() (src/ready.ts) registers it with the engine. Kernels it lacks (RoI pooling, smooth-L1,
// NMS, SVD, ...) run on 'wasm', the engine moving the data across. Where a page or worker can make a
// WebGL2 context the backend outranks WASM in the automatic choice; elsewhere (plain Node) it stays
// registered at a low priority and its factory throws a clear error only if asked for.
import { engine } from '../../tensor/engine.js';
import { WebGLBackend } from './backend.js';
import { type WebGLBackendOptions, webglLikelyAvailable } from './context.js';
import './kernels/elementwise.js';
import './kernels/shape.js';
import './kernels/reduce.js';
import './kernels/matmul.js';
import './kernels/conv.js';
import './kernels/pool.js';

/** A backend on the caller's context or canvas: `engine.registerBackend('webgl', () => createWebGLBackend({ gl }))`. */
export function createWebGLBackend(opts: WebGLBackendOptions = {}): WebGLBackend {
  return new WebGLBackend(opts);
}

/** Makes the WebGL backend available to the engine (above WASM where a context can likely be made). */
export function registerWebGLBackend(): void {
  engine.registerBackend('webgl', () => new WebGLBackend(), webglLikelyAvailable() ? 2 : 0);
}

export { WebGLBackend };
export type { WebGLBackendOptions };
