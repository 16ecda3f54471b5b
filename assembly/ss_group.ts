// Selective Search, step 2b: hierarchical grouping (paper sec. 3.1, Algorithm 1). Starting from the
// segmentation's regions, the most similar pair of neighbours is merged again and again until one
// region is left; every region made on the way is a proposal. Similarity is the sum of the enabled
// terms (sec. 3.2): colour and texture histogram intersection, size 1 - (|a|+|b|)/|im|, and fill
// 1 - (|BB(a∪b)| - |a| - |b|)/|im|. A merged region's histograms are the size-weighted average.
//
// Regions are numbered 0..R-1 (the segmentation), then R, R+1, ... in merge order; the caller turns
// that order into the paper's hierarchy position. The most similar pair comes from a max-heap with
// lazy deletion (entries naming a dead region are skipped); neighbour lists name regions that may
// have been merged since, resolved through the merged-into links (union–find with path halving).
// Ties in similarity go to the pair with the smaller (newer id, older id), so the order is defined.

const COLOR_STRIDE: i32 = 76;
const TEXTURE_STRIDE: i32 = 240;
const SS_USE_COLOR: i32 = 1;
const SS_USE_TEXTURE: i32 = 2;
const SS_USE_SIZE: i32 = 4;
const SS_USE_FILL: i32 = 8;

function heapCap(E: i32): i32 { return 2 * E + 16; }
function poolCap(E: i32): i32 { return 4 * E + 16; }

/** Bytes of work memory ssGroup needs for R starting regions and E neighbour pairs. */
export function ssGroupWorkBytes(R: i32, E: i32): i32 {
  return 5 * (2 * R) * 4 + poolCap(E) * 4 + heapCap(E) * 12 + 64;
}

@inline function ld32(p: usize, i: i32): i32 { return load<i32>(p + (<usize>i << 2)); }
@inline function st32(p: usize, i: i32, v: i32): void { store<i32>(p + (<usize>i << 2), v); }

@inline function intersect(a: usize, b: usize, len: i32): f32 {
  let acc = f32x4.splat(0);
  for (let k = 0; k < len; k += 4) {
    const o = <usize>k << 2;
    acc = f32x4.add(acc, f32x4.min(v128.load(a + o), v128.load(b + o)));
  }
  return (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) +
    (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
}

// a and b are ids of live regions.
function similarity(a: i32, b: i32, flags: i32, sizes: usize, boxes: usize, colour: usize, texture: usize, area: f32): f32 {
  let s: f32 = 0;
  if (flags & SS_USE_COLOR) {
    s += intersect(colour + (<usize>(a * COLOR_STRIDE) << 2), colour + (<usize>(b * COLOR_STRIDE) << 2), COLOR_STRIDE);
  }
  if (flags & SS_USE_TEXTURE) {
    s += intersect(texture + (<usize>(a * TEXTURE_STRIDE) << 2), texture + (<usize>(b * TEXTURE_STRIDE) << 2), TEXTURE_STRIDE);
  }
  const sa = ld32(sizes, a), sb = ld32(sizes, b);
  if (flags & SS_USE_SIZE) s += <f32>1 - <f32>(sa + sb) / area;
  if (flags & SS_USE_FILL) {
    const ba = boxes + (<usize>a << 4), bb = boxes + (<usize>b << 4);
    const x1 = min(load<i32>(ba), load<i32>(bb)), y1 = min(load<i32>(ba, 4), load<i32>(bb, 4));
    const x2 = max(load<i32>(ba, 8), load<i32>(bb, 8)), y2 = max(load<i32>(ba, 12), load<i32>(bb, 12));
    const bbArea = (x2 - x1 + 1) * (y2 - y1 + 1);
    s += <f32>1 - <f32>(bbArea - sa - sb) / area;
  }
  return s;
}

@inline function mergeHist(base: usize, stride: i32, a: i32, b: i32, t: i32, fa: f32, fb: f32): void {
  const pa = base + (<usize>(a * stride) << 2), pb = base + (<usize>(b * stride) << 2);
  const pt = base + (<usize>(t * stride) << 2);
  const va = f32x4.splat(fa), vb = f32x4.splat(fb), inv = f32x4.splat(<f32>1 / (fa + fb));
  for (let k = 0; k < stride; k += 4) {
    const o = <usize>k << 2;
    v128.store(pt + o, f32x4.mul(f32x4.add(f32x4.mul(v128.load(pa + o), va), f32x4.mul(v128.load(pb + o), vb)), inv));
  }
}

// Max-heap of (sim, hi, lo) in three parallel arrays.
@inline function before(hs: usize, hh: usize, hl: usize, i: i32, j: i32): bool {
  const si = load<f32>(hs + (<usize>i << 2)), sj = load<f32>(hs + (<usize>j << 2));
  if (si != sj) return si > sj;
  const a = ld32(hh, i), b = ld32(hh, j);
  if (a != b) return a < b;
  return ld32(hl, i) < ld32(hl, j);
}

@inline function swap(hs: usize, hh: usize, hl: usize, i: i32, j: i32): void {
  const s = load<f32>(hs + (<usize>i << 2));
  store<f32>(hs + (<usize>i << 2), load<f32>(hs + (<usize>j << 2)));
  store<f32>(hs + (<usize>j << 2), s);
  let t = ld32(hh, i); st32(hh, i, ld32(hh, j)); st32(hh, j, t);
  t = ld32(hl, i); st32(hl, i, ld32(hl, j)); st32(hl, j, t);
}

function siftDown(hs: usize, hh: usize, hl: usize, n: i32, i: i32): void {
  while (true) {
    const l = 2 * i + 1;
    if (l >= n) return;
    let c = l;
    if (l + 1 < n && before(hs, hh, hl, l + 1, l)) c = l + 1;
    if (!before(hs, hh, hl, c, i)) return;
    swap(hs, hh, hl, c, i);
    i = c;
  }
}

function siftUp(hs: usize, hh: usize, hl: usize, i: i32): void {
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!before(hs, hh, hl, i, p)) return;
    swap(hs, hh, hl, i, p);
    i = p;
  }
}

@inline function find(parent: usize, x: i32): i32 {
  let p = ld32(parent, x);
  while (p != x) {
    const gp = ld32(parent, p);
    st32(parent, x, gp);
    x = gp;
    p = ld32(parent, x);
  }
  return x;
}

/**
 * Runs the grouping. Inputs: R regions with sizes i32[2R] and boxes i32[2R*4] filled for 0..R-1, the E
 * neighbour pairs (pairLo[e] < pairHi[e]), colour f32[2R*76] and texture f32[2R*240] histograms filled
 * for 0..R-1 (either may be 0 when its flag is off), flags (SS_USE_*), the image area, and `work`
 * (ssGroupWorkBytes(R, E) bytes). Writes sizes, boxes and histograms of the merged regions at R, R+1,
 * ... (rows 0..R-1 are left as they were, so a second strategy can reuse them) and returns the total
 * number of regions T (R - 1 merges for a connected image: T = 2R - 1). When `children` is not 0 it
 * receives the two merged ids of each new region: i32[2(T-R)], (a, b) of region R + j at 2j, 2j+1.
 */
export function ssGroup(R: i32, E: i32, pairLo: usize, pairHi: usize, sizes: usize, boxes: usize,
  colour: usize, texture: usize, flags: i32, area: i32, work: usize, children: usize): i32 {
  const N2 = 2 * R;
  const alive = work;
  const parent = alive + (<usize>N2 << 2);
  const listOff = parent + (<usize>N2 << 2);
  const listLen = listOff + (<usize>N2 << 2);
  const stamp = listLen + (<usize>N2 << 2);
  const pool = stamp + (<usize>N2 << 2);
  const pcap = poolCap(E);
  const hcap = heapCap(E);
  const hs = pool + (<usize>pcap << 2);
  const hh = hs + (<usize>hcap << 2);
  const hl = hh + (<usize>hcap << 2);
  const fArea = <f32>area;

  for (let r = 0; r < N2; r++) {
    st32(alive, r, r < R ? 1 : 0);
    st32(parent, r, r);
    st32(listLen, r, 0);
    st32(stamp, r, -1);
  }
  // neighbour lists, one contiguous run per region, in id order
  for (let e = 0; e < E; e++) {
    const a = ld32(pairLo, e), b = ld32(pairHi, e);
    st32(listLen, a, ld32(listLen, a) + 1);
    st32(listLen, b, ld32(listLen, b) + 1);
  }
  let top = 0;
  for (let r = 0; r < R; r++) { st32(listOff, r, top); top += ld32(listLen, r); st32(listLen, r, 0); }
  for (let e = 0; e < E; e++) {
    const a = ld32(pairLo, e), b = ld32(pairHi, e);
    let la = ld32(listLen, a), lb = ld32(listLen, b);
    st32(pool, ld32(listOff, a) + la, b); st32(listLen, a, la + 1);
    st32(pool, ld32(listOff, b) + lb, a); st32(listLen, b, lb + 1);
  }
  // initial heap
  let hn = 0;
  for (let e = 0; e < E; e++) {
    const a = ld32(pairLo, e), b = ld32(pairHi, e);
    store<f32>(hs + (<usize>hn << 2), similarity(b, a, flags, sizes, boxes, colour, texture, fArea));
    st32(hh, hn, b); st32(hl, hn, a); hn++;
  }
  for (let i = (hn >> 1) - 1; i >= 0; i--) siftDown(hs, hh, hl, hn, i);

  let T = R;
  while (hn > 0) {
    const a = ld32(hh, 0), b = ld32(hl, 0);
    hn--;
    if (hn > 0) {
      store<f32>(hs, load<f32>(hs + (<usize>hn << 2)));
      st32(hh, 0, ld32(hh, hn)); st32(hl, 0, ld32(hl, hn));
      siftDown(hs, hh, hl, hn, 0);
    }
    if (!ld32(alive, a) || !ld32(alive, b)) continue;
    const t = T++;
    // room in the pool for t's list: slide the live lists down (they lie in id order)
    if (top + ld32(listLen, a) + ld32(listLen, b) > pcap) {
      let w = 0;
      for (let r = 0; r < t; r++) {
        if (!ld32(alive, r)) continue;
        const len = ld32(listLen, r), off = ld32(listOff, r);
        if (off != w) memory.copy(pool + (<usize>w << 2), pool + (<usize>off << 2), <usize>len << 2);
        st32(listOff, r, w);
        w += len;
      }
      top = w;
    }
    st32(alive, a, 0); st32(alive, b, 0); st32(alive, t, 1);
    st32(parent, a, t); st32(parent, b, t);
    if (children) { st32(children, 2 * (t - R), a); st32(children, 2 * (t - R) + 1, b); }
    const sa = ld32(sizes, a), sb = ld32(sizes, b);
    st32(sizes, t, sa + sb);
    const ba = boxes + (<usize>a << 4), bb = boxes + (<usize>b << 4), bt = boxes + (<usize>t << 4);
    store<i32>(bt, min(load<i32>(ba), load<i32>(bb)));
    store<i32>(bt, min(load<i32>(ba, 4), load<i32>(bb, 4)), 4);
    store<i32>(bt, max(load<i32>(ba, 8), load<i32>(bb, 8)), 8);
    store<i32>(bt, max(load<i32>(ba, 12), load<i32>(bb, 12)), 12);
    if (flags & SS_USE_COLOR) mergeHist(colour, COLOR_STRIDE, a, b, t, <f32>sa, <f32>sb);
    if (flags & SS_USE_TEXTURE) mergeHist(texture, TEXTURE_STRIDE, a, b, t, <f32>sa, <f32>sb);
    // t's neighbours: the live representatives of a's and b's, once each
    let len = 0;
    st32(listOff, t, top);
    for (let side = 0; side < 2; side++) {
      const src = side == 0 ? a : b;
      const off = ld32(listOff, src), n = ld32(listLen, src);
      for (let j = 0; j < n; j++) {
        const nb = find(parent, ld32(pool, off + j));
        if (nb == t || ld32(stamp, nb) == t) continue;
        st32(stamp, nb, t);
        st32(pool, top + len, nb);
        len++;
      }
    }
    st32(listLen, t, len);
    top += len;
    // room in the heap: drop the entries that name a dead region
    if (hn + len > hcap) {
      let k = 0;
      for (let i = 0; i < hn; i++) {
        if (!ld32(alive, ld32(hh, i)) || !ld32(alive, ld32(hl, i))) continue;
        store<f32>(hs + (<usize>k << 2), load<f32>(hs + (<usize>i << 2)));
        st32(hh, k, ld32(hh, i)); st32(hl, k, ld32(hl, i));
        k++;
      }
      hn = k;
      for (let i = (hn >> 1) - 1; i >= 0; i--) siftDown(hs, hh, hl, hn, i);
    }
    const off = ld32(listOff, t);
    for (let j = 0; j < len; j++) {
      const nb = ld32(pool, off + j);
      store<f32>(hs + (<usize>hn << 2), similarity(t, nb, flags, sizes, boxes, colour, texture, fArea));
      st32(hh, hn, t); st32(hl, hn, nb);
      siftUp(hs, hh, hl, hn);
      hn++;
    }
  }
  return T;
}
