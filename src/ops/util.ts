// Argument checks shared by the ops: every error names the op and the shapes involved.
import { Tensor } from '../tensor/tensor.js';
import { type DType, shapeStr } from '../core/types.js';

export function checkTensor(op: string, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new Error(`${op}: '${name}' must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  t.assertAlive(`${op} ('${name}')`);
}

export function checkDtype(op: string, name: string, t: Tensor, dtype: DType): void {
  if (t.dtype !== dtype) throw new Error(`${op}: '${name}' must be ${dtype}, got ${t.dtype} ${shapeStr(t.shape)}`);
}

export function checkRank(op: string, name: string, t: Tensor, rank: number): void {
  if (t.rank !== rank) throw new Error(`${op}: '${name}' must have rank ${rank}, got shape ${shapeStr(t.shape)}`);
}

/** Normalizes a possibly negative axis. */
export function normAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
    throw new Error(`${op}: axis ${axis} is out of range for rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

export function pair(v: number | [number, number] | number[], op: string, what: string): [number, number] {
  const p = typeof v === 'number' ? [v, v] : v;
  if (p.length !== 2 || !p.every((x) => Number.isInteger(x) && x >= 0))
    throw new Error(`${op}: ${what} must be a non-negative integer or a pair, got ${JSON.stringify(v)}`);
  return [p[0], p[1]];
}
