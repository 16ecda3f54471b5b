// Thin calls of the individual Selective Search kernels for the tests: each allocates, runs one step
// and frees, returning plain copies.
import type { WasmModule } from '../../src/backends/wasm/loader.js';

function withBuffers<T>(m: WasmModule, sizes: number[], fn: (...ptrs: number[]) => T): T {
  const ptrs = sizes.map((s) => m.alloc(s));
  try {
    return fn(...ptrs);
  } finally {
    for (const p of ptrs) m.free(p);
  }
}

export function colorSpaceWasm(m: WasmModule, rgb: Uint8Array, space: number): Uint8Array {
  const n = rgb.length / 3;
  return withBuffers(m, [3 * n, 3 * n, 1024], (src, dst, scratch) => {
    m.u8(src, 3 * n).set(rgb);
    m.exports.ssColorSpace(src, dst, n, space, scratch);
    return m.u8(dst, 3 * n).slice();
  });
}

export interface Edges {
  weights: Float32Array;
  ids: Uint32Array;
}

/** Smoothed planes and the unsorted grid edges of an interleaved u8 image. */
export function edgesWasm(m: WasmModule, img: Uint8Array, w: number, h: number, sigma: number): Edges & { smooth: Float32Array } {
  const n = w * h,
    me = 4 * n;
  return withBuffers(m, [3 * n, 12 * n, 4 * n, 256, 4 * me, 4 * me], (src, smooth, tmp, mask, ew, ei) => {
    m.u8(src, 3 * n).set(img);
    m.exports.ssSmooth(src, smooth, tmp, w, h, sigma, mask);
    const count = m.exports.ssBuildEdges(smooth, w, h, ew, ei) as number;
    return {
      smooth: m.f32(smooth, 3 * n).slice(),
      weights: m.f32(ew, count).slice(),
      ids: new Uint32Array(m.i32(ei, count).slice().buffer),
    };
  });
}

export function sortEdgesWasm(m: WasmModule, e: Edges): Edges {
  const k = e.weights.length;
  return withBuffers(m, [4 * k, 4 * k, 4 * k, 4 * k, 8192], (ew, ei, t1, t2, counts) => {
    m.f32(ew, k).set(e.weights);
    m.i32(ei, k).set(new Int32Array(e.ids.buffer, e.ids.byteOffset, k));
    m.exports.ssSortEdges(ew, ei, k, t1, t2, counts);
    return { weights: m.f32(ew, k).slice(), ids: new Uint32Array(m.i32(ei, k).slice().buffer) };
  });
}

/** Segments n = w*h pixels from edges already sorted; returns labels and the region count. */
export function segmentGraphWasm(
  m: WasmModule,
  sorted: Edges,
  w: number,
  h: number,
  k: number,
  minSize: number,
): { labels: Int32Array; R: number } {
  const n = w * h,
    count = sorted.weights.length;
  return withBuffers(m, [4 * count + 4, 4 * count + 4, m.exports.ssSegmentWorkBytes(n), 4 * n], (ew, ei, uf, labels) => {
    m.f32(ew, count).set(sorted.weights);
    m.i32(ei, count).set(new Int32Array(sorted.ids.buffer, sorted.ids.byteOffset, count));
    const R = m.exports.ssSegmentGraph(n, w, ew, ei, count, k, minSize, uf, labels) as number;
    return { labels: m.i32(labels, n).slice(), R };
  });
}

/** (a, b) pixel pair of an edge id. */
export function edgeEnds(id: number, w: number): [number, number] {
  const p = id >>> 2,
    dir = id & 3;
  return [p, dir === 0 ? p + 1 : dir === 1 ? p + w : dir === 2 ? p + w + 1 : p - w + 1];
}

export function regionStatsWasm(m: WasmModule, labels: Int32Array, w: number, h: number, R: number) {
  return withBuffers(m, [4 * w * h, 4 * R, 16 * R], (lp, sp, bp) => {
    m.i32(lp, w * h).set(labels);
    m.exports.ssRegionStats(lp, w, h, R, sp, bp);
    return { sizes: m.i32(sp, R).slice(), boxes: m.i32(bp, 4 * R).slice() };
  });
}

export function adjacencyWasm(m: WasmModule, labels: Int32Array, w: number, h: number, R: number): [number, number][] {
  const n = w * h;
  return withBuffers(m, [4 * n, 16 * n, 16 * n, 16 * n, 4 * (R + 1), 4 * R], (lp, lo, hi, bucket, counts, stamp) => {
    m.i32(lp, n).set(labels);
    const E = m.exports.ssAdjacency(lp, w, h, R, lo, hi, bucket, counts, stamp) as number;
    const a = m.i32(lo, E).slice(),
      b = m.i32(hi, E).slice();
    return Array.from(a, (x, i) => [x, b[i]] as [number, number]);
  });
}

export function colorHistWasm(m: WasmModule, img: Uint8Array, labels: Int32Array, R: number, sizes: Int32Array): Float32Array {
  const n = labels.length;
  return withBuffers(m, [3 * n, 4 * n, 4 * R, 76 * 4 * R], (ip, lp, sp, hp) => {
    m.u8(ip, 3 * n).set(img);
    m.i32(lp, n).set(labels);
    m.i32(sp, R).set(sizes);
    m.exports.ssColorHist(ip, lp, n, R, sp, hp);
    return m.f32(hp, 76 * R).slice();
  });
}

export function textureBinsWasm(m: WasmModule, img: Uint8Array, w: number, h: number): Uint8Array {
  const n = w * h;
  return withBuffers(m, [3 * n, 24 * n, m.exports.ssTextureScratchBytes(n)], (ip, bp, sp) => {
    m.u8(ip, 3 * n).set(img);
    m.exports.ssTextureBins(ip, w, h, bp, sp);
    return m.u8(bp, 24 * n).slice();
  });
}

export function textureHistWasm(m: WasmModule, bins: Uint8Array, labels: Int32Array, R: number, sizes: Int32Array): Float32Array {
  const n = labels.length;
  return withBuffers(m, [24 * n, 4 * n, 4 * R, 240 * 4 * R], (bp, lp, sp, hp) => {
    m.u8(bp, 24 * n).set(bins);
    m.i32(lp, n).set(labels);
    m.i32(sp, R).set(sizes);
    m.exports.ssTextureHist(bp, lp, n, R, sp, hp);
    return m.f32(hp, 240 * R).slice();
  });
}

/** Runs ssGroup; returns the boxes of all regions in creation order (and the children of each merge in `children`). */
export function groupWasm(
  m: WasmModule,
  R: number,
  pairs: [number, number][],
  sizes: Int32Array,
  boxes: Int32Array,
  colour: Float32Array | null,
  texture: Float32Array | null,
  flags: number,
  area: number,
  children?: Int32Array[],
): Int32Array {
  const E = pairs.length;
  return withBuffers(
    m,
    [4 * E + 4, 4 * E + 4, 8 * R, 32 * R, 2 * R * 76 * 4, 2 * R * 240 * 4, m.exports.ssGroupWorkBytes(R, E), 8 * R + 8],
    (lo, hi, sp, bp, cp, tp, work, kids) => {
      m.i32(lo, E).set(pairs.map((p) => p[0]));
      m.i32(hi, E).set(pairs.map((p) => p[1]));
      m.i32(sp, R).set(sizes);
      m.i32(bp, 4 * R).set(boxes);
      if (colour) m.f32(cp, 76 * R).set(colour);
      if (texture) m.f32(tp, 240 * R).set(texture);
      const T = m.exports.ssGroup(
        R,
        E,
        lo,
        hi,
        sp,
        bp,
        colour ? cp : 0,
        texture ? tp : 0,
        flags,
        area,
        work,
        children ? kids : 0,
      ) as number;
      children?.push(m.i32(kids, 2 * (T - R)).slice());
      return m.i32(bp, 4 * T).slice();
    },
  );
}
