// The Winograd convolutions (assembly/winograd.ts F(2×2, 3×3), winograd4.ts F(4×4, 3×3)) against the
// float64 loops of test/reference/dense.ts: odd sizes (edge tiles cut), paddings 0 to 3, batches,
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

// The two kernels' exports by output tile size (2: F(2×2, 3×3), 4: F(4×4, 3×3)).
interface Variant {
  tile: 2 | 4;
  filterBytes(OC: number, C: number): number;
  filter(w: number, OC: number, C: number, u: number, pack: number, scratch: number): void;
  filterScratchBytes(): number;
  packedOffset(OC: number, C: number): number;
  scratchBytes(C: number, OC: number, OW: number): number;
  range(...args: number[]): void;
}
const F2: Variant = {
  tile: 2,
  filterBytes: e.conv2dWinogradFilterBytes,
  filter: e.conv2dWinogradFilter,
  filterScratchBytes: e.conv2dWinogradFilterScratchBytes,
  packedOffset: e.conv2dWinogradPackedOffset,
  scratchBytes: e.conv2dWinogradScratchBytes,
  range: e.conv2dWinogradRange as Variant['range'],
};
const F4: Variant = {
  tile: 4,
  filterBytes: e.conv2dWinograd4FilterBytes,
  filter: e.conv2dWinograd4Filter,
  filterScratchBytes: e.conv2dWinograd4FilterScratchBytes,
  packedOffset: e.conv2dWinograd4PackedOffset,
  scratchBytes: e.conv2dWinograd4ScratchBytes,
  range: e.conv2dWinograd4Range as Variant['range'],
};
const tiles = (s: Shape, v: Variant) => {
  const [OH, OW] = outHW(s);
  return s.N * Math.ceil(OH / v.tile) * Math.ceil(OW / v.tile);
};

// Runs the kernel on `splits` (tile ranges covering 0..T), each with its own scratch, on guarded
// buffers; y starts as NaN so a skipped output shows.
function run(
  v: Variant,
  s: Shape,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  splits: [number, number][],
  pack = 1,
): Float32Array {
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
  const pu = put('u', (pack ? v.filterBytes(s.OC, s.C) : v.packedOffset(s.OC, s.C)) / 4);
  const pfs = put('filter scratch', v.filterScratchBytes() / 4);
  v.filter(pw, s.OC, s.C, pu, pack, pfs);
  for (const [lo, hi] of splits) {
    const ps = put('scratch', Math.ceil(v.scratchBytes(s.C, s.OC, OW) / 4));
    v.range(px, s.N, s.C, s.H, s.W, pu, pack, s.OC, s.pad, s.pad, pb, py, OH, OW, lo, hi, ps);
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
  { N: 2, C: 3, H: 7, W: 9, OC: 5, pad: 1 }, // odd output: tiles cut on the right and bottom
  { N: 1, C: 4, H: 8, W: 6, OC: 3, pad: 0 }, // "valid"
  { N: 1, C: 2, H: 4, W: 5, OC: 2, pad: 2 }, // full convolution
  { N: 1, C: 2, H: 3, W: 4, OC: 3, pad: 3 }, // padding wider than the kernel: whole zero patches
  { N: 1, C: 17, H: 23, W: 19, OC: 33, pad: 1 }, // odd channel counts, gemm edge tiles
  { N: 2, C: 16, H: 30, W: 37, OC: 32, pad: 1 }, // several blocks, rows cut by blocks
  { N: 1, C: 300, H: 6, W: 10, OC: 7, pad: 1 }, // K = C crosses gemm's K block
  { N: 1, C: 2, H: 5, W: 70, OC: 3, pad: 1 }, // one long tile row: 4-tile groups plus a rest
  { N: 1, C: 3, H: 10, W: 73, OC: 4, pad: 1 }, // F(4×4): groups of 4 whole tiles, then cut ones
  { N: 3, C: 8, H: 45, W: 45, OC: 9, pad: 1 }, // F(4×4): 3 × 144 tiles, several blocks
];

// Error bound per term scale: the transforms add roundings of sums of up to 16 (F2) or 36 (F4)
// terms, with F(4×4)'s matrices holding values up to 8 and 1/24 (measured max errors: see below).
const TOL = { 2: 2e-5, 4: 4e-5 };

for (const v of [F2, F4]) {
  const name = `Winograd F(${v.tile}×${v.tile}, 3×3)`;
  test(`${name} matches the float64 loops`, () => {
    const rng = new Rng(31);
    for (const s of SHAPES) {
      const x = randoms(rng, s.N * s.C * s.H * s.W),
        w = randoms(rng, s.OC * s.C * 9),
        bias = randoms(rng, s.OC);
      const y = run(v, s, x, w, bias, [[0, tiles(s, v)]]);
      const ref = conv2dRef(conv(s), x, w, bias);
      assertClose(y, ref, 1e-4, TOL[v.tile] * Math.sqrt(s.C * 9), `N${s.N} C${s.C} ${s.H}x${s.W} OC${s.OC} pad ${s.pad}`);
      const noBias = run(v, s, x, w, null, [[0, tiles(s, v)]]);
      assertClose(noBias, conv2dRef(conv(s), x, w, null), 1e-4, TOL[v.tile] * Math.sqrt(s.C * 9), `no bias, C${s.C} pad ${s.pad}`);
    }
  });

  test(`${name}: large and small magnitudes, error relative to the terms, not to the result`, () => {
    const rng = new Rng(32);
    const s = { N: 1, C: 24, H: 11, W: 13, OC: 20, pad: 1 };
    for (const scale of [1e-3, 1e3]) {
      const x = randoms(rng, s.N * s.C * s.H * s.W, scale),
        w = randoms(rng, s.OC * s.C * 9);
      const y = run(v, s, x, w, null, [[0, tiles(s, v)]]);
      assertClose(y, conv2dRef(conv(s), x, w, null), 1e-4, TOL[v.tile] * scale * Math.sqrt(s.C * 9), `x scale ${scale}`);
    }
  });

  test(`${name}: any split of the tile range gives the same bits as one call`, () => {
    const rng = new Rng(33);
    for (const s of [SHAPES[1], SHAPES[6], SHAPES[8], SHAPES[9], SHAPES[10]]) {
      const x = randoms(rng, s.N * s.C * s.H * s.W),
        w = randoms(rng, s.OC * s.C * 9),
        bias = randoms(rng, s.OC);
      const T = tiles(s, v);
      const whole = new Uint32Array(run(v, s, x, w, bias, [[0, T]]).buffer);
      const cuts = [1, 3, Math.floor(T / 2) + 1, T - 2].filter((c) => c > 0 && c < T);
      const splits: [number, number][] = [];
      let lo = 0;
      for (const c of cuts) {
        splits.push([lo, c]);
        lo = c;
      }
      splits.push([lo, T]);
      const parts = new Uint32Array(run(v, s, x, w, bias, splits.reverse()).buffer);
      assert.equal(Array.from(parts), Array.from(whole), `N${s.N} C${s.C} ${s.H}x${s.W}: split at ${cuts}`);
      // the filters packed by each block's gemm instead of once: the same bits
      const unpacked = new Uint32Array(run(v, s, x, w, bias, splits, 0).buffer);
      assert.equal(Array.from(unpacked), Array.from(whole), `N${s.N} C${s.C} ${s.H}x${s.W}: not packed once`);
    }
  });
}

test.run();
