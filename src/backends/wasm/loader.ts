// Loads the one .wasm module (embedded as base64 by scripts/build.mjs, so Node and browser bundles
// need no file or network access) and wraps it with the allocator and typed views. Where shared
// memory is usable (Node; a cross-origin isolated page) it is the threads build, instantiated on a
// shared WebAssembly.Memory that the kernel threads (threads.ts) instantiate the same module on;
// elsewhere the plain build, and the engine runs on one thread.
import { wasmBase64, wasmRelaxedBase64, wasmThreadsBase64, wasmThreadsRelaxedBase64 } from './binary.generated.js';
import { Allocator } from './allocator.js';

export interface WasmModule {
  /** Every export of assembly/index.ts. Pointers and sizes are plain numbers. */
  exports: Record<string, any>;
  memory: WebAssembly.Memory;
  allocator: Allocator;
  /** true when the relaxed-SIMD build (real FMA) was loaded. */
  relaxed: boolean;
  /** The compiled module; with `shared`, threads instantiate it on `memory` (threads.ts). */
  module: WebAssembly.Module;
  /** true for the threads build on a shared memory. */
  shared: boolean;
  /** Why memory is not shared (the engine then runs on one thread); '' when it is. */
  sharedNote: string;
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

const PAGES = 256; // asconfig.json initialMemory
// The shared memory's maximum (asconfig.json maximumMemory: 4 GiB, what a non-shared memory may
// reach too); a smaller one where the engine cannot reserve that much address space.
const MAX_PAGES = [65536, 16384];

/**
 * A shared memory for the threads build, or why there is none: no SharedArrayBuffer, a page that is
 * not cross-origin isolated (it needs the COOP/COEP headers), FASTRCNN_NO_THREADS set, no threads
 * build embedded, or an engine without WebAssembly threads.
 */
function sharedMemory(): WebAssembly.Memory | string {
  const g = globalThis as any;
  if (g.FASTRCNN_NO_THREADS || (typeof process !== 'undefined' && process.env?.FASTRCNN_NO_THREADS)) return 'FASTRCNN_NO_THREADS is set';
  if (!wasmThreadsBase64) return 'this build has no threads module';
  if (g.crossOriginIsolated === false)
    return 'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  if (typeof SharedArrayBuffer === 'undefined') return 'SharedArrayBuffer is not available';
  for (const maximum of MAX_PAGES) {
    try {
      return new WebAssembly.Memory({ initial: PAGES, maximum, shared: true } as WebAssembly.MemoryDescriptor);
    } catch {}
  }
  return 'this WebAssembly engine cannot make a shared memory';
}

/**
 * Loads (once) and returns the module. `bytes` overrides the embedded binary (tests, experiments).
 * `options.threads: false` loads the plain build even where the threads build could run (tests,
 * benchmarks of today's single-thread engine).
 */
export function loadWasm(bytes?: Uint8Array, options: { threads?: boolean } = {}): WasmModule {
  const fresh = !!bytes || options.threads !== undefined;
  if (instance && !fresh) return instance;
  let relaxed = false;
  let bin = bytes;
  let memory: WebAssembly.Memory | null = null;
  let sharedNote = bytes ? 'a module given as bytes' : '';
  if (!bin && options.threads !== false) {
    const shared = sharedMemory();
    if (typeof shared === 'string') sharedNote = shared;
    else {
      const r = wasmThreadsRelaxedBase64 ? decode(wasmThreadsRelaxedBase64) : null;
      if (r && relaxedAllowed(r)) {
        bin = r;
        relaxed = true;
      } else {
        const t = decode(wasmThreadsBase64!);
        if (WebAssembly.validate(t as BufferSource)) bin = t;
      }
      if (bin) memory = shared;
      else sharedNote = 'this WebAssembly engine has no threads (atomics)';
    }
  } else if (!bin) sharedNote = 'the plain build was asked for';
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
      ...(memory ? { memory } : {}),
    },
  });
  const exports = inst.exports as Record<string, any>;
  const mem = memory ?? (exports.memory as WebAssembly.Memory);
  const allocator = new Allocator(mem, exports.heapBase());
  const m: WasmModule = {
    exports,
    memory: mem,
    allocator,
    relaxed,
    module: mod,
    shared: !!memory,
    sharedNote,
    alloc: (n) => allocator.alloc(n),
    free: (p) => allocator.release(p),
    f32: (p, n) => new Float32Array(mem.buffer, p, n),
    i32: (p, n) => new Int32Array(mem.buffer, p, n),
    f64: (p, n) => new Float64Array(mem.buffer, p, n),
    u8: (p, n) => new Uint8Array(mem.buffer, p, n),
  };
  if (!fresh) instance = m;
  return m;
}
