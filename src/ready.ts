// The engine's wiring, done once and explicitly (no module changes another at load time): the WASM
// and WebGL backends become known to the engine, the gradient tape (src/autograd/) is installed on
// it, and every kernel's gradient rule (src/gradients/) is registered. The package entry calls
// ready() when it loads; code that imports engine modules directly (worker threads, tests of one
// module) calls it itself. Calling it again does nothing.
import { tape } from './autograd/tape.js';
import { registerWasmBackend } from './backends/wasm/index.js';
import { registerWebGLBackend } from './backends/webgl/index.js';
import { registerGradients } from './gradients/index.js';
import { engine } from './tensor/engine.js';

let wired = false;

export function ready(): void {
  if (wired) return;
  wired = true;
  registerWasmBackend();
  registerWebGLBackend();
  engine.setTape(tape);
  registerGradients();
}
