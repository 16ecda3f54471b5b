// conv2dWinogradFilter / conv2dWinogradRange (assembly/winograd.ts, F(2×2, 3×3)) against the float64
// loops of test/reference/dense.ts: odd sizes (edge tiles cut in half), paddings 0 to 3, batches,
// more tiles than one block, and ranges split anywhere giving the same bits as one call.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadWasm } from '../../src/backends/wasm/loader.js';
import { Rng } from '../../src/util/random.js';
import { assertClose } from '../helpers/close.js';
import { conv2dRef, type ConvShape } from '../reference/dense.js';

const m = loadWasm();
const e = m.exports;
const SENTINEL = -7777.25;
const GUARD = 16;

function randoms(rng: Rng, n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => rng.uniform(-scale, scale));
}

interface Shape {
  N: number;
  C: number;
  H: number;
  W: number;
  OC: number;
  pad: number;
}
const conv = (s: Shape): ConvShape => ({
  N: s.N,
  C: s.C,
  H: s.H,
  W: s.W,
  OC: s.OC,
  KH: 3,
  KW: 3,
  strideH: 1,
  strideW: 1,
  padH: s.pad,
  padW: s.pad,
});
const outHW = (s: Shape) => [s.H + 2 * s.pad - 2, s.W + 2 * s.pad - 2];
const tiles = (s: Shape) => {
  const [OH, OW] = outHW(s);
  return s.N * ((OH + 1) >> 1) * ((OW + 1) >> 1);
};

// Runs the kernel on `splits` (tile ranges covering 0..T), each with its own scratch, on guarded
// buffers; y starts as NaN so a skipped output shows.
function run(s: Shape, x: Float32Array, w: Float32Array, bias: Float32Array | null, splits: [number, number][]): Float32Array {
  const [OH, OW] = outHW(s);
  const ptrs: [number, number, string][] = [];
  const put = (name: string, data: Float32Array | number) => {
    const n = typeof data === 'number' ? data : data.length;
    const p = m.alloc((n + GUARD) * 4);
    if (typeof data === 'number') m.f32(p, n).fill(Number.NaN);
    else m.f32(p, n).set(data);
    m.f32(p + n * 4, GUARD).fill(SENTINEL);
    ptrs.push([p, n, name]);
    return p;
  };
  const px = put('x', x),
    pw = put('w', w),
    pb = bias ? put('bias', bias) : 0;
  const ny = s.N * s.OC * OH * OW;
  const py = put('y', ny);
  const pu = put('u', e.conv2dWinogradFilterBytes(s.OC, s.C) / 4);
  e.conv2dWinogradFilter(pw, s.OC, s.C, pu);
  for (const [lo, hi] of splits) {
    const ps = put('scratch', Math.ceil(e.conv2dWinogradScratchBytes(s.C, s.OC, OW) / 4));
    e.conv2dWinogradRange(
      px,
      s.N,
      s.C,
      s.H,
      s.W,
      pu + e.conv2dWinogradPackedOffset(s.OC, s.C),
      s.OC,
      s.pad,
      s.pad,
      pb,
      py,
      OH,
      OW,
      lo,
      hi,
      ps,
    );
  }
  const y = m.f32(py, ny).slice();
  assert.equal(Array.from(m.f32(px, x.length)), Array.from(x), 'x untouched');
  for (const [p, n, name] of ptrs) {
    const g = m.f32(p + n * 4, GUARD);
    for (let i = 0; i < GUARD; i++) if (g[i] !== SENTINEL) assert.unreachable(`wrote past the end of ${name}`);
    m.free(p);
  }
  return y;
}

const SHAPES: Shape[] = [
  { N: 1, C: 1, H: 3, W: 3, OC: 1, pad: 1 }, // one tile, mostly padding
  { N: 2, C: 3, H: 7, W: 9, OC: 5, pad: 1 }, // odd output: half tiles on the right and bottom
  { N: 1, C: 4, H: 8, W: 6, OC: 3, pad: 0 }, // "valid"
  { N: 1, C: 2, H: 4, W: 5, OC: 2, pad: 2 }, // full convolution
  { N: 1, C: 2, H: 3, W: 4, OC: 3, pad: 3 }, // padding wider than the kernel: whole zero patches
  { N: 1, C: 17, H: 23, W: 19, OC: 33, pad: 1 }, // odd channel counts, gemm edge tiles
  { N: 2, C: 16, H: 30, W: 37, OC: 32, pad: 1 }, // 2 × 285 tiles: several blocks, rows cut by blocks
  { N: 1, C: 300, H: 6, W: 10, OC: 7, pad: 1 }, // K = C crosses gemm's K block
  { N: 1, C: 2, H: 5, W: 70, OC: 3, pad: 1 }, // one long tile row: 4-tile groups plus a rest
];

test('Winograd F(2×2, 3×3) matches the float64 loops', () => {
  const rng = new Rng(31);
  for (const s of SHAPES) {
    const x = randoms(rng, s.N * s.C * s.H * s.W),
      w = randoms(rng, s.OC * s.C * 9),
      bias = randoms(rng, s.OC);
    const y = run(s, x, w, bias, [[0, tiles(s)]]);
    const ref = conv2dRef(conv(s), x, w, bias);
    // the transforms add a few roundings of sums of up to 16 terms on top of the C·9-term dot product
    assertClose(y, ref, 1e-4, 2e-5 * Math.sqrt(s.C * 9), `N${s.N} C${s.C} ${s.H}x${s.W} OC${s.OC} pad ${s.pad}`);
    const noBias = run(s, x, w, null, [[0, tiles(s)]]);
    assertClose(noBias, conv2dRef(conv(s), x, w, null), 1e-4, 2e-5 * Math.sqrt(s.C * 9), `no bias, C${s.C} pad ${s.pad}`);
  }
});

test('large and small magnitudes: error relative to the terms, not to the result', () => {
  const rng = new Rng(32);
  const s = { N: 1, C: 24, H: 11, W: 13, OC: 20, pad: 1 };
  for (const scale of [1e-3, 1e3]) {
    const x = randoms(rng, s.N * s.C * s.H * s.W, scale),
      w = randoms(rng, s.OC * s.C * 9);
    const y = run(s, x, w, null, [[0, tiles(s)]]);
    assertClose(y, conv2dRef(conv(s), x, w, null), 1e-4, 2e-5 * scale * Math.sqrt(s.C * 9), `x scale ${scale}`);
  }
});

test('any split of the tile range gives the same bits as one call', () => {
  const rng = new Rng(33);
  for (const s of [SHAPES[1], SHAPES[6], SHAPES[8]]) {
    const x = randoms(rng, s.N * s.C * s.H * s.W),
      w = randoms(rng, s.OC * s.C * 9),
      bias = randoms(rng, s.OC);
    const T = tiles(s);
    const whole = new Uint32Array(run(s, x, w, bias, [[0, T]]).buffer);
    const cuts = [1, 3, Math.floor(T / 2) + 1, T - 2].filter((c) => c > 0 && c < T);
    const splits: [number, number][] = [];
    let lo = 0;
    for (const c of cuts) {
      splits.push([lo, c]);
      lo = c;
    }
    splits.push([lo, T]);
    const parts = new Uint32Array(run(s, x, w, bias, splits.reverse()).buffer);
    assert.equal(Array.from(parts), Array.from(whole), `N${s.N} C${s.C} ${s.H}x${s.W}: split at ${cuts}`);
  }
});

test.run();
