// Selective Search, step 1: Felzenszwalb–Huttenlocher graph segmentation (IJCV 2004), the paper's
// starting regions. Gaussian smoothing, an 8-connected grid graph, an exact stable radix sort of the
// edge weights, then union–find with the k/|C| threshold and the min-size merge pass.
//
// An edge is one u32 id: (pixel << 2) | dir, dir 0: right, 1: down, 2: down-right, 3: up-right, in
// the original code's order, so the pixel pair is recovered from the id and the image width.
import { deinterleave, filterRows, filterCols } from './ss_filter';

/** Gaussian mask length for sigma, as in the original code: ceil(4 sigma) + 1, capped at 64. */
function maskLength(sigma: f32): i32 {
  if (!(sigma > 0)) return 1;
  const len = <i32>Mathf.ceil(sigma * <f32>4) + 1;
  return len > 64 ? 64 : len;
}

/**
 * Smooths each channel of an interleaved u8 image (3 channels) with a Gaussian of `sigma` (taps
 * exp(-x²/2σ²) for |x| < ceil(4σ)+1, normalized to sum 1, as in the original code) and writes float
 * planes dst[c*n + p]. Borders clamp. tmp: f32[w*h]; mask: f32[64] scratch.
 */
export function ssSmooth(src: usize, dst: usize, tmp: usize, w: i32, h: i32, sigma: f32, mask: usize): void {
  const len = maskLength(sigma);
  let sum: f32 = 0;
  for (let i = 0; i < len; i++) {
    const x = <f32>i / (sigma > 0 ? sigma : <f32>1);
    const v = Mathf.exp(<f32>-0.5 * x * x);
    store<f32>(mask + (<usize>i << 2), v);
    sum += i == 0 ? v : v * <f32>2;
  }
  for (let i = 0; i < len; i++) store<f32>(mask + (<usize>i << 2), load<f32>(mask + (<usize>i << 2)) / sum);
  const n = w * h;
  for (let c = 0; c < 3; c++) {
    const plane = dst + (<usize>(c * n) << 2);
    deinterleave(src, c, plane, n);
    filterRows(plane, tmp, w, h, mask, len, false);
    filterCols(tmp, plane, w, h, mask, len, false);
  }
}

@inline function dist(img: usize, n: i32, p: i32, q: i32): f32 {
  const stride = <usize>n << 2;
  const a = img + (<usize>p << 2), b = img + (<usize>q << 2);
  const d0 = load<f32>(a) - load<f32>(b);
  const d1 = load<f32>(a + stride) - load<f32>(b + stride);
  const d2 = load<f32>(a + 2 * stride) - load<f32>(b + 2 * stride);
  return Mathf.sqrt(d0 * d0 + d1 * d1 + d2 * d2);
}

/** Upper bound on the edge count of a w×h grid (4 per pixel). */
export function ssMaxEdges(w: i32, h: i32): i32 { return 4 * w * h; }

/**
 * Builds the 8-connected grid graph of a planar f32 image (3 planes): weights f32[m], ids u32[m]
 * with the Euclidean distance of the two pixels. Returns m.
 */
export function ssBuildEdges(img: usize, w: i32, h: i32, weights: usize, ids: usize): i32 {
  const n = w * h;
  let m = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (x < w - 1) {
        store<f32>(weights + (<usize>m << 2), dist(img, n, p, p + 1));
        store<u32>(ids + (<usize>m << 2), <u32>(p << 2)); m++;
      }
      if (y < h - 1) {
        store<f32>(weights + (<usize>m << 2), dist(img, n, p, p + w));
        store<u32>(ids + (<usize>m << 2), <u32>((p << 2) | 1)); m++;
      }
      if (x < w - 1 && y < h - 1) {
        store<f32>(weights + (<usize>m << 2), dist(img, n, p, p + w + 1));
        store<u32>(ids + (<usize>m << 2), <u32>((p << 2) | 2)); m++;
      }
      if (x < w - 1 && y > 0) {
        store<f32>(weights + (<usize>m << 2), dist(img, n, p, p - w + 1));
        store<u32>(ids + (<usize>m << 2), <u32>((p << 2) | 3)); m++;
      }
    }
  }
  return m;
}

/**
 * Stable ascending sort of (weight, id) pairs by weight: LSD radix sort on the f32 bit patterns
 * (weights are >= 0, so their bits order like the values), 3 passes of 11 bits, a pass skipped when
 * every key shares its digit. Ties keep their input order. tmpW, tmpI: u32[m]; counts: i32[2048].
 */
export function ssSortEdges(weights: usize, ids: usize, m: i32, tmpW: usize, tmpI: usize, counts: usize): void {
  let srcW = weights, srcI = ids, dstW = tmpW, dstI = tmpI;
  for (let shift: u32 = 0; shift < 32; shift += 11) {
    memory.fill(counts, 0, 2048 << 2);
    for (let i = 0; i < m; i++) {
      const d = (load<u32>(srcW + (<usize>i << 2)) >>> shift) & 2047;
      const c = counts + (<usize>d << 2);
      store<i32>(c, load<i32>(c) + 1);
    }
    // skip a pass whose digit is the same for all keys
    if (m > 0) {
      const d0 = (load<u32>(srcW) >>> shift) & 2047;
      if (load<i32>(counts + (<usize>d0 << 2)) == m) continue;
    }
    let run = 0;
    for (let d = 0; d < 2048; d++) {
      const c = counts + (<usize>d << 2);
      const k = load<i32>(c);
      store<i32>(c, run);
      run += k;
    }
    for (let i = 0; i < m; i++) {
      const key = load<u32>(srcW + (<usize>i << 2));
      const c = counts + (<usize>((key >>> shift) & 2047) << 2);
      const pos = load<i32>(c);
      store<i32>(c, pos + 1);
      store<u32>(dstW + (<usize>pos << 2), key);
      store<u32>(dstI + (<usize>pos << 2), load<u32>(srcI + (<usize>i << 2)));
    }
    const tw = srcW; srcW = dstW; dstW = tw;
    const ti = srcI; srcI = dstI; dstI = ti;
  }
  if (srcW != weights) {
    memory.copy(weights, srcW, <usize>m << 2);
    memory.copy(ids, srcI, <usize>m << 2);
  }
}

// Union–find in three dense arrays inside one `uf` block: parent i32[n], size i32[n], thresh f64[n]. The
// edge order is random in the image, so these loads mostly miss the cache; a dense parent array keeps
// the path walks on fewer lines (measured faster than 16-byte per-pixel records).
@inline function find(parent: usize, x: i32): i32 {
  // path halving
  let p = load<i32>(parent + (<usize>x << 2));
  while (p != x) {
    const gp = load<i32>(parent + (<usize>p << 2));
    store<i32>(parent + (<usize>x << 2), gp);
    x = gp;
    p = load<i32>(parent + (<usize>x << 2));
  }
  return x;
}

// Union by size (the partition does not depend on which root survives); returns the new root.
@inline function join(parent: usize, size: usize, a: i32, b: i32): i32 {
  const sa = load<i32>(size + (<usize>a << 2)), sb = load<i32>(size + (<usize>b << 2));
  if (sb > sa) { const t = a; a = b; b = t; }
  store<i32>(parent + (<usize>b << 2), a);
  store<i32>(size + (<usize>a << 2), sa + sb);
  return a;
}

@inline function otherEnd(id: u32, w: i32): i32 {
  const p = <i32>(id >>> 2);
  const dir = id & 3;
  return dir == 0 ? p + 1 : dir == 1 ? p + w : dir == 2 ? p + w + 1 : p - w + 1;
}

/** Bytes of union–find memory ssSegmentGraph needs for n pixels. */
export function ssSegmentWorkBytes(n: i32): i32 { return n << 4; }

/**
 * Segments the graph whose edges are sorted ascending (ssSortEdges): two components merge when the
 * edge weight is <= Int(C) + k/|C| on both sides (thresholds in f64), then any component smaller than
 * minSize is merged along the remaining edges in weight order. Writes labels i32[n] numbered 0..R-1 in
 * raster order of first appearance and returns R. uf: ssSegmentWorkBytes(n) bytes.
 */
export function ssSegmentGraph(n: i32, w: i32, weights: usize, ids: usize, m: i32, k: f64, minSize: i32,
  uf: usize, labels: usize): i32 {
  const parent = uf, size = uf + (<usize>n << 2), thresh = uf + (<usize>n << 3);
  for (let i = 0; i < n; i++) {
    store<i32>(parent + (<usize>i << 2), i);
    store<i32>(size + (<usize>i << 2), 1);
    store<f64>(thresh + (<usize>i << 3), k);
  }
  for (let e = 0; e < m; e++) {
    const id = load<u32>(ids + (<usize>e << 2));
    const a = find(parent, <i32>(id >>> 2));
    const b = find(parent, otherEnd(id, w));
    if (a == b) continue;
    const wt = <f64>load<f32>(weights + (<usize>e << 2));
    if (wt <= load<f64>(thresh + (<usize>a << 3)) && wt <= load<f64>(thresh + (<usize>b << 3))) {
      const r = join(parent, size, a, b);
      store<f64>(thresh + (<usize>r << 3), wt + k / <f64>load<i32>(size + (<usize>r << 2)));
    }
  }
  if (minSize > 1) {
    // A component only grows, so an edge between two pixels whose components are already big enough
    // can never take part: mark the pixels of small components (a byte each, in labels) and skip the rest.
    const small = labels;
    let any = false;
    for (let i = 0; i < n; i++) {
      const s = load<i32>(size + (<usize>find(parent, i) << 2)) < minSize;
      store<u8>(small + <usize>i, <u8>s);
      any = any || s;
    }
    if (any) {
      for (let e = 0; e < m; e++) {
        const id = load<u32>(ids + (<usize>e << 2));
        const p = <i32>(id >>> 2), q = otherEnd(id, w);
        if (!load<u8>(small + <usize>p) && !load<u8>(small + <usize>q)) continue;
        const a = find(parent, p), b = find(parent, q);
        if (a != b && (load<i32>(size + (<usize>a << 2)) < minSize || load<i32>(size + (<usize>b << 2)) < minSize)) {
          join(parent, size, a, b);
        }
      }
    }
  }
  // size is free now: reuse it as root -> label
  for (let i = 0; i < n; i++) store<i32>(size + (<usize>i << 2), -1);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const r = find(parent, i);
    let l = load<i32>(size + (<usize>r << 2));
    if (l < 0) { l = count++; store<i32>(size + (<usize>r << 2), l); }
    store<i32>(labels + (<usize>i << 2), l);
  }
  return count;
}
