// WASM memory for one wrapper call: the detector's kernels never allocate (stub runtime), so each
// typed-array wrapper in this folder allocates its inputs, outputs and scratch here, copies in and
// out, and frees everything when the call ends (also on error).
import { loadWasm, type WasmModule } from '../../../backends/wasm/loader.js';

// Memory helpers

/** Allocations made for one call, all freed by `release` (also on error). */
export class Scope {
  readonly m: WasmModule;
  private ptrs: number[] = [];
  constructor() {
    this.m = loadWasm();
  }
  alloc(bytes: number): number {
    const p = this.m.alloc(bytes);
    this.ptrs.push(p);
    return p;
  }
  f32In(a: ArrayLike<number>): number {
    const p = this.alloc(a.length * 4);
    this.m.f32(p, a.length).set(a);
    return p;
  }
  i32In(a: ArrayLike<number>): number {
    const p = this.alloc(a.length * 4);
    this.m.i32(p, a.length).set(a);
    return p;
  }
  f64In(a: ArrayLike<number>): number {
    const p = this.alloc(a.length * 8);
    this.m.f64(p, a.length).set(a);
    return p;
  }
  f32Out(p: number, n: number): Float32Array {
    return this.m.f32(p, n).slice();
  }
  i32Out(p: number, n: number): Int32Array {
    return this.m.i32(p, n).slice();
  }
  f64Out(p: number, n: number): Float64Array {
    return this.m.f64(p, n).slice();
  }
  release(): void {
    for (const p of this.ptrs) this.m.free(p);
    this.ptrs = [];
  }
}

export function run<T>(fn: (s: Scope) => T): T {
  const s = new Scope();
  try {
    return fn(s);
  } finally {
    s.release();
  }
}
