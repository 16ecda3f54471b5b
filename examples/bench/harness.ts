// A small benchmark harness: warm-up, median of timed runs, GFLOP/s, and a side-by-side table with
// TensorFlow.js. Shared by every bench script (kernels, ops, detection), so rows from different
// layers print the same way.
//
// Warm-up is by time as well as count: V8 compiles WASM lazily (Liftoff first, TurboFan in the
// background) and cannot swap a running call to optimized code, so the first long calls can be
// several times slower than the steady state.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TimingOptions {
  /** Warm-up: at least `warmupRuns` calls (default 3) and `warmupMs` (default 300 ms). */
  warmupMs?: number;
  warmupRuns?: number;
  /** Timed calls: at least `runs` (default 7) and `minMs` in total (default 500 ms), at most `maxRuns` (default 50). */
  runs?: number;
  minMs?: number;
  maxRuns?: number;
  /**
   * Budget for very slow calls (default 5000 ms): warm-up and timing each stop once they have
   * spent it, after at least one call (so a 10-second reference call is timed once, not 16 times).
   */
  maxMs?: number;
  /**
   * 'wall' (default) or 'cpu': this process's user+system CPU time, which leaves out the time the
   * OS gave to other processes. Use 'cpu' for single-threaded work on a machine shared with other
   * jobs; it is meaningless for work that runs on other threads or on a GPU. Falls back to wall time
   * where process.cpuUsage is missing (browsers).
   */
  clock?: 'wall' | 'cpu';
}

export interface Timing {
  /** Milliseconds per call: median and best of the timed runs. */
  median: number;
  min: number;
  runs: number[];
}

const now = () => performance.now();
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const hasCpuClock = typeof process !== 'undefined' && typeof process.cpuUsage === 'function';
const clockOf = (o: TimingOptions) => (o.clock === 'cpu' && hasCpuClock ? cpuNow : now);

function summarize(runs: number[]): Timing {
  const s = runs.slice().sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], runs };
}

function defaults(o: TimingOptions): Required<TimingOptions> {
  return {
    warmupMs: o.warmupMs ?? 300,
    warmupRuns: o.warmupRuns ?? 3,
    runs: o.runs ?? 7,
    minMs: o.minMs ?? 500,
    maxRuns: o.maxRuns ?? 50,
    maxMs: o.maxMs ?? 5000,
    clock: o.clock ?? 'wall',
  };
}

// Keep warming up? (i calls done, `spent` ms so far)
const warming = (o: Required<TimingOptions>, i: number, spent: number) =>
  i === 0 || (spent < o.maxMs && (i < o.warmupRuns || spent < o.warmupMs));
// Keep timing?
const timing = (o: Required<TimingOptions>, n: number, spent: number) =>
  n === 0 || (n < o.maxRuns && spent < o.maxMs && (n < o.runs || spent < o.minMs));

/** Times a synchronous function (one call = one measured unit). */
export function timeSync(fn: () => void, opts: TimingOptions = {}): Timing {
  const o = defaults(opts),
    clock = clockOf(o);
  const w0 = now();
  for (let i = 0; warming(o, i, now() - w0); i++) fn();
  const runs: number[] = [];
  const t0 = now();
  while (timing(o, runs.length, now() - t0)) {
    const t = clock();
    fn();
    runs.push(clock() - t);
  }
  return summarize(runs);
}

/** Times an async function (awaited per call: include the readback that makes GPU work finish). */
export async function timeAsync(fn: () => Promise<unknown> | unknown, opts: TimingOptions = {}): Promise<Timing> {
  const o = defaults(opts),
    clock = clockOf(o);
  const w0 = now();
  for (let i = 0; warming(o, i, now() - w0); i++) await fn();
  const runs: number[] = [];
  const t0 = now();
  while (timing(o, runs.length, now() - t0)) {
    const t = clock();
    await fn();
    runs.push(clock() - t);
  }
  return summarize(runs);
}

/**
 * Times several synchronous functions with their calls taking turns (a, b, c, a, b, c, ...), so all
 * see the same background load: the fair way to compare ours with a reference, or a backward pass
 * with its forward, on a shared machine. The run-count rules of TimingOptions apply to the rounds;
 * when a very slow member ends the rounds early, the fast ones are topped up to `runs` calls alone.
 */
export function timeGroup(fns: (() => void)[], opts: TimingOptions = {}): Timing[] {
  const o = defaults(opts),
    clock = clockOf(o);
  const w0 = now();
  for (let i = 0; warming(o, i, now() - w0); i++) for (const f of fns) f();
  const runs: number[][] = fns.map(() => []);
  const t0 = now();
  while (timing(o, runs[0].length, now() - t0)) {
    fns.forEach((f, i) => {
      const t = clock();
      f();
      runs[i].push(clock() - t);
    });
  }
  fns.forEach((f, i) => {
    while (runs[i].length < o.runs && summarize(runs[i]).median * o.runs < o.maxMs) {
      const t = clock();
      f();
      runs[i].push(clock() - t);
    }
  });
  return runs.map(summarize);
}

/** timeGroup of two: [ours, theirs]. */
export function timePair(a: () => void, b: () => void, opts: TimingOptions = {}): [Timing, Timing] {
  const [ta, tb] = timeGroup([a, b], opts);
  return [ta, tb];
}

/** GFLOP/s of `flops` floating-point operations done in `ms` milliseconds. */
export function gflops(flops: number, ms: number): number {
  return flops / ms / 1e6;
}

export interface BenchRow {
  name: string;
  /** Floating-point operations per call (2 per multiply-add); omit for rows timed in ms only. */
  flops?: number;
  ours: Timing | null;
  /** The reference implementation (TF.js); null prints "n/a". */
  theirs?: Timing | null;
  /** Free text for the last column (e.g. why a reference is missing, or a relation to another row). */
  note?: string;
}

/** Which statistic of a Timing the table shows: the median (default), or the best run (on a busy machine). */
export type Stat = 'median' | 'min';

/** Rows printed as an aligned text table: ours, theirs, and the speed ratio (their time / ours). */
export class BenchTable {
  readonly rows: BenchRow[] = [];
  constructor(
    readonly title: string,
    readonly oursLabel = 'ours',
    readonly theirsLabel = 'TF.js wasm',
    readonly stat: Stat = 'median',
  ) {}

  private ms(t: Timing | null | undefined): number | null {
    return t ? t[this.stat] : null;
  }

  add(row: BenchRow): BenchRow {
    this.rows.push(row);
    return row;
  }

  /** Their time over ours (> 1: we are faster); null when either side is missing. */
  ratio(row: BenchRow): number | null {
    const a = this.ms(row.ours),
      b = this.ms(row.theirs);
    return a !== null && b !== null ? b / a : null;
  }

  format(): string {
    const fmtMs = (t: Timing | null | undefined) => {
      const v = this.ms(t);
      return v === null ? 'n/a' : v.toFixed(v < 10 ? 2 : 1);
    };
    const fmtG = (flops: number | undefined, t: Timing | null | undefined) => {
      const v = this.ms(t);
      return v === null ? 'n/a' : flops ? gflops(flops, v).toFixed(1) : '-';
    };
    const head = ['', `${this.oursLabel} ms`, 'GFLOP/s', `${this.theirsLabel} ms`, 'GFLOP/s', 'ratio', 'note'];
    const body = this.rows.map((r) => {
      const ratio = this.ratio(r);
      return [
        r.name,
        fmtMs(r.ours),
        fmtG(r.flops, r.ours),
        fmtMs(r.theirs),
        fmtG(r.flops, r.theirs),
        ratio === null ? 'n/a' : `${ratio.toFixed(2)}x`,
        r.note ?? '',
      ];
    });
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const line = (cells: string[]) =>
      cells
        .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
        .join('  ')
        .trimEnd();
    return [this.title, line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
  }

  print(): void {
    console.log(this.format() + '\n');
  }

  /** Plain data for JSON reports (median and best ms, GFLOP/s, ratio). */
  toJSON(): object[] {
    return this.rows.map((r) => ({
      name: r.name,
      flops: r.flops ?? null,
      ours: r.ours && { medianMs: r.ours.median, minMs: r.ours.min, gflops: r.flops ? gflops(r.flops, r.ours.median) : null },
      theirs: r.theirs
        ? { medianMs: r.theirs.median, minMs: r.theirs.min, gflops: r.flops ? gflops(r.flops, r.theirs.median) : null }
        : null,
      ratio: this.ratio(r),
      note: r.note ?? null,
    }));
  }
}

/** The repository root (examples/bench/../..). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * TensorFlow.js 4.22 with its WASM backend (SIMD build, one thread in Node), or null when the
 * packages are missing or the backend fails to start.
 */
export async function loadTfjsWasm(): Promise<typeof import('@tensorflow/tfjs-core') | null> {
  try {
    const tf = await import('@tensorflow/tfjs-core');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // a directory path with the trailing slash (not a URL) is what works in Node
    wasm.setWasmPaths(join(repoRoot, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/'));
    if (!(await tf.setBackend('wasm'))) return null;
    await tf.ready();
    return tf;
  } catch (e) {
    console.warn(`TF.js wasm backend unavailable: ${(e as Error).message}`);
    return null;
  }
}

/** Reads `--name value` (or `--name` alone as "true") from the command line. */
export function cliArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  return v === undefined || v.startsWith('--') ? 'true' : v;
}
