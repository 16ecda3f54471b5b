// A Tensor is a shape, a dtype and a handle to bytes owned by a backend. Reads are explicit;
// dispose() gives the bytes back. Gradient state (requiresGrad, grad) lives here; the tape lives in
// src/autograd.
import type { Backend, DataId } from '../core/backend.js';
import { type DType, type TypedArray, sameShape, shapeStr, sizeOf } from '../core/types.js';

/** Hooks the engine installs (avoids an import cycle between tensor and engine). */
export interface EngineHooks {
  track(t: Tensor): void;
  untrack(t: Tensor): void;
  backward(t: Tensor, dy?: Tensor): void;
}
let hooks: EngineHooks | null = null;
export function setEngineHooks(h: EngineHooks): void {
  hooks = h;
}

let nextId = 0;

export class Tensor {
  readonly id: number;
  readonly shape: number[];
  readonly dtype: DType;
  readonly size: number;
  /** Where the bytes are; may change when the engine moves the data between backends. */
  backend: Backend;
  dataId: DataId;
  /** Set by the user on leaves (parameters); derived for op outputs while recording. */
  requiresGrad = false;
  /** True for tensors produced by a recorded op; only leaves get `.grad` filled. */
  fromOp = false;
  grad: Tensor | null = null;
  name?: string;
  private disposed = false;

  constructor(backend: Backend, dataId: DataId, shape: number[], dtype: DType, track = true) {
    this.id = nextId++;
    this.backend = backend;
    this.dataId = dataId;
    this.shape = shape;
    this.dtype = dtype;
    this.size = sizeOf(shape);
    liveTensors++;
    if (track) hooks?.track(this);
  }

  get rank(): number {
    return this.shape.length;
  }
  get isDisposed(): boolean {
    return this.disposed;
  }
  get isLeaf(): boolean {
    return !this.fromOp;
  }

  /** Throws if the tensor was disposed; ops call this on every input. */
  assertAlive(where: string): void {
    if (this.disposed) throw new Error(`${where}: tensor ${this.name ?? '#' + this.id} ${shapeStr(this.shape)} was disposed`);
  }

  /** Synchronous copy of the values. */
  dataSync(): TypedArray {
    this.assertAlive('dataSync');
    return this.backend.readSync(this.dataId);
  }

  async data(): Promise<TypedArray> {
    this.assertAlive('data');
    return this.backend.read(this.dataId);
  }

  /** Values as nested arrays. */
  arraySync(): any {
    const v = Array.from(this.dataSync());
    if (this.rank === 0) return v[0];
    const build = (dim: number, off: number): any => {
      const n = this.shape[dim];
      if (dim === this.rank - 1) return v.slice(off, off + n);
      const step = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: n }, (_, i) => build(dim + 1, off + i * step));
    };
    return build(0, 0);
  }

  /** A single number from a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item(): tensor has ${this.size} elements, shape ${shapeStr(this.shape)}`);
    return this.dataSync()[0];
  }

  /** Reverse-mode gradient of this (scalar, unless dy is given) into every leaf that requires grad. */
  backward(dy?: Tensor): void {
    this.assertAlive('backward');
    hooks!.backward(this, dy);
  }

  /**
   * Replaces this tensor's values with `value`'s (same shape and dtype) and keeps the identity:
   * how optimizers update parameters. The value's bytes are shared, not copied.
   */
  assign(value: Tensor): void {
    this.assertAlive('assign');
    value.assertAlive('assign');
    if (value.dtype !== this.dtype || !sameShape(value.shape, this.shape)) {
      throw new Error(`assign: value ${value.dtype}${shapeStr(value.shape)} does not match ${this.dtype}${shapeStr(this.shape)}`);
    }
    value.backend.incRef(value.dataId);
    this.backend.decRef(this.dataId);
    this.backend = value.backend;
    this.dataId = value.dataId;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    liveTensors--;
    this.backend.decRef(this.dataId);
    hooks?.untrack(this);
    if (this.grad) {
      this.grad.dispose();
      this.grad = null;
    }
  }

  toString(): string {
    const v = this.size <= 20 ? ` ${JSON.stringify(Array.from(this.dataSync()).map((x) => +x.toPrecision(5)))}` : '';
    return `Tensor(${this.dtype}${shapeStr(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''})${v}`;
  }
}

let liveTensors = 0;
export function numLiveTensors(): number {
  return liveTensors;
}
