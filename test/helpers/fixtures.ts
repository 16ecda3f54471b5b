// Loads the golden cases of test/fixtures/reference/<name>.json (torchvision/numpy oracles, a copy of
// the project's shared reference fixtures; see the README there) and turns their `{shape, data}`
// tensors (null = NaN) into typed arrays.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const fixtureDir = new URL('../fixtures/reference/', import.meta.url);

export interface FixtureTensor {
  shape: number[];
  data: (number | null)[];
}
export interface FixtureCase {
  id: string;
  op: string;
  tags: string[];
  input: Record<string, any>;
  expected: Record<string, any>;
  expected_float64?: Record<string, any>;
}
export interface FixtureFile {
  schema_version: number;
  file: string;
  cases: FixtureCase[];
}

const cache = new Map<string, FixtureFile>();

/** The parsed fixture file `<name>.json` (cached). Throws if it is missing or has another schema. */
export function loadFixture(name: string): FixtureFile {
  let f = cache.get(name);
  if (!f) {
    const path = fileURLToPath(new URL(`${name}.json`, fixtureDir));
    f = JSON.parse(readFileSync(path, 'utf8')) as FixtureFile;
    if (f.schema_version !== 1) throw new Error(`fixture ${name}: unknown schema_version ${f.schema_version}`);
    cache.set(name, f);
  }
  return f;
}

/** The cases of `<name>.json` (optionally only those with op === `op`). */
export function fixtureCases(name: string, op?: string): FixtureCase[] {
  const cases = loadFixture(name).cases;
  return op ? cases.filter((c) => c.op === op) : cases;
}

function values(t: FixtureTensor | (number | null)[]): (number | null)[] {
  return Array.isArray(t) ? t : t.data;
}

/** A fixture tensor (or plain list) as Float32Array, null -> NaN. */
export function toF32(t: FixtureTensor | (number | null)[]): Float32Array {
  const d = values(t);
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i] === null ? NaN : (d[i] as number);
  return out;
}

/** A fixture tensor (or plain list) as Float64Array, null -> NaN. */
export function toF64(t: FixtureTensor | (number | null)[]): Float64Array {
  const d = values(t);
  const out = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i] === null ? NaN : (d[i] as number);
  return out;
}

/** A fixture tensor (or plain list) as Int32Array (no nulls allowed). */
export function toI32(t: FixtureTensor | (number | null)[]): Int32Array {
  const d = values(t);
  const out = new Int32Array(d.length);
  for (let i = 0; i < d.length; i++) {
    if (d[i] === null) throw new Error('toI32: null in integer tensor');
    out[i] = d[i] as number;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Comparisons against fixture values (NaN equals NaN). They throw with the first mismatch.

export interface Tol {
  rtol?: number;
  atol?: number;
}

/** |a - e| <= atol + rtol·|e| elementwise (NaN only matches NaN, ±Infinity only itself). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tol, label: string): void {
  if (actual.length !== expected.length) throw new Error(`${label}: length ${actual.length} != expected ${expected.length}`);
  const rtol = tol.rtol ?? 0,
    atol = tol.atol ?? 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i],
      e = expected[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) && Number.isNaN(a)) continue;
      throw new Error(`${label}[${i}]: got ${a}, expected ${e}`);
    }
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (a === e) continue;
      throw new Error(`${label}[${i}]: got ${a}, expected ${e}`);
    }
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`${label}[${i}]: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > ${atol} + ${rtol}·|e|)`);
    }
  }
}

/** Bitwise-equal values (after float32 rounding of the expected side when `f32`). */
export function expectExact(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, f32 = false): void {
  if (actual.length !== expected.length) throw new Error(`${label}: length ${actual.length} != expected ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const e = f32 ? Math.fround(expected[i]) : expected[i];
    if (!Object.is(actual[i], e) && !(actual[i] === 0 && e === 0)) {
      throw new Error(`${label}[${i}]: got ${actual[i]}, expected ${e}`);
    }
  }
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]) > m) m = Math.abs(a[i]);
  return m;
}
