// The WebAssembly backend: tensor bytes live in the module's linear memory, allocated by Allocator.
import type { Backend, BackendMemory, DataId, TensorInfo } from '../../core/backend.js';
import { kernelsFor } from '../registry.js';
import { type DType, type TypedArray, arrayFor, sizeOf } from '../../core/types.js';
import { type WasmModule, loadWasm } from './loader.js';
import { threadInfoFor, threadsFor } from './threads.js';

export class WasmData implements DataId {
  readonly backendName = 'wasm';
  refCount = 1;
  constructor(
    readonly ptr: number,
    readonly length: number,
    readonly dtype: DType,
  ) {}
}

export class WasmBackend implements Backend {
  readonly name = 'wasm';
  readonly kernels = kernelsFor('wasm');
  readonly m: WasmModule;
  private buffers = 0;
  private bytes = 0;

  constructor(module?: WasmModule) {
    this.m = module ?? loadWasm();
  }

  /** Uninitialized storage for `length` 4-byte elements (kernels write their outputs here). */
  allocData(length: number, dtype: DType): WasmData {
    const ptr = this.m.alloc(Math.max(length, 1) * 4);
    this.buffers++;
    this.bytes += length * 4;
    return new WasmData(ptr, length, dtype);
  }

  /** An output TensorInfo with fresh storage. */
  out(shape: number[], dtype: DType = 'float32'): TensorInfo {
    return { dataId: this.allocData(sizeOf(shape), dtype), shape, dtype };
  }

  ptr(info: TensorInfo | DataId): number {
    const d = ('dataId' in info ? info.dataId : info) as WasmData;
    return d.ptr;
  }

  f32(info: TensorInfo): Float32Array {
    return this.m.f32(this.ptr(info), sizeOf(info.shape));
  }
  i32(info: TensorInfo): Int32Array {
    return this.m.i32(this.ptr(info), sizeOf(info.shape));
  }

  /** Scratch memory for one kernel call: run fn with a pointer, always freed. */
  withScratch<T>(bytes: number, fn: (ptr: number) => T): T {
    if (bytes <= 0) return fn(0);
    const p = this.m.alloc(bytes);
    try {
      return fn(p);
    } finally {
      this.m.free(p);
    }
  }

  /** Copies small i32 arrays (shapes, strides) into memory for the duration of fn. */
  withInts<T>(arrays: number[][], fn: (ptrs: number[]) => T): T {
    const total = arrays.reduce((n, a) => n + Math.max(a.length, 1), 0);
    return this.withScratch(total * 4, (base) => {
      const ptrs: number[] = [];
      let off = base;
      for (const a of arrays) {
        this.m.i32(off, a.length).set(a);
        ptrs.push(off);
        off += Math.max(a.length, 1) * 4;
      }
      return fn(ptrs);
    });
  }

  write(values: TypedArray, _shape: number[], dtype: DType): DataId {
    const d = this.allocData(values.length, dtype);
    if (dtype === 'int32') this.m.i32(d.ptr, values.length).set(values);
    else this.m.f32(d.ptr, values.length).set(values);
    return d;
  }

  readSync(dataId: DataId): TypedArray {
    const d = dataId as WasmData;
    if (d.refCount <= 0) throw new Error('wasm backend: read of freed data');
    const out = arrayFor(d.dtype, d.length);
    out.set(d.dtype === 'int32' ? this.m.i32(d.ptr, d.length) : this.m.f32(d.ptr, d.length));
    return out;
  }

  readInto(dataId: DataId, out: Float32Array, offset: number): void {
    const d = dataId as WasmData;
    if (d.refCount <= 0) throw new Error('wasm backend: read of freed data');
    if (d.dtype !== 'float32') throw new Error(`wasm backend: readInto needs float32 data, got ${d.dtype}`);
    out.set(this.m.f32(d.ptr, d.length), offset);
  }

  async read(dataId: DataId): Promise<TypedArray> {
    return this.readSync(dataId);
  }

  incRef(dataId: DataId): void {
    (dataId as WasmData).refCount++;
  }

  decRef(dataId: DataId): void {
    const d = dataId as WasmData;
    if (--d.refCount === 0) {
      this.m.free(d.ptr);
      this.buffers--;
      this.bytes -= d.length * 4;
    }
  }

  memory(): BackendMemory {
    return {
      buffers: this.buffers,
      bytes: this.bytes,
      heapBytes: this.m.allocator.heapBytes,
      allocatorBytes: this.m.allocator.bytesInUse,
      relaxedSimd: this.m.relaxed ? 1 : 0,
      sharedMemory: this.m.shared ? 1 : 0,
      threads: threadsFor(this.m),
    };
  }

  /** Why the kernels run on one thread, if they do (memory().notes). */
  notes(): string[] {
    const t = threadInfoFor(this.m);
    return t.note ? [`WASM kernels on one thread: ${t.note}`] : [];
  }
}
