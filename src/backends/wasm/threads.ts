// Kernel threads: the heavy WASM kernels split their output between threads that share the module's
// linear memory (the shared-memory module, loader.ts). Each thread is a worker (worker_threads in Node, a
// Web Worker in a browser) holding its own instance of the same module on the same shared memory;
// it never allocates, it runs a kernel's `*Range(..., lo, hi, scratch)` export on pointers the
// calling thread hands it, with its own slice of a scratch block the caller allocated.
//
// A parallel call cuts the range [0, total) into blocks; the caller and the workers take blocks
// from one atomic word (the block count in its high 16 bits, the next block in the low 16) until
// none is left, so the caller finishes the job alone when a worker is late (not started yet, or
// descheduled) and nothing depends on which thread ran a block: each output value is computed by one
// thread, in the order one thread alone would use, so every thread count gives the same bits. A
// worker only reads a job's arguments after taking one of its blocks, which proves the job is live.
//
// Waiting: workers spin a few ms after a job (SPIN_MS), then sleep in Atomics.wait on the job
// counter. The caller, once its own blocks are done, spins for the blocks still running, then (after
// CALLER_SPIN_MS) sleeps in short Atomics.waits where it may (Node, any worker); on a browser's main
// thread, where Atomics.wait throws, it keeps spinning (it only waits for blocks already being run).
import type { WasmModule } from './loader.js';

/** How this platform starts a kernel thread: `main` is a self-contained function source, called with `data`. */
export interface KernelThreadSpawner {
  /** Starts a thread running `(main)(data)`. */
  spawn(main: string, data: KernelThreadData): void;
  /** Logical cores (the default thread count is this, up to DEFAULT_CAP). */
  cores: number;
  /** What it is, for threadInfo() ('worker_threads', 'Web Workers'). */
  kind: string;
}

/** What a kernel thread receives. */
interface KernelThreadData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  args: SharedArrayBuffer;
  names: readonly string[];
  slot: number;
  spinMs: number;
}

/** The range exports a job may name (workers look them up by index). */
const NAMES = [
  'gemmRange',
  'conv2dForwardRange',
  'conv2dWinogradRange',
  'conv2dWinogradFilterRange',
  'conv2dWinograd4Range',
  'conv2dWinograd4FilterRange',
  'conv2dBackwardInputRange',
  'conv2dFlipFilterRange',
  'conv2dBackwardFilterRange',
  'roiPoolForwardRange',
  'roiPoolBackwardRange',
  'roiAlignForwardRange',
  'roiAlignBackwardRange',
  'maxPool2dForwardRange',
  'maxPool2dBackwardRange',
  'instanceNormForwardRange',
  'instanceNormBackwardRange',
  'ewUnaryRange',
  'ewBinaryRange',
  'ewReduceRange',
  'ewSoftmaxRowsRange',
] as const;
export type RangeKernel = (typeof NAMES)[number];

// control (Int32Array) word indices, as literals in runBlocks and threadMain too
// 0 job counter, 1 block word, 2 blocks done, 3 kernel index, 4 argument count, 5 quit,
// 6 threads started, 7 failed, 8 active threads (slots >= it take no blocks), 9 scratch pointers,
// 10 blocks the workers have run (threadInfo, tests)
const GEN = 0,
  WORD = 1,
  DONE = 2,
  FN = 3,
  NARGS = 4,
  STARTED = 6,
  FAILED = 7,
  ACTIVE = 8,
  NSCRATCH = 9,
  WORKER_BLOCKS = 10;
// args (Float64Array): 0 total, 1 block size, 2 scratch base, 3 scratch stride, 4..4+NSCRATCH scratch
// offsets, then the kernel's arguments
const ARGS_FLOATS = 64;
const MAX_BLOCKS = 0x7fff;

/** The most threads setThreads accepts. */
const MAX_THREADS = 16;
/** The default thread count is the number of cores, up to this. */
const DEFAULT_CAP = 4;
// Milliseconds a worker spins (Atomics.load) after a job before it sleeps: kernels that follow each
// other with less JavaScript between them start without a wake-up, which costs 0.1–0.3 ms (more in
// a VM, whose idle vCPU must be woken) against 2–20 µs from a spin; an idle thread soon leaves its core.
const SPIN_MS = 3;
// The caller spins as long for the blocks still running (its own are done), then sleeps in short waits.
const CALLER_SPIN_MS = 20;

/**
 * Runs the blocks of the live job this thread can take: e the module's exports, ctl/args the views
 * of the control and argument buffers, names the kernel names, slot the thread's scratch slot.
 * Returns the blocks run. THREAD_SOURCE holds the same function for the workers: keep them alike.
 */
function runBlocks(e: Record<string, any>, ctl: Int32Array, args: Float64Array, names: readonly string[], slot: number): number {
  let ran = 0;
  for (;;) {
    if (slot >= Atomics.load(ctl, 8)) return ran;
    const word = Atomics.load(ctl, 1);
    const nb = word >>> 16,
      b = word & 0xffff;
    if (b >= nb) return ran;
    if (Atomics.compareExchange(ctl, 1, word, word + 1) !== word) continue;
    // block b of a live job is ours: its arguments are in place until we count it done
    try {
      const total = args[0],
        step = args[1];
      const lo = b * step,
        hi = Math.min(total, lo + step);
      const scratch = args[2] + slot * args[3];
      const nScratch = Atomics.load(ctl, 9),
        nArgs = Atomics.load(ctl, 4);
      const call: number[] = [];
      for (let i = 0; i < nArgs; i++) call.push(args[4 + nScratch + i]);
      call.push(lo, hi);
      for (let i = 0; i < nScratch; i++) call.push(scratch + args[4 + i]);
      e[names[Atomics.load(ctl, 3)]](...call);
    } catch (err) {
      Atomics.store(ctl, 7, 1);
      if (typeof console !== 'undefined') console.error('fastrcnn kernel thread:', err);
    }
    ran++;
    if (Atomics.add(ctl, 2, 1) + 1 === nb) Atomics.notify(ctl, 2);
  }
}

/**
 * The workers' code, as source text (so a thread needs no script file, and no tool between this
 * file and the page can rename or wrap it): runBlocks above, in plain JavaScript, and the worker's
 * life: instantiate the module on the shared memory, then take blocks of each job until quit.
 * `(source)(data)` runs it.
 */
const THREAD_SOURCE = `(d) => {
  const runBlocks = (e, ctl, args, names, slot) => {
    let ran = 0;
    for (;;) {
      if (slot >= Atomics.load(ctl, 8)) return ran;
      const word = Atomics.load(ctl, 1);
      const nb = word >>> 16, b = word & 0xffff;
      if (b >= nb) return ran;
      if (Atomics.compareExchange(ctl, 1, word, word + 1) !== word) continue;
      try {
        const total = args[0], step = args[1];
        const lo = b * step, hi = Math.min(total, lo + step);
        const scratch = args[2] + slot * args[3];
        const nScratch = Atomics.load(ctl, 9), nArgs = Atomics.load(ctl, 4);
        const call = [];
        for (let i = 0; i < nArgs; i++) call.push(args[4 + nScratch + i]);
        call.push(lo, hi);
        for (let i = 0; i < nScratch; i++) call.push(scratch + args[4 + i]);
        e[names[Atomics.load(ctl, 3)]](...call);
      } catch (err) {
        Atomics.store(ctl, 7, 1);
        console.error('fastrcnn kernel thread:', err);
      }
      ran++;
      if (Atomics.add(ctl, 2, 1) + 1 === nb) Atomics.notify(ctl, 2);
    }
  };
  const inst = new WebAssembly.Instance(d.module, {
    env: { memory: d.memory, abort: () => { throw new Error('WASM abort in a kernel thread'); }, seed: () => 0 },
  });
  const e = inst.exports;
  const ctl = new Int32Array(d.control);
  const args = new Float64Array(d.args);
  Atomics.add(ctl, 6, 1);
  Atomics.notify(ctl, 6);
  for (;;) {
    const gen = Atomics.load(ctl, 0);
    if (Atomics.load(ctl, 5)) return;
    const ran = runBlocks(e, ctl, args, d.names, d.slot);
    if (ran) Atomics.add(ctl, 10, ran);
    const until = performance.now() + d.spinMs;
    for (let i = 0; Atomics.load(ctl, 0) === gen; i++) if ((i & 255) === 0 && performance.now() > until) break;
    if (Atomics.load(ctl, 0) === gen) Atomics.wait(ctl, 0, gen);
  }
}`;

// ---- the platform ----------------------------------------------------------------------------

/** Web Workers from a Blob URL (the source is self-contained, so no script URL is needed). */
function webWorkerSpawner(): KernelThreadSpawner | null {
  const g = globalThis as any;
  if (typeof g.Worker !== 'function' || typeof g.Blob !== 'function' || typeof g.URL?.createObjectURL !== 'function') return null;
  return {
    kind: 'Web Workers',
    cores: Math.max(1, Number(g.navigator?.hardwareConcurrency) || 1),
    spawn(main, data) {
      const src = `self.onmessage = (m) => { self.onmessage = null; (${main})(m.data); };`;
      const w = new g.Worker(g.URL.createObjectURL(new g.Blob([src], { type: 'text/javascript' })), {
        name: `fastrcnn-kernels-${data.slot}`,
      });
      w.postMessage(data);
    },
  };
}

let spawner: KernelThreadSpawner | null | undefined;
let requested: number | null = null;

/** The Node entry registers worker_threads here (src/app/threads/kernelThreads.ts); browsers use Web Workers. */
export function setKernelThreadSpawner(s: KernelThreadSpawner | null): void {
  spawner = s;
}

function platform(): KernelThreadSpawner | null {
  if (spawner === undefined) spawner = webWorkerSpawner();
  return spawner;
}

// ---- the pool ----------------------------------------------------------------------------------

class Pool {
  readonly ctl = new Int32Array(new SharedArrayBuffer(64));
  readonly args = new Float64Array(new SharedArrayBuffer(ARGS_FLOATS * 8));
  private spawned = 1; // slot 0 is the calling thread
  private canWait: boolean;

  constructor(
    private readonly m: WasmModule,
    private readonly sp: KernelThreadSpawner,
  ) {
    try {
      Atomics.wait(this.ctl, GEN, 1, 0); // 'not-equal' at once, or a TypeError where waiting is not allowed
      this.canWait = true;
    } catch {
      this.canWait = false;
    }
  }

  /** Threads that take blocks: n (workers are started up to n - 1). */
  setActive(n: number): void {
    for (; this.spawned < n; this.spawned++) {
      this.sp.spawn(THREAD_SOURCE, {
        module: this.m.module,
        memory: this.m.memory,
        control: this.ctl.buffer as SharedArrayBuffer,
        args: this.args.buffer as SharedArrayBuffer,
        names: NAMES,
        slot: this.spawned,
        spinMs: SPIN_MS,
      });
    }
    Atomics.store(this.ctl, ACTIVE, n);
  }

  /** Scratch slots a job needs: every thread started, whatever the active count (a worker that saw
   *  a larger active count may take a block of the next job). */
  get slots(): number {
    return this.spawned;
  }

  get started(): number {
    return Atomics.load(this.ctl, STARTED);
  }

  get workerBlocks(): number {
    return Atomics.load(this.ctl, WORKER_BLOCKS);
  }

  run(fn: RangeKernel, args: number[], total: number, step: number, scratchBase: number, stride: number, offsets: number[]): void {
    const nb = Math.ceil(total / step);
    const a = this.args;
    a[0] = total;
    a[1] = step;
    a[2] = scratchBase;
    a[3] = stride;
    if (4 + offsets.length + args.length > ARGS_FLOATS) throw new Error('kernel threads: too many arguments');
    a.set(offsets, 4);
    a.set(args, 4 + offsets.length);
    const ctl = this.ctl;
    Atomics.store(ctl, FN, NAMES.indexOf(fn));
    Atomics.store(ctl, NARGS, args.length);
    Atomics.store(ctl, NSCRATCH, offsets.length);
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, FAILED, 0);
    Atomics.store(ctl, WORD, nb << 16);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    if (callerRuns) runBlocks(this.m.exports, ctl, a, NAMES, 0);
    const until = performance.now() + CALLER_SPIN_MS;
    let spinning = true;
    for (let i = 0; ; i++) {
      const done = Atomics.load(ctl, DONE);
      if (done >= nb) break;
      if (spinning && (i & 255) === 0 && performance.now() > until) spinning = false;
      if (!spinning && this.canWait) Atomics.wait(ctl, DONE, done, 5);
    }
    if (Atomics.load(ctl, FAILED)) throw new Error(`${fn}: a kernel thread failed (its error is above)`);
  }
}

const pools = new WeakMap<WasmModule, Pool>();

function defaultThreads(): number {
  const sp = platform();
  return sp ? Math.min(sp.cores, DEFAULT_CAP) : 1;
}

/** Why kernels run on one thread in this module, or '' when they may use more. */
function singleReason(m: WasmModule): string {
  if (!m.shared) return m.sharedNote;
  if (!platform())
    return 'no way to start threads here (no Web Workers; in Node, import fastrcnn or fastrcnn/node, which register Node worker threads)';
  return '';
}

/**
 * Sets how many threads the WASM kernels use (1 .. MAX_THREADS; null: the default again); returns the count in effect, which
 * is 1 where shared memory or workers are missing (threadInfo() says why). The default is the number
 * of cores, up to DEFAULT_CAP. Results do not depend on it: every thread count gives the same bits.
 */
export function setThreads(n: number | null, m: WasmModule): number {
  if (n !== null && (!Number.isInteger(n) || n < 1 || n > MAX_THREADS))
    throw new Error(`setThreads: a whole number from 1 to ${MAX_THREADS} (or null: the default), got ${n}`);
  requested = n;
  return threadsFor(m);
}

/** The thread count kernels on module m use now. */
export function threadsFor(m: WasmModule): number {
  if (singleReason(m)) return 1;
  return requested ?? defaultThreads();
}

export interface ThreadInfo {
  /** Threads the kernels use. */
  threads: number;
  /** What setThreads asked for (null: the default). */
  requested: number | null;
  /** true for the module on a shared memory. */
  sharedMemory: boolean;
  /** Worker threads started and running. */
  started: number;
  /** Blocks of parallel kernels the workers have run (the calling thread runs the others). */
  workerBlocks: number;
  /** Why one thread, when threads is 1 ('' otherwise, or when 1 was asked for). */
  note: string;
  /** worker_threads, Web Workers, or none. */
  workers: string;
}

export function threadInfoFor(m: WasmModule): ThreadInfo {
  const reason = singleReason(m);
  return {
    threads: threadsFor(m),
    requested,
    sharedMemory: m.shared,
    started: pools.get(m)?.started ?? 0,
    workerBlocks: pools.get(m)?.workerBlocks ?? 0,
    note: reason,
    workers: platform()?.kind ?? 'none',
  };
}

function poolFor(m: WasmModule, n: number): Pool {
  let pool = pools.get(m);
  if (!pool) {
    pool = new Pool(m, platform()!);
    pools.set(m, pool);
  }
  pool.setActive(n);
  return pool;
}

/**
 * Resolves when the workers for the current thread count have started (or after timeoutMs) with the
 * threads running. They start anyway at the first parallel kernel; until then the calling thread
 * runs every block itself.
 */
export async function threadsReady(m: WasmModule, timeoutMs = 10000): Promise<number> {
  const n = threadsFor(m);
  if (n <= 1) return 1;
  const pool = poolFor(m, n);
  const t0 = Date.now();
  while (pool.started < n - 1 && Date.now() - t0 < timeoutMs) await new Promise((r) => setTimeout(r, 5));
  return Math.min(pool.started + 1, n);
}

export interface ParallelOptions {
  /** Block sizes are multiples of this (8: whole GEMM column panels). */
  unit?: number;
  /** Blocks per thread (more balance load, each costs some packing). */
  blocksPerThread?: number;
  /** Work below which one thread runs the whole range (the caller's unit: flops, bytes). */
  work?: number;
  /** Scratch bytes each thread needs (0 with scratchOffsets []: none). */
  scratchBytes: number;
  /** Byte offsets within a thread's scratch passed after lo, hi (default [0]: one scratch pointer; []: none). */
  scratchOffsets?: number[];
  /** Threads to use (default: the current count); tests pass it. */
  threads?: number;
  /** What to run instead of the range on one thread (a kernel's own one-call form). */
  single?: () => void;
}

// Work (flops) below which a kernel runs on one thread: a job costs a wake-up and a repack per block.
const MIN_WORK = 4e6;
let minWork = MIN_WORK;
let callerRuns = true;

/**
 * Tests: `minWork: 0` splits every kernel however small; `callerRuns: false` leaves every block to
 * the workers (so they run every kind of block, whoever would have been first). {} restores both.
 */
export function setThreadTesting(o: { minWork?: number; callerRuns?: boolean }): void {
  minWork = o.minWork ?? MIN_WORK;
  callerRuns = o.callerRuns ?? true;
}

/**
 * Runs `fn(...args, lo, hi, ...scratch)` over [0, total): on one thread as a single call, or split
 * into blocks across the kernel threads. The result is the same either way.
 */
export function parallelRange(m: WasmModule, fn: RangeKernel, args: number[], total: number, o: ParallelOptions): void {
  if (total <= 0) return;
  const unit = o.unit ?? 1;
  const offsets = o.scratchOffsets ?? [0];
  const n = Math.min(o.threads ?? threadsFor(m), Math.ceil(total / unit));
  const stride = Math.ceil(Math.max(o.scratchBytes, 1) / 64) * 64;
  if (n <= 1 || (o.work !== undefined && o.work < minWork) || singleReason(m)) {
    if (o.single) {
      o.single();
      return;
    }
    if (!offsets.length) {
      m.exports[fn](...args, 0, total);
      return;
    }
    const s = m.alloc(stride);
    try {
      m.exports[fn](...args, 0, total, ...offsets.map((x) => s + x));
    } finally {
      m.free(s);
    }
    return;
  }
  const pool = poolFor(m, n);
  const blocks = Math.min(n * (o.blocksPerThread ?? 1), Math.ceil(total / unit), MAX_BLOCKS);
  const step = Math.ceil(Math.ceil(total / blocks) / unit) * unit;
  if (!offsets.length) {
    pool.run(fn, args, total, step, 0, 0, offsets);
    return;
  }
  const base = m.alloc(stride * pool.slots);
  try {
    pool.run(fn, args, total, step, base, stride, offsets);
  } finally {
    m.free(base);
  }
}
