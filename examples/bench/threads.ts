// The WASM kernel threads (src/backends/wasm/threads.ts): 1 thread against 2 on matmul 1024³, the
// three 3×3 convolutions of kernels.ts (forward and both backward passes), RoI pooling of 2000 RoIs
// and one image's detection with the demo model (examples/browser/model.safetensors, its proposals
// made beforehand); then one thread of the threads build (shared memory) against today's plain
// build, and the plain build's matmul against TF.js wasm as the same-run reference. Calls take turns
// (1 thread, 2 threads, plain) so all see the same background load; wall-clock medians.
//
// Usage: node --import ./scripts/relaxed-simd.mjs --import tsx examples/bench/threads.ts [--quick] [--no-tfjs] [--json out.json]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../src/app/threads/kernelThreads.js';
import { loadModel } from '../../src/app/files.js';
import { readImageFile } from '../../src/app/data/fs.js';
import { type WasmModule, loadWasm } from '../../src/backends/wasm/loader.js';
import { type ParallelOptions, type RangeKernel, parallelRange, setThreads, threadsReady } from '../../src/backends/wasm/threads.js';
import { detect } from '../../src/detection/model/detect.js';
import { selectiveSearch } from '../../src/proposals/selectiveSearch.js';
import { ready } from '../../src/ready.js';
import { tidy } from '../../src/index.js';
import { BenchTable, cliArg, loadTfjsWasm, repoRoot, timeGroup, type Timing, type TimingOptions } from './harness.js';

ready();
const quick = cliArg('quick') !== undefined;
const timing: TimingOptions = quick ? { warmupMs: 150, runs: 5, minMs: 150 } : { warmupMs: 400, runs: 9, minMs: 600 };
const plain = loadWasm(undefined, { threads: false });
const m = loadWasm(); // the engine's module: the threads build in Node
if (!m.shared) throw new Error(`the threads build did not load: ${m.sharedNote}`);
setThreads(2, m);
const started = await threadsReady(m);
const tf = cliArg('no-tfjs') ? null : await loadTfjsWasm();

function fillRandom(a: Float32Array, seed: number): void {
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 4294967296 - 0.5;
  }
}

// The same buffers in both modules' memories (the plain build has its own).
class Pair {
  private list: [WasmModule, number][] = [];
  floats(n: number, seed: number): [number, number] {
    return [this.put(m, n, seed), this.put(plain, n, seed)];
  }
  private put(mod: WasmModule, n: number, seed: number): number {
    const p = mod.alloc(n * 4);
    fillRandom(mod.f32(p, n), seed);
    this.list.push([mod, p]);
    return p;
  }
  free(): void {
    for (const [mod, p] of this.list) mod.free(p);
    this.list = [];
  }
}

const par = (fn: RangeKernel, args: number[], total: number, o: ParallelOptions, threads: number) => () =>
  parallelRange(m, fn, args, total, { ...o, threads, work: undefined });

const speed = new BenchTable(
  `Kernel threads, Node ${process.version}, ${m.relaxed ? 'relaxed-SIMD (FMA)' : 'plain SIMD'} threads build, ${started} threads running: 2 threads against 1; median wall ms`,
  '2 threads',
  '1 thread',
);
const single = new BenchTable(
  "One thread: the threads build (shared memory) against today's plain build; median wall ms",
  'threads build',
  'plain build',
);
const ref = new BenchTable('Same-run reference: the plain build against TF.js wasm (one thread)', 'plain build', 'TF.js wasm');

function rows(name: string, flops: number | undefined, [t1, t2, p]: Timing[], note = ''): void {
  speed.add({ name, flops, ours: t2, theirs: t1, note });
  if (p) single.add({ name, flops, ours: t1, theirs: p });
}

// ---- matmul 1024³
{
  const M = 1024,
    N = 1024,
    K = 1024;
  const bufs = new Pair();
  const [a, pa] = bufs.floats(M * K, 1),
    [b, pb] = bufs.floats(K * N, 2),
    [c, pc] = bufs.floats(M * N, 3);
  const ps = plain.alloc(plain.exports.gemmScratchBytes(M, N, K));
  const o: ParallelOptions = { unit: 4, scratchBytes: m.exports.gemmBlockScratchBytes(M, N, K) };
  const args = [M, N, K, a, K, 0, b, N, 0, c, N, 0, 0];
  const fns = [
    par('gemmRange', args, M, o, 1),
    par('gemmRange', args, M, o, 2),
    () => plain.exports.gemm(M, N, K, pa, K, 0, pb, N, 0, pc, N, 0, ps),
  ];
  const flops = 2 * M * N * K;
  if (tf) {
    const ta = tf.randomUniform([M, K]),
      tb = tf.randomUniform([K, N]);
    const t = timeGroup([...fns, () => tf.matMul(ta, tb).dispose()], timing);
    rows('matmul 1024³', flops, t);
    ref.add({ name: 'matmul 1024³', flops, ours: t[2], theirs: t[3] });
    ta.dispose();
    tb.dispose();
  } else rows('matmul 1024³', flops, timeGroup(fns, timing));
  plain.free(ps);
  bufs.free();
}

// ---- conv 3×3, stride 1, pad 1, batch 1 (kernels.ts's rows)
for (const [HW, C, OC] of [
  [56, 64, 64],
  [28, 128, 128],
  [14, 256, 256],
]) {
  const N = 1,
    H = HW,
    W = HW,
    K = 3;
  const flops = 2 * N * OC * H * W * C * K * K;
  const bufs = new Pair();
  const [x, px] = bufs.floats(N * C * H * W, 4),
    [w, pw] = bufs.floats(OC * C * K * K, 5),
    [bias, pbias] = bufs.floats(OC, 6),
    [y, py] = bufs.floats(N * OC * H * W, 7),
    [dx, pdx] = bufs.floats(N * C * H * W, 8),
    [dw, pdw] = bufs.floats(OC * C * K * K, 9);
  const pe = plain.exports;
  const ps = plain.alloc(pe.conv2dScratchBytes(N, C, H, W, OC, K, K, H, W));
  const o: ParallelOptions = { unit: 8, scratchBytes: m.exports.conv2dBlockScratchBytes(N, C, H, W, OC, K, K, H, W) };
  const flipped = m.alloc(m.exports.conv2dFlippedBytes(C, OC, K, K));
  const shape = `${HW}x${HW} ${C}->${OC}`;
  const fwd = (t: number) => par('conv2dForwardRange', [x, N, C, H, W, w, OC, K, K, 1, 1, 1, 1, bias, y, H, W], N * H * W, o, t);
  const bwdI = (t: number) => {
    const run = par('conv2dBackwardInputRange', [y, N, C, H, W, w, OC, K, K, 1, 1, 1, 1, H, W, dx, flipped], N * H * W, o, t);
    return () => {
      m.exports.conv2dFlipFilter(w, OC, C, K, K, flipped); // as the engine does, per call
      run();
    };
  };
  const bwdF = (t: number) => par('conv2dBackwardFilterRange', [x, y, N, C, H, W, OC, K, K, 1, 1, 1, 1, H, W, dw], C * K * K, o, t);
  rows(
    `conv3x3 fwd ${shape}`,
    flops,
    timeGroup([fwd(1), fwd(2), () => pe.conv2dForward(px, N, C, H, W, pw, OC, K, K, 1, 1, 1, 1, pbias, py, H, W, ps)], timing),
  );
  rows(
    `conv3x3 dx  ${shape}`,
    flops,
    timeGroup([bwdI(1), bwdI(2), () => pe.conv2dBackwardInput(py, N, C, H, W, pw, OC, K, K, 1, 1, 1, 1, H, W, pdx, ps)], timing),
  );
  rows(
    `conv3x3 dW  ${shape}`,
    flops,
    timeGroup([bwdF(1), bwdF(2), () => pe.conv2dBackwardFilter(px, py, N, C, H, W, OC, K, K, 1, 1, 1, 1, H, W, pdw, ps)], timing),
  );
  m.free(flipped);
  plain.free(ps);
  bufs.free();
}

// ---- RoI pooling: 2000 RoIs on a 512×38×50 map at 1/16, 7×7 bins (detection.ts's workload)
{
  const C = 512,
    H = 38,
    W = 50,
    R = 2000,
    P = 7,
    scale = Math.fround(1 / 16);
  let seed = 7;
  const rnd = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  const roiRows = new Float32Array(R * 5);
  for (let r = 0; r < R; r++) {
    const w = 16 + rnd() * 484,
      h = 16 + rnd() * 384;
    const x1 = rnd() * (800 - w),
      y1 = rnd() * (600 - h);
    roiRows.set([0, x1, y1, x1 + w, y1 + h], r * 5);
  }
  const bufs = new Pair();
  const [x, px] = bufs.floats(C * H * W, 10);
  const [rois, prois] = bufs.floats(R * 5, 11);
  m.f32(rois, R * 5).set(roiRows);
  plain.f32(prois, R * 5).set(roiRows);
  const [out, pout] = bufs.floats(R * C * P * P, 12),
    [am, pam] = bufs.floats(R * C * P * P, 13);
  const xt = m.alloc(H * W * C * 4),
    pxt = plain.alloc(H * W * C * 4),
    pbins = plain.alloc(plain.exports.roiPoolBinScratchBytes(C, P, P));
  const o: ParallelOptions = { scratchBytes: m.exports.roiPoolBinScratchBytes(C, P, P), blocksPerThread: 4 };
  const pool = (t: number) => {
    const run = par('roiPoolForwardRange', [xt, C, H, W, rois, scale, P, P, out, am], R, o, t);
    return () => {
      m.exports.roiChannelsLast(x, 1, C, H, W, xt);
      run();
    };
  };
  rows(
    'roiPool 2000 RoIs 512x38x50 7x7',
    undefined,
    timeGroup([pool(1), pool(2), () => plain.exports.roiPoolForward(px, 1, C, H, W, prois, R, scale, P, P, pout, pam, pxt, pbins)], {
      ...timing,
      warmupRuns: 2,
    }),
    'forward, with the channels-last copy',
  );
  m.free(xt);
  plain.free(pxt);
  plain.free(pbins);
  bufs.free();
}

// ---- one image's detection with the demo model (proposals made beforehand)
{
  const { model, config } = loadModel(join(repoRoot, 'examples/browser/model.safetensors'));
  const image = readImageFile(join(repoRoot, 'examples/browser/samples/000025.png'));
  const boxes = selectiveSearch(image, { mode: 'fast', maxBoxes: 2000 });
  const run = (t: number) => () => {
    setThreads(t, m);
    tidy(() => detect(model, image, boxes, config));
  };
  const t = timeGroup([run(1), run(2)], { ...timing, warmupRuns: 3 });
  rows(
    `detect one image (${image.width}x${image.height}, ${boxes.length} proposals)`,
    undefined,
    t,
    'demo model; detect() without Selective Search',
  );
  model.dispose();
  setThreads(2, m);
}

speed.print();
single.print();
if (tf) ref.print();
const out = cliArg('json');
if (out && out !== 'true')
  writeFileSync(
    out,
    JSON.stringify({ relaxed: m.relaxed, threads: speed.toJSON(), single: single.toJSON(), reference: ref.toJSON() }, null, 1),
  );
process.exit(0);
