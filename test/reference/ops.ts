// Float64 reference loops for the core ops: the oracles of test/ops/*.test.ts.
export function stridesOf(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Index of `shape`-shaped array element read at output multi-index under broadcasting. */
function bcIndex(idx: number[], shape: number[], outRank: number): number {
  const st = stridesOf(shape);
  let off = 0;
  for (let i = 0; i < shape.length; i++) {
    const o = idx[outRank - shape.length + i];
    off += (shape[i] === 1 ? 0 : o) * st[i];
  }
  return off;
}

function bcShape(a: number[], b: number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const da = a[a.length - n + i] ?? 1,
      db = b[b.length - n + i] ?? 1;
    return da === 1 ? db : da;
  });
}

export function binaryRef(f: (x: number, y: number) => number, a: Float64Array, as: number[], b: Float64Array, bs: number[]): Float64Array {
  const os = bcShape(as, bs);
  const ost = stridesOf(os);
  const out = new Float64Array(size(os));
  for (let i = 0; i < out.length; i++) {
    const idx = os.map((_, d) => Math.floor(i / ost[d]) % os[d]);
    out[i] = f(a[bcIndex(idx, as, os.length)], b[bcIndex(idx, bs, os.length)]);
  }
  return out;
}

export function reduceRef(
  x: Float64Array,
  shape: number[],
  axes: number[],
  f: (acc: number, v: number) => number,
  init: number,
): Float64Array {
  const os = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = new Float64Array(size(os)).fill(init);
  const st = stridesOf(shape),
    ost = stridesOf(os);
  for (let i = 0; i < x.length; i++) {
    let o = 0;
    for (let d = 0; d < shape.length; d++) if (!axes.includes(d)) o += (Math.floor(i / st[d]) % shape[d]) * ost[d];
    out[o] = f(out[o], x[i]);
  }
  return out;
}

export function transposeRef(x: Float64Array, shape: number[], perm: number[]): Float64Array {
  const os = perm.map((p) => shape[p]);
  const st = stridesOf(shape),
    ost = stridesOf(os);
  const out = new Float64Array(x.length);
  for (let i = 0; i < out.length; i++) {
    let src = 0;
    for (let d = 0; d < os.length; d++) src += (Math.floor(i / ost[d]) % os[d]) * st[perm[d]];
    out[i] = x[src];
  }
  return out;
}

export function matmulRef(a: Float64Array, as: number[], b: Float64Array, bs: number[], ta = false, tb = false): Float64Array {
  const M = ta ? as[1] : as[0],
    K = ta ? as[0] : as[1],
    N = tb ? bs[0] : bs[1];
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (ta ? a[k * as[1] + i] : a[i * as[1] + k]) * (tb ? b[j * bs[1] + k] : b[k * bs[1] + j]);
      out[i * N + j] = s;
    }
  return out;
}

export function logSoftmaxRef(x: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let c = 0; c < cols; c++) m = Math.max(m, x[r * cols + c]);
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(x[r * cols + c] - m);
    for (let c = 0; c < cols; c++) out[r * cols + c] = x[r * cols + c] - m - Math.log(s);
  }
  return out;
}
