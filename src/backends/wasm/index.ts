// Registers the WASM backend and all its kernels.
import { engine } from '../../tensor/engine.js';
import { WasmBackend } from './backend.js';
import './kernels/elementwise.js';
import './kernels/shape.js';
import './kernels/reduce.js';
import './kernels/dense.js';
import './kernels/roi.js';
import './kernels/smoothL1.js';
import './kernels/instanceNorm.js';

engine.registerBackend('wasm', () => new WasmBackend(), 1);

export { WasmBackend };
