// Which backend the suite runs on: 'wasm' in Node, 'webgl' in the browser runner (which sets
// globalThis.FASTRCNN_TEST_BACKEND before importing the tests), with a tolerance per backend.
import { setBackend } from '../../src/index.js';

export const BACKEND: string = (globalThis as any).FASTRCNN_TEST_BACKEND ?? 'wasm';
setBackend(BACKEND);

/** Relative tolerance for float32 results on the active backend. */
export function tol(wasm: number, webgl = wasm * 10): number {
  return BACKEND === 'webgl' ? webgl : wasm;
}
