// conv2dForward / conv2dBackwardInput / conv2dBackwardFilter (assembly/conv.ts) against the float64
// loops of test/reference/dense.ts on awkward shapes, and against float64 finite differences of the
// reference forward. Runs on whichever build the loader picks (FASTRCNN_NO_RELAXED_SIMD=1: plain).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadWasm } from '../../src/backends/wasm/loader.js';
import { Rng } from '../../src/util/random.js';
import { assertClose, maxAbs } from '../helpers/close.js';
import {
  conv2dBackwardFilterRef,
  conv2dBackwardInputRef,
  conv2dRef,
  convOutSize,
  dot,
  numericalGradient,
  type ConvShape,
} from '../reference/dense.js';

const m = loadWasm();
const e = m.exports;
const SENTINEL = -7777.25;
const GUARD = 16; // sentinel floats after every buffer

function randoms(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
}

// Buffers in WASM memory, each followed by GUARD sentinel floats; outputs start as NaN so a kernel
// that skips an element (instead of overwriting it) is caught.
class Buffers {
  private list: { ptr: number; n: number; name: string }[] = [];
  put(name: string, data: Float32Array | number): number {
    const n = typeof data === 'number' ? data : data.length;
    const ptr = m.alloc((n + GUARD) * 4 + 4) + 4; // +4: not 16-byte aligned
    if (typeof data === 'number') m.f32(ptr, n).fill(NaN);
    else m.f32(ptr, n).set(data);
    m.f32(ptr + n * 4, GUARD).fill(SENTINEL);
    this.list.push({ ptr, n, name });
    return ptr;
  }
  read(ptr: number, n: number): Float32Array {
    return m.f32(ptr, n).slice();
  }
  checkGuardsAndFree(what: string): void {
    for (const { ptr, n, name } of this.list) {
      const g = m.f32(ptr + n * 4, GUARD);
      for (let i = 0; i < GUARD; i++) if (g[i] !== SENTINEL) assert.unreachable(`${what}: wrote past the end of ${name}`);
      m.free(ptr - 4);
    }
    this.list = [];
  }
}

const label = (s: ConvShape) =>
  `N${s.N} C${s.C} ${s.H}x${s.W} -> OC${s.OC} k${s.KH}x${s.KW} s${s.strideH},${s.strideW} p${s.padH},${s.padW}`;

interface Results {
  y: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
}

// Runs all three kernels on one shape with one scratch buffer of conv2dScratchBytes.
function runKernels(s: ConvShape, x: Float32Array, w: Float32Array, bias: Float32Array | null, dy: Float32Array): Results {
  const [OH, OW] = convOutSize(s);
  const b = new Buffers();
  const px = b.put('x', x),
    pw = b.put('w', w),
    pdy = b.put('dy', dy);
  const pbias = bias ? b.put('bias', bias) : 0;
  const py = b.put('y', dy.length),
    pdx = b.put('dx', x.length),
    pdw = b.put('dw', w.length);
  const scratchBytes = e.conv2dScratchBytes(s.N, s.C, s.H, s.W, s.OC, s.KH, s.KW, OH, OW);
  const ps = b.put('scratch', Math.ceil(scratchBytes / 4));
  e.conv2dForward(px, s.N, s.C, s.H, s.W, pw, s.OC, s.KH, s.KW, s.strideH, s.strideW, s.padH, s.padW, pbias, py, OH, OW, ps);
  e.conv2dBackwardInput(pdy, s.N, s.C, s.H, s.W, pw, s.OC, s.KH, s.KW, s.strideH, s.strideW, s.padH, s.padW, OH, OW, pdx, ps);
  e.conv2dBackwardFilter(px, pdy, s.N, s.C, s.H, s.W, s.OC, s.KH, s.KW, s.strideH, s.strideW, s.padH, s.padW, OH, OW, pdw, ps);
  const r = { y: b.read(py, dy.length), dx: b.read(pdx, x.length), dw: b.read(pdw, w.length) };
  // inputs must be untouched
  assert.equal(Array.from(b.read(px, x.length)), Array.from(x), `${label(s)}: x modified`);
  assert.equal(Array.from(b.read(pw, w.length)), Array.from(w), `${label(s)}: w modified`);
  assert.equal(Array.from(b.read(pdy, dy.length)), Array.from(dy), `${label(s)}: dy modified`);
  b.checkGuardsAndFree(label(s));
  return r;
}

function shape(
  N: number,
  C: number,
  H: number,
  W: number,
  OC: number,
  KH: number,
  KW: number,
  strideH: number,
  strideW: number,
  padH: number,
  padW: number,
): ConvShape {
  return { N, C, H, W, OC, KH, KW, strideH, strideW, padH, padW };
}

// Awkward shapes: each line says which path or edge it is there for.
const SHAPES: ConvShape[] = [
  shape(2, 3, 7, 9, 5, 3, 3, 1, 1, 1, 1), // plain 3×3 "same", batch of 2
  shape(2, 4, 10, 11, 6, 1, 1, 1, 1, 0, 0), // 1×1 stride 1 unpadded: direct GEMM path
  shape(1, 3, 9, 8, 4, 1, 1, 2, 2, 0, 0), // 1×1 with stride: im2col path
  shape(1, 2, 5, 6, 3, 1, 1, 1, 1, 1, 1), // 1×1 with padding: border outputs are bias only
  shape(2, 3, 9, 8, 7, 3, 2, 2, 3, 4, 3), // padding larger than the kernel, stride > kernel (w)
  shape(1, 2, 5, 5, 3, 5, 5, 1, 1, 0, 0), // output size 1×1
  shape(1, 3, 2, 3, 2, 5, 5, 1, 1, 2, 2), // kernel larger than the input
  shape(2, 2, 11, 10, 3, 2, 2, 3, 3, 0, 0), // stride 3 > kernel 2: input pixels no output reads
  shape(3, 1, 6, 7, 1, 3, 3, 1, 1, 1, 1), // one channel in and out
  shape(1, 2, 6, 5, 3, 3, 3, 1, 1, 2, 2), // stride 1, pad = kernel - 1 (full convolution)
  shape(1, 2, 4, 5, 2, 2, 2, 1, 1, 3, 3), // stride 1, pad > kernel - 1: dx path crops dy
  shape(2, 5, 12, 13, 8, 3, 3, 2, 2, 1, 1), // stride-2 downsampling: col2im path
  shape(1, 17, 23, 19, 33, 3, 3, 1, 1, 1, 1), // odd channel counts, edge tiles everywhere
  shape(1, 40, 6, 7, 6, 3, 3, 1, 1, 1, 1), // C·KH·KW = 360 crosses gemm's K block
  shape(1, 31, 9, 10, 5, 3, 3, 1, 1, 1, 1), // 279 = two K blocks of 140: one starts mid-(kh, kw)
  shape(2, 3, 6, 11, 4, 5, 5, 1, 1, 2, 2), // 5×5 "same": output rows continue in memory
  shape(1, 2, 8, 12, 3, 3, 3, 1, 1, 0, 0), // "valid": 8-position panels break across rows
  shape(1, 2, 65, 66, 5, 3, 3, 1, 1, 1, 1), // OH·OW = 4290 crosses gemm's N block
  shape(1, 3, 7, 40, 4, 1, 7, 1, 2, 0, 3), // 1×7 kernel, anisotropic stride and padding
];

test(`forward, backward input and backward filter match the float64 loops (${m.relaxed ? 'relaxed' : 'plain'} SIMD build)`, () => {
  const rng = new Rng(10);
  for (const s of SHAPES) {
    const [OH, OW] = convOutSize(s);
    const x = randoms(rng, s.N * s.C * s.H * s.W),
      w = randoms(rng, s.OC * s.C * s.KH * s.KW);
    const bias = randoms(rng, s.OC),
      dy = randoms(rng, s.N * s.OC * OH * OW);
    const r = runKernels(s, x, w, bias, dy);
    const yRef = conv2dRef(s, x, w, bias),
      dxRef = conv2dBackwardInputRef(s, dy, w),
      dwRef = conv2dBackwardFilterRef(s, x, dy);
    // float32 accumulation over C·KH·KW (forward, dx) or N·OH·OW (dw) terms
    assertClose(r.y, yRef, 1e-4, 1e-5 * Math.sqrt(s.C * s.KH * s.KW), `${label(s)}: y`);
    assertClose(r.dx, dxRef, 1e-4, 1e-5 * Math.sqrt(s.OC * s.KH * s.KW), `${label(s)}: dx`);
    assertClose(r.dw, dwRef, 1e-4, 1e-5 * Math.sqrt(s.N * OH * OW), `${label(s)}: dw`);
  }
});

test('bias pointer 0 means no bias', () => {
  const rng = new Rng(11);
  for (const s of [SHAPES[0], SHAPES[1], SHAPES[4]]) {
    const [OH, OW] = convOutSize(s);
    const x = randoms(rng, s.N * s.C * s.H * s.W),
      w = randoms(rng, s.OC * s.C * s.KH * s.KW);
    const r = runKernels(s, x, w, null, randoms(rng, s.N * s.OC * OH * OW));
    assertClose(r.y, conv2dRef(s, x, w, null), 1e-4, 1e-5, `${label(s)}: y without bias`);
  }
});

test('a hand-checked 3×3 case: ones filter sums each zero-padded neighbourhood', () => {
  const s = shape(1, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1);
  const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const r = runKernels(s, x, new Float32Array(9).fill(1), Float32Array.from([0.5]), new Float32Array(9).fill(1));
  assert.equal(Array.from(r.y), [12.5, 21.5, 16.5, 27.5, 45.5, 33.5, 24.5, 39.5, 28.5]);
  // dy = 1 everywhere: dx[h][w] counts the windows covering (h, w); dw[kh][kw] sums the shifted image
  assert.equal(Array.from(r.dx), [4, 6, 4, 6, 9, 6, 4, 6, 4]);
  assert.equal(Array.from(r.dw), [12, 21, 16, 27, 45, 33, 24, 39, 28]);
});

test('the backward passes equal float64 finite differences of the reference forward', () => {
  // L(x, w) = Σ conv(x, w) · g; dx = ∂L/∂x and dw = ∂L/∂w, with g as dy
  const rng = new Rng(12);
  const shapes = [SHAPES[0], SHAPES[2], SHAPES[4], SHAPES[7], SHAPES[10], SHAPES[11], shape(2, 2, 5, 4, 3, 2, 3, 1, 2, 1, 2)];
  for (const s of shapes) {
    const [OH, OW] = convOutSize(s);
    const x = randoms(rng, s.N * s.C * s.H * s.W),
      w = randoms(rng, s.OC * s.C * s.KH * s.KW);
    const g = randoms(rng, s.N * s.OC * OH * OW);
    const x64 = Float64Array.from(x),
      w64 = Float64Array.from(w);
    const dxNum = numericalGradient((xv) => dot(conv2dRef(s, xv, w64, null), g), x64);
    const dwNum = numericalGradient((wv) => dot(conv2dRef(s, x64, wv, null), g), w64);
    const r = runKernels(s, x, w, null, g);
    assertClose(r.dx, dxNum, 1e-4, 1e-5 * Math.max(1, maxAbs(dxNum)), `${label(s)}: dx vs finite differences`);
    assertClose(r.dw, dwNum, 1e-4, 1e-5 * Math.max(1, maxAbs(dwNum)), `${label(s)}: dw vs finite differences`);
  }
});

test('scratch size covers every shape and grows with the problem', () => {
  const small = e.conv2dScratchBytes(1, 3, 8, 8, 4, 3, 3, 8, 8);
  const big = e.conv2dScratchBytes(1, 64, 56, 56, 64, 3, 3, 56, 56);
  assert.ok(small > 0 && big > small, `scratch ${small} / ${big}`);
  // implicit im2col: scratch stays far below the im2col matrix of a large image (32·9 × 320·480)
  const large = e.conv2dScratchBytes(1, 32, 320, 480, 32, 3, 3, 320, 480);
  assert.ok(large < (32 * 9 * 320 * 480 * 4) / 8, `scratch for 320×480×32: ${large} bytes`);
});

test.run();
