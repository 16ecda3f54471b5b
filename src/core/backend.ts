// The seam between the engine and where bytes live. A backend owns its data (WASM linear memory,
// WebGL textures) behind opaque DataIds with reference counts, and implements kernels by name
// (the names, inputs and attrs of ./kernels.ts).
import type { KernelAttrs, KernelInputs, KernelName } from './kernels.js';
import type { DType, TypedArray } from './types.js';

/** Opaque handle to backend-owned data. */
export interface DataId {
  readonly backendName: string;
}

export interface TensorInfo {
  dataId: DataId;
  shape: number[];
  dtype: DType;
}

/** One backend's implementation of kernel K; it returns new DataIds (refcount 1) for its outputs. */
export type KernelFunc<K extends KernelName = KernelName> = (
  inputs: KernelInputs<K, TensorInfo>,
  attrs: KernelAttrs<K>,
  backend: Backend,
) => TensorInfo[];
/** A kernel function as the engine holds it, its name's types erased. */
export type AnyKernelFunc = (inputs: TensorInfo[], attrs: object, backend: Backend) => TensorInfo[];

export interface BackendMemory {
  buffers: number;
  bytes: number;
  [key: string]: number;
}

export interface Backend {
  readonly name: string;
  /** Copies values into new backend storage (refcount 1). */
  write(values: TypedArray, shape: number[], dtype: DType): DataId;
  /** Synchronous copy out. */
  readSync(dataId: DataId): TypedArray;
  /** Optional: copies the values into out[offset..] without allocating (the Node worker protocol). */
  readInto?(dataId: DataId, out: Float32Array, offset: number): void;
  read(dataId: DataId): Promise<TypedArray>;
  incRef(dataId: DataId): void;
  /** Frees the storage when the count reaches zero. */
  decRef(dataId: DataId): void;
  memory(): BackendMemory;
  /** Optional: remarks on how the backend runs here (memory().notes), e.g. why WASM kernels use one thread. */
  notes?(): string[];
  /**
   * False when the backend works but should not win the automatic choice (WebGL on a software
   * rasterizer such as SwiftShader, where WASM is an order of magnitude faster). setBackend() still
   * selects it.
   */
  readonly preferredForAuto?: boolean;
  /**
   * True once the backend can no longer run anything (a lost WebGL context: GPU reset, too many
   * contexts, the tab in the background on some systems). The engine then moves new work to WASM.
   */
  readonly contextLost?: boolean;
  kernels: Map<KernelName, AnyKernelFunc>;
  dispose?(): void;
}
