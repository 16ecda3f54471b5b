// Dense WASM kernels (assembly/gemm.ts, conv.ts, pool.ts) side by side with TensorFlow.js 4.22's
// WASM backend in the same process: matmul, 3×3 convolutions and their backward passes, max pooling.
// Kernel level on both sides: buffers are allocated once, outside the timed calls; ours and TF.js
// calls (and a conv's forward and backward passes) take turns, so all see the same background load.
//
// Usage: node --import tsx examples/bench/kernels.ts [--no-tfjs] [--quick] [--best] [--cpu] [--json out.json]
// On a machine shared with other work: --cpu times with this process's CPU time instead of the wall
// clock (both sides run on this one thread), --best shows the best run instead of the median.
// FASTRCNN_NO_RELAXED_SIMD=1 benchmarks the plain SIMD build instead of the relaxed-SIMD (FMA) one.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWasm, type WasmModule } from '../../src/backends/wasm/loader.js';
import { BenchTable, cliArg, loadTfjsWasm, timeGroup, timePair, timeSync, type Timing, type TimingOptions } from './harness.js';

type Tf = NonNullable<Awaited<ReturnType<typeof loadTfjsWasm>>>;

function fillRandom(a: Float32Array, seed: number): void {
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 4294967296 - 0.5;
  }
}

// Allocates and fills WASM buffers; frees them all at once.
class Arena {
  private ptrs: number[] = [];
  constructor(private m: WasmModule) {}
  floats(n: number, seed = 1): number {
    const p = this.m.alloc(n * 4);
    this.ptrs.push(p);
    fillRandom(this.m.f32(p, n), seed);
    return p;
  }
  bytes(n: number): number {
    const p = this.m.alloc(n);
    this.ptrs.push(p);
    return p;
  }
  free(): void {
    for (const p of this.ptrs) this.m.free(p);
    this.ptrs = [];
  }
}

function tfRandom(tf: Tf, shape: number[], seed: number) {
  const a = new Float32Array(shape.reduce((x, y) => x * y, 1));
  fillRandom(a, seed);
  return tf.tensor(a, shape);
}

export async function kernelRows(table: BenchTable, m: WasmModule, tf: Tf | null, timing: TimingOptions): Promise<void> {
  const e = m.exports;
  const arena = new Arena(m);

  // ---- matmul: C[M×N] = op(A)·op(B)
  for (const [M, N, K, tA, tB] of [
    [512, 512, 512, 0, 0],
    [1024, 1024, 1024, 0, 0],
    [1024, 1024, 1024, 0, 1],
    [1024, 1024, 1024, 1, 0],
  ]) {
    const a = arena.floats(M * K, 1),
      b = arena.floats(K * N, 2),
      c = arena.floats(M * N, 3);
    const s = arena.bytes(e.gemmScratchBytes(M, N, K));
    const run = () => e.gemm(M, N, K, a, tA ? M : K, tA, b, tB ? K : N, tB, c, N, 0, s);
    let ours = null,
      theirs = null;
    if (tf) {
      const ta = tfRandom(tf, tA ? [K, M] : [M, K], 1),
        tb = tfRandom(tf, tB ? [N, K] : [K, N], 2);
      [ours, theirs] = timePair(run, () => tf.matMul(ta, tb, !!tA, !!tB).dispose(), timing);
      ta.dispose();
      tb.dispose();
    } else {
      ours = timeSync(run, timing);
    }
    const op = `${tA ? 'Aᵀ' : 'A'}·${tB ? 'Bᵀ' : 'B'}`;
    table.add({
      name: `matmul ${M}³ ${op}`.replace(`${M}³`, M === N && N === K ? `${M}³` : `${M}x${N}x${K}`),
      flops: 2 * M * N * K,
      ours,
      theirs,
    });
    arena.free();
  }

  // ---- conv2d 3×3, stride 1, pad 1, batch 1: forward vs TF.js; backward passes ours only
  for (const [HW, C, OC] of [
    [56, 64, 64],
    [28, 128, 128],
    [14, 256, 256],
  ]) {
    const N = 1,
      H = HW,
      W = HW,
      KH = 3,
      KW = 3,
      OH = H,
      OW = W;
    const flops = 2 * N * OC * OH * OW * C * KH * KW;
    const x = arena.floats(N * C * H * W, 4),
      w = arena.floats(OC * C * KH * KW, 5),
      bias = arena.floats(OC, 6);
    const y = arena.floats(N * OC * OH * OW, 7),
      dx = arena.floats(N * C * H * W, 8),
      dw = arena.floats(OC * C * KH * KW, 9);
    const s = arena.bytes(e.conv2dScratchBytes(N, C, H, W, OC, KH, KW, OH, OW));
    const shape = `${HW}x${HW} ${C}->${OC}`;
    const forward = () => e.conv2dForward(x, N, C, H, W, w, OC, KH, KW, 1, 1, 1, 1, bias, y, OH, OW, s);
    const backInput = () => e.conv2dBackwardInput(y, N, C, H, W, w, OC, KH, KW, 1, 1, 1, 1, OH, OW, dx, s);
    const backFilter = () => e.conv2dBackwardFilter(x, y, N, C, H, W, OC, KH, KW, 1, 1, 1, 1, OH, OW, dw, s);
    let fwd: Timing,
      bi: Timing,
      bf: Timing,
      theirs: Timing | null = null;
    if (tf) {
      const tx = tfRandom(tf, [N, H, W, C], 4),
        tw = tfRandom(tf, [KH, KW, C, OC], 5),
        tb = tfRandom(tf, [OC], 6);
      // NHWC is TF.js's native layout (its wasm conv has no NCHW path). Its fused conv + bias is
      // what TF.js models run, and faster here than conv2d followed by add.
      const tfForward = () => tf.fused.conv2d({ x: tx as any, filter: tw as any, strides: 1, pad: 'same', bias: tb }).dispose();
      [fwd, theirs, bi, bf] = timeGroup([forward, tfForward, backInput, backFilter], timing);
      tx.dispose();
      tw.dispose();
      tb.dispose();
    } else {
      [fwd, bi, bf] = timeGroup([forward, backInput, backFilter], timing);
    }
    table.add({ name: `conv3x3 fwd ${shape}`, flops, ours: fwd, theirs, note: 'ours NCHW+bias, TF.js NHWC+bias (fused)' });
    const pct = (t: Timing) => `${((fwd[table.stat] / t[table.stat]) * 100).toFixed(0)}% of our fwd`;
    table.add({ name: `conv3x3 dx  ${shape}`, flops, ours: bi, theirs: null, note: `${pct(bi)}; TF.js wasm: no kernel` });
    table.add({ name: `conv3x3 dW  ${shape}`, flops, ours: bf, theirs: null, note: `${pct(bf)}; TF.js wasm: no kernel` });
    arena.free();
  }

  // ---- max pooling 2×2 / 2 (ours also writes the argmax switches)
  for (const [HW, C] of [
    [112, 64],
    [56, 128],
  ]) {
    const OH = HW / 2;
    const x = arena.floats(C * HW * HW, 10),
      y = arena.floats(C * OH * OH, 11),
      arg = arena.bytes(C * OH * OH * 4);
    const run = () => e.maxPool2dForward(x, 1, C, HW, HW, 2, 2, 2, 2, 0, 0, OH, OH, y, arg);
    let ours = null,
      theirs = null;
    if (tf) {
      const tx = tfRandom(tf, [1, HW, HW, C], 10);
      [ours, theirs] = timePair(run, () => tf.maxPool(tx as any, 2, 2, 'valid').dispose(), timing);
      tx.dispose();
    } else {
      ours = timeSync(run, timing);
    }
    table.add({ name: `maxpool 2x2/2 ${HW}x${HW}x${C}`, ours, theirs, note: 'ours also writes argmax' });
    arena.free();
  }
}

async function main(): Promise<void> {
  const quick = cliArg('quick') !== undefined,
    best = cliArg('best') !== undefined,
    cpu = cliArg('cpu') !== undefined;
  const timing: TimingOptions = quick ? { warmupMs: 150, runs: 5, minMs: 150 } : { warmupMs: 400, runs: 9, minMs: 600 };
  if (cpu) timing.clock = 'cpu';
  const m = loadWasm();
  const tf = cliArg('no-tfjs') ? null : await loadTfjsWasm();
  const title =
    `Dense kernels, one thread, Node ${process.version}: ours = ${m.relaxed ? 'relaxed-SIMD (FMA)' : 'plain SIMD'} build` +
    `${tf ? `, TF.js ${tf.version_core} ${tf.getBackend()}` : ', TF.js not loaded'}; ${best ? 'best' : 'median'} ${cpu ? 'CPU' : 'wall'} ms of timed runs after warm-up`;
  const table = new BenchTable(title, 'ours', 'TF.js wasm', best ? 'min' : 'median');
  await kernelRows(table, m, tf, timing);
  table.print();
  const out = cliArg('json');
  if (out && out !== 'true') writeFileSync(out, JSON.stringify({ relaxed: m.relaxed, rows: table.toJSON() }, null, 1));
}

// Run when executed directly (the lead's bench index may import kernelRows instead).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
