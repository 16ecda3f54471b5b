// gemm (assembly/gemm.ts) against the float64 loop of test/reference/dense.ts: every transpose
// combination, odd and edge-tile sizes, padded leading dimensions, accumulate, block boundaries.
// Runs on whichever build the loader picks (FASTRCNN_NO_RELAXED_SIMD=1 forces the plain one).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadWasm } from '../../src/backends/wasm/loader.js';
import { Rng } from '../../src/util/random.js';
import { assertClose } from '../helpers/close.js';
import { gemmRef } from '../reference/dense.js';

const m = loadWasm();
const e = m.exports;
const SENTINEL = 12345.5;

function randoms(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
}

interface Case {
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
  accumulate: boolean;
  pad?: number;
}

// Runs one gemm in WASM memory with padded leading dimensions, an unaligned scratch pointer and a
// sentinel-filled tail on C's rows and on the scratch, and checks values and that nothing else moved.
function check(rng: Rng, { M, N, K, transA, transB, accumulate, pad = 0 }: Case): void {
  const lda = (transA ? M : K) + pad,
    ldb = (transB ? K : N) + pad,
    ldc = N + pad;
  const a = randoms(rng, (transA ? K : M) * lda),
    b = randoms(rng, (transB ? N : K) * ldb);
  const c0 = randoms(rng, M * ldc);
  for (let i = 0; i < M; i++) for (let j = N; j < ldc; j++) c0[i * ldc + j] = SENTINEL;
  const scratchBytes = e.gemmScratchBytes(M, N, K);
  assert.ok(scratchBytes > 0, 'scratch size');
  const pa = m.alloc(a.length * 4),
    pb = m.alloc(b.length * 4),
    pc = m.alloc(c0.length * 4);
  const ps = m.alloc(scratchBytes + 4 + 64);
  m.f32(pa, a.length).set(a);
  m.f32(pb, b.length).set(b);
  m.f32(pc, c0.length).set(c0);
  m.f32(ps + 4 + scratchBytes, 16).fill(SENTINEL);
  e.gemm(M, N, K, pa, lda, transA ? 1 : 0, pb, ldb, transB ? 1 : 0, pc, ldc, accumulate ? 1 : 0, ps + 4);
  const c = m.f32(pc, c0.length).slice();
  const tail = m.f32(ps + 4 + scratchBytes, 16).slice();
  m.free(pa);
  m.free(pb);
  m.free(pc);
  m.free(ps);

  const ref = gemmRef(M, N, K, a, lda, transA, b, ldb, transB);
  const got = new Float64Array(M * N),
    want = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      got[i * N + j] = c[i * ldc + j];
      want[i * N + j] = ref[i * N + j] + (accumulate ? c0[i * ldc + j] : 0);
      for (let q = N; q < ldc; q++) if (c[i * ldc + q] !== SENTINEL) assert.unreachable(`C padding column ${q} of row ${i} was written`);
    }
  const what = `gemm M=${M} N=${N} K=${K} tA=${+transA} tB=${+transB} acc=${+accumulate} pad=${pad}`;
  assertClose(got, want, 1e-4, 1e-5 * Math.sqrt(K), what);
  for (const v of tail) if (v !== SENTINEL) assert.unreachable(`${what}: wrote past gemmScratchBytes`);
}

const SIZES = [1, 3, 5, 7, 8, 9, 17, 33, 64, 100];
const TRANS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

test(`all size mixes in {${SIZES}}, four transpose combinations (${m.relaxed ? 'relaxed' : 'plain'} SIMD build)`, () => {
  const rng = new Rng(1);
  let n = 0;
  for (const M of SIZES)
    for (const N of SIZES)
      for (const K of SIZES) {
        const [transA, transB] = TRANS[n % 4];
        // every triple once per transpose combination would be 4000 runs; rotate instead, and cover
        // all four combinations on a diagonal subset below
        check(rng, { M, N, K, transA, transB, accumulate: n % 3 === 0, pad: n % 5 === 0 ? 3 : 0 });
        n++;
      }
});

test('every transpose combination on odd sizes, with and without accumulate', () => {
  const rng = new Rng(2);
  for (const [transA, transB] of TRANS) {
    for (const [M, N, K] of [
      [1, 1, 1],
      [3, 5, 7],
      [7, 9, 5],
      [9, 17, 33],
      [33, 7, 100],
      [100, 64, 9],
      [17, 100, 3],
      [64, 64, 64],
    ]) {
      for (const accumulate of [false, true]) check(rng, { M, N, K, transA, transB, accumulate, pad: 2 });
    }
  }
});

test('sizes that cross the K, M and N cache blocks', () => {
  const rng = new Rng(3);
  const cases: [number, number, number][] = [
    [5, 9, 600],
    [257, 70, 513],
    [130, 33, 257],
    [3, 4100, 5],
    [131, 4103, 2],
  ];
  for (const [M, N, K] of cases)
    for (const [transA, transB] of TRANS) {
      check(rng, { M, N, K, transA, transB, accumulate: transA, pad: 1 });
    }
});

test('accumulate=1 adds into C, 0 overwrites whatever C held', () => {
  // a hand-checkable case: [1 2; 3 4]·[5 6; 7 8] = [19 22; 43 50]
  const a = m.alloc(16),
    b = m.alloc(16),
    c = m.alloc(16),
    s = m.alloc(e.gemmScratchBytes(2, 2, 2));
  m.f32(a, 4).set([1, 2, 3, 4]);
  m.f32(b, 4).set([5, 6, 7, 8]);
  m.f32(c, 4).set([NaN, 1e30, -1, 7]);
  e.gemm(2, 2, 2, a, 2, 0, b, 2, 0, c, 2, 0, s);
  assert.equal(Array.from(m.f32(c, 4)), [19, 22, 43, 50]);
  e.gemm(2, 2, 2, a, 2, 0, b, 2, 0, c, 2, 1, s);
  assert.equal(Array.from(m.f32(c, 4)), [38, 44, 86, 100]);
  // transposed A: op(A) = [1 3; 2 4]
  e.gemm(2, 2, 2, a, 2, 1, b, 2, 0, c, 2, 0, s);
  assert.equal(Array.from(m.f32(c, 4)), [26, 30, 38, 44]);
  m.free(a);
  m.free(b);
  m.free(c);
  m.free(s);
});

test('gemmPackA + gemmPackedA: the same bits as gemm, across the K and M blocks', () => {
  const rng = new Rng(77);
  for (const [M, N, K] of [
    [5, 7, 3],
    [67, 33, 300],
    [130, 9, 513],
    [4, 1030, 257],
  ]) {
    const a = randoms(rng, M * K),
      b = randoms(rng, K * N);
    const pa = m.alloc(M * K * 4),
      pb = m.alloc(K * N * 4),
      c1 = m.alloc(M * N * 4),
      c2 = m.alloc(M * N * 4);
    const packed = m.alloc(e.gemmPackedABytes(M, K)),
      scratch = m.alloc(e.gemmScratchBytes(M, N, K));
    m.f32(pa, M * K).set(a);
    m.f32(pb, K * N).set(b);
    e.gemm(M, N, K, pa, K, 0, pb, N, 0, c1, N, 0, scratch);
    e.gemmPackA(M, K, pa, K, packed);
    m.f32(pa, M * K).fill(Number.NaN); // the packed copy alone must do
    e.gemmPackedA(M, N, K, packed, pb, N, c2, N, 0, scratch);
    const want = new Uint32Array(m.f32(c1, M * N).slice().buffer),
      got = new Uint32Array(m.f32(c2, M * N).slice().buffer);
    assert.equal(Array.from(got), Array.from(want), `${M}x${N}x${K}`);
    assertClose(m.f32(c2, M * N), gemmRef(M, N, K, a, K, false, b, N, false), 1e-4, 1e-5 * Math.sqrt(K), `${M}x${N}x${K} vs float64`);
    for (const p of [pa, pb, c1, c2, packed, scratch]) m.free(p);
  }
});

test.run();
