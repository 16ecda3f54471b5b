// The WASM backend and all its kernels (each kernel file registers into the backend's kernel map);
// ready() (src/ready.ts) makes it known to the engine.
import { engine } from '../../tensor/engine.js';
import { WasmBackend } from './backend.js';
import './kernels/elementwise.js';
import './kernels/shape.js';
import './kernels/reduce.js';
import './kernels/dense.js';
import './kernels/roi.js';
import './kernels/smoothL1.js';
import './kernels/instanceNorm.js';

/** Makes the WASM backend available to the engine (priority 1: the default everywhere). */
export function registerWasmBackend(): void {
  engine.registerBackend('wasm', () => new WasmBackend(), 1);
}

export { WasmBackend };
