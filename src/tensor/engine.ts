// The engine: backend registry, kernel dispatch (with fallback to the WASM backend for kernels a
// backend lacks), tensor scopes (tidy/keep), memory accounting, and the seam to the gradient tape
// (src/autograd/tape.ts, installed by ready() in src/ready.ts: the engine does not import autograd).
import type { AnyKernelFunc, Backend, TensorInfo } from '../core/backend.js';
import type { AttrsArg, KernelInputs, KernelName, KernelOutputs } from '../core/kernels.js';
import { Tensor, numLiveTensors, setEngineHooks } from './tensor.js';
import { type DType, type TypedArray, assertShape, shapeStr, sizeOf } from '../core/types.js';

type BackendFactory = () => Backend;

/** What the engine needs of the gradient tape. */
export interface GradientTape {
  /** Recorded kernel calls not yet consumed by backward() or clear(). */
  readonly length: number;
  /**
   * Called after kernel `name` ran with recording on and an input that requires grad: records the
   * call if the kernel has a gradient rule (marking the outputs as requiring grad).
   */
  record(name: KernelName, inputs: Tensor[], outputs: Tensor[], attrs: object): void;
  /** loss.backward(): fills `.grad` of the leaves, then clears the tape. */
  backward(root: Tensor, dy?: Tensor): void;
  /** Drops everything recorded. */
  clear(): void;
}

export interface MemoryInfo {
  /** Live (undisposed) Tensor objects. */
  numTensors: number;
  /** Bytes held by the active backend's live buffers. */
  numBytes: number;
  numBuffers: number;
  backend: string;
  /** Backend-specific details (WASM heap size, threads, texture counts, ...). */
  details: Record<string, number>;
  /** Remarks from the backend, e.g. why the WASM kernels run on one thread (absent when none). */
  notes?: string[];
}

/** The backend that runs kernels other backends lack (RoI pooling, NMS, SVD on WebGL). */
const FALLBACK_BACKEND = 'wasm';

class Engine {
  private factories = new Map<string, { factory: BackendFactory; priority: number }>();
  private instances = new Map<string, Backend>();
  private active: Backend | null = null;
  private scopes: Set<Tensor>[] = [];
  private installedTape: GradientTape | null = null;
  gradEnabled = true;

  constructor() {
    setEngineHooks({
      track: (t) => {
        const s = this.scopes[this.scopes.length - 1];
        if (s) s.add(t);
      },
      untrack: (t) => {
        for (let i = this.scopes.length - 1; i >= 0; i--) if (this.scopes[i].delete(t)) break;
      },
      backward: (t, dy) => this.tape.backward(t, dy),
    });
  }

  /** The gradient tape (autograd). Installed once by ready(); until then nothing is recorded. */
  get tape(): GradientTape {
    if (!this.installedTape) throw new Error('autograd is not set up: import the package entry or call ready() (src/ready.ts) first');
    return this.installedTape;
  }

  setTape(tape: GradientTape): void {
    this.installedTape = tape;
  }

  registerBackend(name: string, factory: BackendFactory, priority = 1): void {
    this.factories.set(name, { factory, priority });
  }

  /** Instantiates (once) and returns the named backend without making it active. */
  findBackend(name: string): Backend {
    let b = this.instances.get(name);
    if (b) return b;
    const f = this.factories.get(name);
    if (!f) throw new Error(`backend '${name}' is not registered (registered: ${[...this.factories.keys()].join(', ') || 'none'})`);
    b = f.factory();
    this.instances.set(name, b);
    return b;
  }

  setBackend(name: string): Backend {
    this.active = this.findBackend(name);
    return this.active;
  }

  /** Called once when the active backend is lost and new work moves to WASM (default: console.warn). */
  onBackendLost: (lost: string, now: string) => void = (lost, now) =>
    console.warn(
      `fastrcnn: the ${lost} backend's context was lost (GPU reset or too many contexts); new work runs on '${now}'. ` +
        'Tensors that lived on it are gone: reading one throws; create them again.',
    );

  get backend(): Backend {
    if (this.active?.contextLost && this.factories.has('wasm') && this.active.name !== 'wasm') {
      const lost = this.active.name;
      this.active = this.findBackend('wasm');
      this.onBackendLost(lost, 'wasm');
    }
    if (!this.active) {
      const entries = [...this.factories.entries()].map(([name, f]) => ({
        name,
        priority: f.priority,
        make: () => this.findBackend(name),
      }));
      this.active = pickAutoBackend(entries);
    }
    return this.active;
  }

  get backendName(): string {
    return this.backend.name;
  }

  // ---- tensors -------------------------------------------------------------------------------

  makeTensor(values: TypedArray, shape: number[], dtype: DType, backend: Backend = this.backend): Tensor {
    assertShape(shape, 'tensor');
    if (values.length !== sizeOf(shape)) {
      throw new Error(`tensor: ${values.length} values do not fill shape ${shapeStr(shape)} (${sizeOf(shape)} elements)`);
    }
    return new Tensor(backend, backend.write(values, shape, dtype), shape.slice(), dtype);
  }

  /** A new Tensor sharing `t`'s bytes (reshape, saved tensors). */
  share(t: Tensor, shape: number[] = t.shape, track = true): Tensor {
    t.backend.incRef(t.dataId);
    return new Tensor(t.backend, t.dataId, shape.slice(), t.dtype, track);
  }

  /**
   * Moves `t`'s bytes to `target` in place (the tensor keeps its identity). `values`: its values when
   * already read (asynchronously, so that the move does not block on the GPU).
   */
  moveTo(t: Tensor, target: Backend, values?: TypedArray): void {
    if (t.backend === target) return;
    values ??= t.backend.readSync(t.dataId);
    const id = target.write(values, t.shape, t.dtype);
    t.backend.decRef(t.dataId);
    t.backend = target;
    t.dataId = id;
  }

  // ---- kernels -------------------------------------------------------------------------------

  /** Whether the active backend runs kernel `name` itself (rather than falling back to WASM). */
  hasKernel(name: KernelName): boolean {
    return this.backend.kernels.has(name);
  }

  /** Runs kernel `name` (inputs and attrs as in src/core/kernels.ts) and records it for autograd. */
  runKernel<K extends KernelName>(name: K, inputList: KernelInputs<K, Tensor>, ...[attrs = {}]: AttrsArg<K>): KernelOutputs<K, Tensor> {
    const inputs = inputList as unknown as Tensor[];
    for (const t of inputs) t.assertAlive(name);
    let backend = this.backend;
    let kernel: AnyKernelFunc | undefined = backend.kernels.get(name);
    if (!kernel) {
      const fb = this.findBackend(FALLBACK_BACKEND);
      kernel = fb.kernels.get(name);
      if (!kernel) throw new Error(`${name}: no kernel on backend '${backend.name}' nor on '${FALLBACK_BACKEND}'`);
      backend = fb;
    }
    for (const t of inputs) if (t.backend !== backend) this.moveTo(t, backend);
    const infos: TensorInfo[] = inputs.map((t) => ({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }));
    const outInfos = kernel(infos, attrs, backend);
    const outputs = outInfos.map((o) => new Tensor(backend, o.dataId, o.shape, o.dtype));
    if (this.gradEnabled && this.installedTape && inputs.some((t) => t.requiresGrad)) {
      this.installedTape.record(name, inputs, outputs, attrs);
    }
    return outputs as KernelOutputs<K, Tensor>;
  }

  // ---- scopes --------------------------------------------------------------------------------

  tidy<T>(fn: () => T): T {
    const scope = new Set<Tensor>();
    this.scopes.push(scope);
    let result: T;
    try {
      result = fn();
    } finally {
      this.scopes.pop();
    }
    if (result instanceof Promise) throw new Error('tidy: fn must be synchronous (it returned a Promise)');
    const kept = new Set<Tensor>();
    collectTensors(result, kept);
    for (const t of scope) if (!kept.has(t)) t.dispose();
    const parent = this.scopes[this.scopes.length - 1];
    if (parent) for (const t of kept) if (scope.has(t)) parent.add(t);
    return result;
  }

  /** Exempts `t` from the enclosing tidy scopes. */
  keep<T extends Tensor>(t: T): T {
    for (const s of this.scopes) s.delete(t);
    return t;
  }

  /** Runs fn without recording gradients. */
  noGrad<T>(fn: () => T): T {
    const prev = this.gradEnabled;
    this.gradEnabled = false;
    try {
      return fn();
    } finally {
      this.gradEnabled = prev;
    }
  }

  memory(): MemoryInfo {
    const m = this.backend.memory();
    const { buffers, bytes, ...details } = m;
    const notes = this.backend.notes?.() ?? [];
    return {
      numTensors: numLiveTensors(),
      numBytes: bytes,
      numBuffers: buffers,
      backend: this.backend.name,
      details,
      ...(notes.length ? { notes } : {}),
    };
  }
}

/**
 * The automatic choice: the highest-priority backend that initializes, skipping one that works but
 * is not `preferredForAuto` (software WebGL) unless nothing else does.
 */
export function pickAutoBackend(entries: { name: string; priority: number; make: () => Backend }[]): Backend {
  const errors: string[] = [];
  let fallback: Backend | null = null;
  for (const e of [...entries].sort((a, b) => b.priority - a.priority)) {
    try {
      const b = e.make();
      if (b.preferredForAuto === false) {
        fallback ??= b;
        continue;
      }
      return b;
    } catch (err) {
      errors.push(`${e.name}: ${(err as Error).message}`);
    }
  }
  if (fallback) return fallback;
  throw new Error(`no backend could be initialized (${errors.join('; ') || 'none registered'})`);
}

function collectTensors(x: unknown, out: Set<Tensor>, depth = 0): void {
  if (x instanceof Tensor) {
    out.add(x);
    return;
  }
  if (depth > 4 || x === null || typeof x !== 'object') return;
  if (Array.isArray(x)) {
    for (const v of x) collectTensors(v, out, depth + 1);
    return;
  }
  if (x instanceof Map) {
    for (const v of x.values()) collectTensors(v, out, depth + 1);
    return;
  }
  if (Object.getPrototypeOf(x) === Object.prototype) for (const v of Object.values(x as object)) collectTensors(v, out, depth + 1);
}

export const engine = new Engine();
