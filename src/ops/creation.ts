// Tensor creation: from arrays, constants, seeded random values.
import { engine } from '../tensor/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import { type DType, type NestedArray, type TypedArray, arrayFor, assertShape, sizeOf } from '../core/types.js';
import { Rng } from '../util/random.js';

function flatten(v: NestedArray, out: number[], shape: number[], depth: number): void {
  if (typeof v === 'number') {
    out.push(v);
    return;
  }
  if (shape.length <= depth) shape.push(v.length);
  else if (shape[depth] !== v.length) throw new Error('tensor: ragged nested array');
  for (const x of v) flatten(x, out, shape, depth + 1);
}

/** A tensor from numbers, nested arrays or a typed array (shape required for flat data unless 1-D). */
export function tensor(values: NestedArray | TypedArray | number[], shape?: number[], dtype?: DType): Tensor {
  let flat: ArrayLike<number>;
  let inferred: number[] = [];
  if (values instanceof Float32Array || values instanceof Int32Array) {
    flat = values;
    inferred = [values.length];
    dtype ??= values instanceof Int32Array ? 'int32' : 'float32';
  } else if (typeof values === 'number') {
    flat = [values];
  } else {
    const out: number[] = [];
    flatten(values, out, inferred, 0);
    flat = out;
  }
  const s = shape ?? inferred;
  assertShape(s, 'tensor');
  dtype ??= 'float32';
  const data = arrayFor(dtype, flat.length);
  data.set(flat as ArrayLike<number>);
  return engine.makeTensor(data, s, dtype);
}

export function scalar(v: number, dtype: DType = 'float32'): Tensor {
  return tensor(v, [], dtype);
}

export function fill(shape: number[], value: number, dtype: DType = 'float32'): Tensor {
  assertShape(shape, 'fill');
  const d = arrayFor(dtype, sizeOf(shape));
  if (value !== 0) d.fill(value);
  return engine.makeTensor(d, shape, dtype);
}

export function zeros(shape: number[], dtype: DType = 'float32'): Tensor {
  return fill(shape, 0, dtype);
}
export function ones(shape: number[], dtype: DType = 'float32'): Tensor {
  return fill(shape, 1, dtype);
}
export function zerosLike(t: Tensor): Tensor {
  return zeros(t.shape, t.dtype);
}

export interface RandomOptions {
  rng?: Rng;
  seed?: number;
}
function rngOf(o: RandomOptions): Rng {
  return o.rng ?? new Rng(o.seed ?? 0);
}

export function randomNormal(shape: number[], mean = 0, std = 1, opts: RandomOptions = {}): Tensor {
  assertShape(shape, 'randomNormal');
  const r = rngOf(opts);
  const d = new Float32Array(sizeOf(shape));
  for (let i = 0; i < d.length; i++) d[i] = r.normal(mean, std);
  return engine.makeTensor(d, shape, 'float32');
}

export function randomUniform(shape: number[], lo = 0, hi = 1, opts: RandomOptions = {}): Tensor {
  assertShape(shape, 'randomUniform');
  const r = rngOf(opts);
  const d = new Float32Array(sizeOf(shape));
  for (let i = 0; i < d.length; i++) d[i] = r.uniform(lo, hi);
  return engine.makeTensor(d, shape, 'float32');
}

/** [n, depth] float32 one-hot rows from int labels; labels outside [0, depth) are an error. */
export function oneHot(labels: Tensor, depth: number): Tensor {
  const l = labels.dataSync();
  const d = new Float32Array(l.length * depth);
  for (let i = 0; i < l.length; i++) {
    if (!(l[i] >= 0 && l[i] < depth) || !Number.isInteger(l[i])) throw new Error(`oneHot: label ${l[i]} at ${i} is outside [0, ${depth})`);
    d[i * depth + l[i]] = 1;
  }
  return engine.makeTensor(d, [l.length, depth], 'float32');
}

/** 0..n-1 as int32 (or float32). */
export function arange(n: number, dtype: DType = 'int32'): Tensor {
  const d = arrayFor(dtype, n);
  for (let i = 0; i < n; i++) d[i] = i;
  return engine.makeTensor(d, [n], dtype);
}
