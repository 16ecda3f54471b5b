// A straightforward Felzenszwalb–Huttenlocher segmentation (IJCV 2004, the authors' segment-image.h
// read as pseudo-code) used as the oracle for assembly/ss_segment.ts: float64 smoothing and edge
// weights, Array.prototype.sort (stable) by weight, union–find with union by rank, thresholds
// Int(C) + k/|C| in float64, then the min-size pass.

export interface EdgeList {
  a: Int32Array;
  b: Int32Array;
  w: Float64Array;
}

/** Gaussian smoothing of each channel of an interleaved 3-channel u8 image, float64 planes. */
export function smoothRef(img: Uint8Array, w: number, h: number, sigma: number): Float64Array[] {
  const len = sigma > 0 ? Math.min(64, Math.ceil(sigma * 4) + 1) : 1;
  const mask: number[] = [];
  for (let i = 0; i < len; i++) mask.push(Math.exp(-0.5 * (sigma > 0 ? i / sigma : i) ** 2));
  const sum = 2 * mask.reduce((s, v) => s + v, 0) - mask[0];
  for (let i = 0; i < len; i++) mask[i] /= sum;
  const planes: Float64Array[] = [];
  for (let c = 0; c < 3; c++) {
    const tmp = new Float64Array(w * h),
      out = new Float64Array(w * h);
    const at = (x: number, y: number) => img[(y * w + x) * 3 + c];
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        let s = mask[0] * at(x, y);
        for (let i = 1; i < len; i++) s += mask[i] * (at(Math.max(x - i, 0), y) + at(Math.min(x + i, w - 1), y));
        tmp[y * w + x] = s;
      }
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        let s = mask[0] * tmp[y * w + x];
        for (let i = 1; i < len; i++) s += mask[i] * (tmp[Math.max(y - i, 0) * w + x] + tmp[Math.min(y + i, h - 1) * w + x]);
        out[y * w + x] = s;
      }
    planes.push(out);
  }
  return planes;
}

/** The 8-connected grid graph in the original order: right, down, down-right, up-right per pixel. */
export function edgesRef(planes: ArrayLike<number>[], w: number, h: number): EdgeList {
  const a: number[] = [],
    b: number[] = [],
    wt: number[] = [];
  const diff = (p: number, q: number) => Math.sqrt(planes.reduce((s, pl) => s + (pl[p] - pl[q]) ** 2, 0));
  const add = (p: number, q: number) => {
    a.push(p);
    b.push(q);
    wt.push(diff(p, q));
  };
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (x < w - 1) add(p, p + 1);
      if (y < h - 1) add(p, p + w);
      if (x < w - 1 && y < h - 1) add(p, p + w + 1);
      if (x < w - 1 && y > 0) add(p, p - w + 1);
    }
  return { a: Int32Array.from(a), b: Int32Array.from(b), w: Float64Array.from(wt) };
}

/** Stable ascending order of the edges by weight. */
export function sortedOrder(edges: EdgeList): number[] {
  return Array.from(edges.w, (_, i) => i).sort((i, j) => edges.w[i] - edges.w[j]);
}

/** Segments n vertices; returns labels numbered in raster order of first appearance. */
export function segmentRef(n: number, edges: EdgeList, k: number, minSize: number): Int32Array {
  const order = sortedOrder(edges);
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const rank = new Int32Array(n),
    size = new Int32Array(n).fill(1);
  const thresh = new Float64Array(n).fill(k);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  const join = (x: number, y: number): number => {
    if (rank[x] > rank[y]) {
      parent[y] = x;
      size[x] += size[y];
      return x;
    }
    parent[x] = y;
    size[y] += size[x];
    if (rank[x] === rank[y]) rank[y]++;
    return y;
  };
  for (const e of order) {
    const a = find(edges.a[e]),
      b = find(edges.b[e]);
    if (a === b) continue;
    const w = edges.w[e];
    if (w <= thresh[a] && w <= thresh[b]) {
      const r = join(a, b);
      thresh[r] = w + k / size[r];
    }
  }
  for (const e of order) {
    const a = find(edges.a[e]),
      b = find(edges.b[e]);
    if (a !== b && (size[a] < minSize || size[b] < minSize)) join(a, b);
  }
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = find(i);
  return canonicalLabels(labels);
}

/** Renumbers labels 0, 1, ... in order of first appearance (so two partitions compare with ===). */
export function canonicalLabels(labels: ArrayLike<number>): Int32Array {
  const map = new Map<number, number>();
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    let l = map.get(labels[i]);
    if (l === undefined) {
      l = map.size;
      map.set(labels[i], l);
    }
    out[i] = l;
  }
  return out;
}
