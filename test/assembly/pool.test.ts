// maxPool2dForward / maxPool2dBackward (assembly/pool.ts) against the float64 loops of
// test/reference/dense.ts: ties, padding, empty windows, NaN and -Infinity, overlapping windows.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadWasm } from '../../src/backends/wasm/loader.js';
import { Rng } from '../../src/util/random.js';
import { assertClose } from '../helpers/close.js';
import { dot, maxPool2dBackwardRef, maxPool2dRef, numericalGradient, poolOutSize, type PoolShape } from '../reference/dense.js';

const m = loadWasm();
const e = m.exports;
const GUARD = 8;
const SENTINEL = 31337;

function shape(
  N: number,
  C: number,
  H: number,
  W: number,
  KH: number,
  KW: number,
  strideH: number,
  strideW: number,
  padH: number,
  padW: number,
): PoolShape {
  return { N, C, H, W, KH, KW, strideH, strideW, padH, padW };
}
const label = (s: PoolShape) => `N${s.N} C${s.C} ${s.H}x${s.W} k${s.KH}x${s.KW} s${s.strideH},${s.strideW} p${s.padH},${s.padW}`;

interface Pooled {
  y: Float32Array;
  argmax: Int32Array;
  dx: Float32Array;
}

// Forward then backward in WASM memory; outputs start as garbage and every buffer has a guard tail.
function run(s: PoolShape, x: Float32Array, dy: Float32Array): Pooled {
  const [OH, OW] = poolOutSize(s);
  const n = s.N * s.C * OH * OW,
    nx = x.length;
  const px = m.alloc((nx + GUARD) * 4),
    py = m.alloc((n + GUARD) * 4),
    pa = m.alloc((n + GUARD) * 4);
  const pdy = m.alloc((n + GUARD) * 4),
    pdx = m.alloc((nx + GUARD) * 4);
  m.f32(px, nx).set(x);
  m.f32(pdy, n).set(dy);
  m.f32(py, n).fill(NaN);
  m.i32(pa, n).fill(-99);
  m.f32(pdx, nx).fill(NaN);
  for (const [p, len] of [
    [px, nx],
    [py, n],
    [pa, n],
    [pdy, n],
    [pdx, nx],
  ])
    m.f32(p + len * 4, GUARD).fill(SENTINEL);
  e.maxPool2dForward(px, s.N, s.C, s.H, s.W, s.KH, s.KW, s.strideH, s.strideW, s.padH, s.padW, OH, OW, py, pa);
  e.maxPool2dBackward(pdy, pa, s.N, s.C, s.H, s.W, OH, OW, pdx);
  const r = { y: m.f32(py, n).slice(), argmax: m.i32(pa, n).slice(), dx: m.f32(pdx, nx).slice() };
  for (const [p, len] of [
    [px, nx],
    [py, n],
    [pa, n],
    [pdy, n],
    [pdx, nx],
  ]) {
    for (const v of m.f32(p + len * 4, GUARD)) if (v !== SENTINEL) assert.unreachable(`${label(s)}: wrote past a buffer`);
  }
  for (const p of [px, py, pa, pdy, pdx]) m.free(p);
  return r;
}

function check(s: PoolShape, x: Float32Array, dy: Float32Array): Pooled {
  const r = run(s, x, dy);
  const ref = maxPool2dRef(s, x);
  assert.equal(Array.from(r.argmax), Array.from(ref.argmax), `${label(s)}: argmax`);
  // y is a copy of one input (or 0): exact, NaN included
  assert.equal(Array.from(r.y).map(String), Array.from(Float32Array.from(ref.y)).map(String), `${label(s)}: y`);
  assertClose(r.dx, maxPool2dBackwardRef(s, x, dy), 1e-6, 1e-6, `${label(s)}: dx`);
  return r;
}

const SHAPES: PoolShape[] = [
  shape(2, 3, 8, 8, 2, 2, 2, 2, 0, 0), // the usual 2×2 / 2
  shape(1, 2, 7, 9, 2, 2, 2, 2, 0, 0), // odd sizes: last row/column dropped
  shape(1, 3, 9, 7, 3, 3, 2, 2, 1, 1), // 3×3 / 2 pad 1: overlapping windows, padded borders
  shape(2, 2, 6, 5, 3, 3, 1, 1, 1, 1), // stride 1: each input in up to 9 windows
  shape(1, 1, 5, 6, 3, 2, 1, 3, 0, 1), // anisotropic, stride > kernel along w
  shape(1, 2, 3, 4, 1, 1, 1, 1, 1, 1), // padding ≥ kernel: border windows are empty (-1, 0)
  shape(1, 1, 4, 4, 4, 4, 1, 1, 0, 0), // one window: output 1×1
  shape(1, 1, 3, 3, 5, 5, 1, 1, 2, 2), // kernel larger than the input
  // wide rows: the 4-outputs-at-once SIMD path (strideW 1 or 2) next to scalar borders
  shape(2, 3, 10, 16, 2, 2, 2, 2, 0, 0),
  shape(1, 2, 13, 21, 3, 3, 2, 2, 1, 1),
  shape(1, 2, 9, 14, 3, 3, 1, 1, 1, 1),
  shape(1, 1, 12, 30, 3, 2, 1, 2, 0, 1),
  shape(1, 1, 7, 19, 2, 3, 2, 3, 1, 1), // strideW 3: scalar only
];

test('random data: y, argmax and dx match the reference', () => {
  const rng = new Rng(20);
  for (const s of SHAPES) {
    const [OH, OW] = poolOutSize(s);
    const x = Float32Array.from({ length: s.N * s.C * s.H * s.W }, () => rng.uniform(-1, 1));
    const dy = Float32Array.from({ length: s.N * s.C * OH * OW }, () => rng.uniform(-1, 1));
    check(s, x, dy);
  }
});

test('ties: the first maximum in row-major window order wins', () => {
  const rng = new Rng(21);
  for (const s of SHAPES) {
    const [OH, OW] = poolOutSize(s);
    // few distinct values: most windows hold ties
    const x = Float32Array.from({ length: s.N * s.C * s.H * s.W }, () => rng.int(0, 3));
    check(
      s,
      x,
      Float32Array.from({ length: s.N * s.C * OH * OW }, () => rng.uniform(-1, 1)),
    );
  }
  // all equal: every window picks its top-left valid element
  const s = shape(1, 1, 4, 4, 2, 2, 2, 2, 0, 0);
  const r = check(s, new Float32Array(16).fill(5), Float32Array.from([1, 2, 3, 4]));
  assert.equal(Array.from(r.argmax), [0, 2, 8, 10]);
  assert.equal(Array.from(r.dx), [1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0]);
});

test('padding never wins, empty windows give -1 and 0, -Infinity and NaN are values', () => {
  // all-negative input with padding: padding (which would be 0) must not win
  const s = shape(1, 1, 2, 2, 2, 2, 1, 1, 1, 1);
  const r = check(s, Float32Array.from([-4, -3, -2, -1]), new Float32Array(9).fill(1));
  assert.equal(Array.from(r.y), [-4, -3, -3, -2, -1, -1, -2, -1, -1]);
  assert.equal(Array.from(r.argmax), [0, 1, 1, 2, 3, 3, 2, 3, 3]);
  assert.equal(Array.from(r.dx), [1, 2, 2, 4]);
  // 1×1 kernel, pad 1: the border windows see only padding
  const e1 = check(shape(1, 1, 1, 2, 1, 1, 1, 1, 1, 1), Float32Array.from([7, -8]), new Float32Array(12).fill(1));
  assert.equal(Array.from(e1.argmax), [-1, -1, -1, -1, -1, 0, 1, -1, -1, -1, -1, -1]);
  assert.equal(Array.from(e1.y), [0, 0, 0, 0, 0, 7, -8, 0, 0, 0, 0, 0]);
  // -Infinity is an ordinary value; the first NaN of a window wins
  const s2 = shape(1, 1, 2, 4, 2, 2, 2, 2, 0, 0);
  const r2 = check(s2, Float32Array.from([-Infinity, -Infinity, 1, NaN, -Infinity, -Infinity, NaN, 2]), Float32Array.from([1, 1]));
  assert.equal(Array.from(r2.argmax), [0, 3]);
  assert.ok(r2.y[0] === -Infinity && Number.isNaN(r2.y[1]), `y = ${r2.y}`);
});

test('NaN and -Infinity sprinkled in random data', () => {
  const rng = new Rng(23);
  for (const s of SHAPES) {
    const [OH, OW] = poolOutSize(s);
    const x = Float32Array.from({ length: s.N * s.C * s.H * s.W }, () => {
      const u = rng.next();
      return u < 0.1 ? NaN : u < 0.3 ? -Infinity : rng.int(-2, 2);
    });
    check(
      s,
      x,
      Float32Array.from({ length: s.N * s.C * OH * OW }, () => rng.uniform(-1, 1)),
    );
  }
});

test('dx equals float64 finite differences of Σ maxPool(x)·g (no ties)', () => {
  const rng = new Rng(22);
  for (const s of [SHAPES[2], SHAPES[3], SHAPES[4], SHAPES[9], SHAPES[10]]) {
    const [OH, OW] = poolOutSize(s);
    const x = Float32Array.from({ length: s.N * s.C * s.H * s.W }, () => rng.uniform(-1, 1));
    const g = Float32Array.from({ length: s.N * s.C * OH * OW }, () => rng.uniform(-1, 1));
    const num = numericalGradient((xv) => dot(maxPool2dRef(s, xv).y, g), Float64Array.from(x), 1e-7);
    assertClose(run(s, x, g).dx, num, 1e-5, 1e-6, `${label(s)}: dx vs finite differences`);
  }
});

test.run();
