// The WASM backend and all its kernels (each kernel file registers into the backend's kernel map);
// ready() (src/ready.ts) makes it known to the engine.
import { engine } from '../../tensor/engine.js';
import { WasmBackend } from './backend.js';
import { loadWasm } from './loader.js';
import { type ThreadInfo, setThreads as setThreadsOf, threadInfoFor, threadsReady as threadsReadyOf } from './threads.js';
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

/**
 * How many threads the WASM kernels use (1 to 16): matmul, the convolutions (forward and both
 * backward passes) and the RoI forward passes split their output between them. The default (null)
 * is the number of cores, up to 4. Returns the count in effect: 1 where there is no shared memory (a page
 * that is not cross-origin isolated) or no way to start workers; threadInfo() says why. Every
 * thread count gives the same results, bit for bit.
 */
export function setThreads(n: number | null): number {
  return setThreadsOf(n, loadWasm());
}

/** The WASM kernel threads: the count in effect, what was asked, whether memory is shared, and why not. */
export function threadInfo(): ThreadInfo {
  return threadInfoFor(loadWasm());
}

/** Starts the kernel threads now and resolves with the count running (they otherwise start at the first large kernel). */
export function threadsReady(timeoutMs?: number): Promise<number> {
  return threadsReadyOf(loadWasm(), timeoutMs);
}

export type { ThreadInfo };
