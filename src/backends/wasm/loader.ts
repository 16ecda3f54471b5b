// Loads the one .wasm module (embedded as base64 by scripts/build.mjs, so Node and browser bundles
// need no file or network access) and wraps it with the allocator and typed views. Where shared
// memory is usable (Node; a cross-origin isolated page) the module is loaded with its memory turned
// into an import (withSharedMemoryImport: the same code, so the same speed and results) and
// instantiated on a shared WebAssembly.Memory that the kernel threads (threads.ts) instantiate the
// same module on; elsewhere as built, and the engine runs on one thread.
import { wasmBase64, wasmRelaxedBase64 } from './binary.generated.js';
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
  /** true when the module runs on a shared memory (the kernel threads' way). */
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
// The shared memory's maximum (4 GiB, what a non-shared memory may reach too); a smaller one where
// the engine cannot reserve that much address space.
const MAX_PAGES = [65536, 16384];
let sharedMax = MAX_PAGES[0];

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 127;
    n >>>= 7;
    if (n) b |= 128;
    out.push(b);
  } while (n);
  return out;
};
const utf8Name = (s: string): number[] => [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/**
 * The module `bin` with its own memory turned into an import `env.memory`, shared, of at most
 * `maxPages` pages (its minimum kept): what the kernel threads instantiate on one shared memory. Only
 * the module's header sections change, the code not at all. The module keeps no mutable data in
 * its data segments (which every instantiation writes again): kernels get their counters and
 * scratch from the caller.
 */
function withSharedMemoryImport(bin: Uint8Array, maxPages: number): Uint8Array {
  let p = 8;
  const read = (): number => {
    let n = 0,
      shift = 0,
      b: number;
    do {
      b = bin[p++];
      n += (b & 127) * 2 ** shift;
      shift += 7;
    } while (b & 128);
    return n;
  };
  const sections: { id: number; body: Uint8Array }[] = [];
  while (p < bin.length) {
    const id = bin[p++];
    const size = read();
    sections.push({ id, body: bin.subarray(p, p + size) });
    p += size;
  }
  const mem = sections.find((s) => s.id === 5);
  if (!mem) return bin;
  p = mem.body.byteOffset - bin.byteOffset;
  if (read() !== 1) throw new Error('fastrcnn: the module declares more than one memory');
  const flags = bin[p++];
  const min = read();
  if (flags & 2) return bin; // already shared
  const entry = [...utf8Name('env'), ...utf8Name('memory'), 0x02, 0x03, ...leb(min), ...leb(maxPages)];
  const parts: Uint8Array[] = [bin.subarray(0, 8)];
  const put = (id: number, body: ArrayLike<number>) => {
    parts.push(Uint8Array.from([id, ...leb(body.length)]), body instanceof Uint8Array ? body : Uint8Array.from(body));
  };
  let imported = false;
  for (const s of sections) {
    if (s.id === 5) continue;
    if (s.id === 2) {
      // existing imports: one more (memory imports do not shift function indices)
      p = s.body.byteOffset - bin.byteOffset;
      const count = read();
      const rest = bin.subarray(p, s.body.byteOffset - bin.byteOffset + s.body.length);
      const body = new Uint8Array(leb(count + 1).length + rest.length + entry.length);
      body.set(leb(count + 1));
      body.set(rest, leb(count + 1).length);
      body.set(entry, leb(count + 1).length + rest.length);
      put(2, body);
      imported = true;
      continue;
    }
    if (!imported && s.id !== 0 && s.id > 2) {
      put(2, [...leb(1), ...entry]);
      imported = true;
    }
    put(s.id, s.body);
  }
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let at = 0;
  for (const x of parts) {
    out.set(x, at);
    at += x.length;
  }
  return out;
}

/**
 * A shared memory for the kernel threads, or why there is none: no SharedArrayBuffer, a page that
 * is not cross-origin isolated (it needs the COOP/COEP headers), FASTRCNN_NO_THREADS set, or an
 * engine without WebAssembly threads.
 */
function sharedMemory(): WebAssembly.Memory | string {
  const g = globalThis as any;
  if (g.FASTRCNN_NO_THREADS || (typeof process !== 'undefined' && process.env?.FASTRCNN_NO_THREADS)) return 'FASTRCNN_NO_THREADS is set';
  if (g.crossOriginIsolated === false)
    return 'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  if (typeof SharedArrayBuffer === 'undefined') return 'SharedArrayBuffer is not available';
  for (const maximum of MAX_PAGES) {
    try {
      const memory = new WebAssembly.Memory({ initial: PAGES, maximum, shared: true } as WebAssembly.MemoryDescriptor);
      sharedMax = maximum;
      return memory;
    } catch {}
  }
  return 'this WebAssembly engine cannot make a shared memory';
}

/**
 * Loads (once) and returns the module. `bytes` overrides the embedded binary (tests, experiments).
 * `options.threads: false` loads the module as built even where shared memory is usable (tests,
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
      const maximum = sharedMax;
      const r = wasmRelaxedBase64 ? withSharedMemoryImport(decode(wasmRelaxedBase64), maximum) : null;
      if (r && relaxedAllowed(r)) {
        bin = r;
        relaxed = true;
      } else {
        const t = withSharedMemoryImport(decode(wasmBase64), maximum);
        if (WebAssembly.validate(t as BufferSource)) bin = t;
      }
      if (bin) memory = shared;
      else sharedNote = 'this WebAssembly engine has no threads (shared memory imports)';
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
