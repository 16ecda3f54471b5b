// Loads the one .wasm module (embedded as base64 by scripts/build.mjs, so Node and browser bundles
// need no file or network access) and wraps it with the allocator and typed views.
import { wasmBase64, wasmRelaxedBase64 } from './binary.generated.js';
import { Allocator } from './allocator.js';

export interface WasmModule {
  /** Every export of assembly/index.ts. Pointers and sizes are plain numbers. */
  exports: Record<string, any>;
  memory: WebAssembly.Memory;
  allocator: Allocator;
  /** true when the relaxed-SIMD build (real FMA) was loaded. */
  relaxed: boolean;
  alloc(bytes: number): number;
  free(ptr: number): void;
  // Views are made fresh on each call: growing memory detaches old ones.
  f32(ptr: number, length: number): Float32Array;
  i32(ptr: number, length: number): Int32Array;
  f64(ptr: number, length: number): Float64Array;
  u8(ptr: number, length: number): Uint8Array;
}

let instance: WasmModule | null = null;

function decode(b64: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(b64, 'base64'));
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * Whether this engine compiles the relaxed-SIMD build (real FMA). Feature detection only: importing
 * the library changes no V8 flag of the host. Chrome 114+ and Node 22+ have relaxed SIMD; Node 20
 * has it behind --experimental-wasm-relaxed-simd, which the CLI (bin/fastrcnn.js), the tests and the
 * benchmarks set for their own processes. Elsewhere the plain SIMD build runs (a few % slower).
 */
function relaxedAllowed(bytes: Uint8Array): boolean {
  const g = globalThis as any;
  if (g.FASTRCNN_NO_RELAXED_SIMD || (typeof process !== 'undefined' && process.env?.FASTRCNN_NO_RELAXED_SIMD)) return false;
  try {
    return WebAssembly.validate(bytes as BufferSource);
  } catch {
    return false;
  }
}

/** Loads (once) and returns the module. `bytes` overrides the embedded binary (tests, experiments). */
export function loadWasm(bytes?: Uint8Array): WasmModule {
  if (instance && !bytes) return instance;
  let relaxed = false;
  let bin = bytes;
  if (!bin) {
    if (wasmRelaxedBase64) {
      const r = decode(wasmRelaxedBase64);
      if (relaxedAllowed(r)) {
        bin = r;
        relaxed = true;
      }
    }
    if (!bin) bin = decode(wasmBase64);
    if (!WebAssembly.validate(bin as BufferSource))
      throw new Error(
        'fastrcnn: this WebAssembly engine lacks 128-bit SIMD, which every kernel uses (Chrome/Edge 91+, Firefox 89+, Safari 16.4+, Node 16.4+)',
      );
  }
  const mod = new WebAssembly.Module(bin as BufferSource);
  const inst = new WebAssembly.Instance(mod, {
    env: {
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new Error(`WASM abort at ${line}:${col}`);
      },
      seed: () => 0,
    },
  });
  const exports = inst.exports as Record<string, any>;
  const memory = exports.memory as WebAssembly.Memory;
  const allocator = new Allocator(memory, exports.heapBase());
  const m: WasmModule = {
    exports,
    memory,
    allocator,
    relaxed,
    alloc: (n) => allocator.alloc(n),
    free: (p) => allocator.release(p),
    f32: (p, n) => new Float32Array(memory.buffer, p, n),
    i32: (p, n) => new Int32Array(memory.buffer, p, n),
    f64: (p, n) => new Float64Array(memory.buffer, p, n),
    u8: (p, n) => new Uint8Array(memory.buffer, p, n),
  };
  if (!bytes) instance = m;
  return m;
}
