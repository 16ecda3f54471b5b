// Greedy non-maximum suppression, plain and per class ("batched"), in O(n) memory.
//
// 1. Sort once: a stable LSD radix sort of u64 keys (descending-score bits << 32 | index), so equal
//    scores keep the lower index first.
// 2. Greedy pass: each candidate, in score order, is compared with the boxes kept so far (of its
//    class) and kept unless one of them overlaps it enough. The kept boxes live in a
//    structure-of-arrays copy, and a float32 SIMD pass over them decides 4 pairs at a time; only
//    pairs whose IoU is within 1e-4 (relative) of the threshold, or degenerate (union <= 0, NaN), go
//    to the exact scalar test, which uses the reference formula in the requested precision. So
//    the result is exactly the reference's, at SIMD speed.
//
// 3. Pruning (threshold t > 0): IoU <= IoU along x alone (oh·(wa + wb) <= wa·ha + wb·hb), so a
//    kept box can only suppress a candidate of width w if their centres are within
//    w·(1 - t)/(2t) in x. A cx-sorted copy of the kept boxes (free slots hold a far-away sentinel)
//    lets a candidate scan just that window, or the kept list when that is shorter. Boxes with a
//    non-positive width or height (after the +1) have zero intersection with everything, so for
//    t > 0 they are always kept and never suppress; boxes with huge areas (>= 1e30) disable
//    pruning for the pass.
//
// mode bits: NMS_PLUS1 (areas w = x2 - x1 + 1, VOC / original Fast R-CNN), NMS_GE (suppress when
// IoU >= threshold, the original rule; else IoU > threshold, torchvision), NMS_F32 (compute the
// exact test in float32 like torchvision on float32 tensors; else float64).
// An IoU that is NaN (0/0 for zero-area boxes) never suppresses.

const NMS_PLUS1: i32 = 1;
const NMS_GE: i32 = 2;
const NMS_F32: i32 = 4;
const FAR: f32 = 3.0e38; // sentinel box coordinate: never overlaps anything

// Scratch layout (byte offsets from `scratch`), all 64-byte aligned.
@inline function al(x: usize): usize { return (x + 63) & ~(<usize>63); }
@inline function offTmp(n: i32): usize { return al(<usize>n << 3); }
@inline function offSoa(n: i32): usize { return offTmp(n) + al(<usize>n << 3); }
@inline function soaLen(n: i32): usize { return al((<usize>n + 4) << 2); } // one SoA column, padded
@inline function offKeptIdx(n: i32): usize { return offSoa(n) + 5 * soaLen(n); }
@inline function offFlags(n: i32): usize { return offKeptIdx(n) + al(<usize>n << 2); }
@inline function offClassOrder(n: i32): usize { return offFlags(n) + al(<usize>n); }
@inline function offCxKeys(n: i32): usize { return offClassOrder(n) + al(<usize>n << 2); }
@inline function offCxTmp(n: i32): usize { return offCxKeys(n) + al(<usize>n << 3); }
@inline function offCxPos(n: i32): usize { return offCxTmp(n) + al(<usize>n << 3); }
@inline function offCxVal(n: i32): usize { return offCxPos(n) + al(<usize>n << 2); }
@inline function offCxSoa(n: i32): usize { return offCxVal(n) + al(<usize>n << 2); }
@inline function offHist(n: i32): usize { return offCxSoa(n) + 5 * soaLen(n); } // 256 i32
@inline function offCounts(n: i32): usize { return offHist(n) + 1024; }

/** Bytes of scratch nmsRun needs for n boxes and numClasses classes (1 for plain NMS). */
export function nmsScratchBytes(n: i32, numClasses: i32): usize {
  return offCounts(n) + al(<usize>max(numClasses + 1, 1) << 2);
}

// Scratch pointers of the current call (set by nmsRun).
let cxKeys: usize = 0, cxTmp: usize = 0, cxPos: usize = 0, cxVal: usize = 0, histBuf: usize = 0;
let cxX1: usize = 0, cxY1: usize = 0, cxX2: usize = 0, cxY2: usize = 0, cxA: usize = 0;

// Order-preserving map of a float32 score to u32 (ascending); -0 is folded onto +0.
@inline function orderedBits(s: f32): u32 {
  const b = reinterpret<u32>(s + <f32>0.0);
  return (b & 0x80000000) ? ~b : (b | 0x80000000);
}

// Stable LSD radix sort of n u64 keys on bits 32..63 (8 bits per pass); `tmp` is n u64.
// Passes whose byte is the same for all keys are skipped. Returns the buffer holding the result.
function radixSortHigh(keys: usize, tmp: usize, n: i32, hist: usize): usize {
  let src = keys, dst = tmp;
  for (let pass = 0; pass < 4; pass++) {
    const shift = <u64>(32 + pass * 8);
    memory.fill(hist, 0, 256 << 2);
    for (let i = 0; i < n; i++) {
      const d = <usize>((load<u64>(src + (<usize>i << 3)) >> shift) & 0xff);
      store<i32>(hist + (d << 2), load<i32>(hist + (d << 2)) + 1);
    }
    let skip = false;
    for (let d = 0; d < 256; d++) {
      const c = load<i32>(hist + (<usize>d << 2));
      if (c == n) { skip = true; break; }
      if (c != 0) break;
    }
    if (skip) continue;
    let run = 0;
    for (let d = 0; d < 256; d++) {
      const c = load<i32>(hist + (<usize>d << 2));
      store<i32>(hist + (<usize>d << 2), run);
      run += c;
    }
    for (let i = 0; i < n; i++) {
      const k = load<u64>(src + (<usize>i << 3));
      const h = hist + (<usize>((k >> shift) & 0xff) << 2);
      const pos = load<i32>(h);
      store<i32>(h, pos + 1);
      store<u64>(dst + (<usize>pos << 3), k);
    }
    const t = src; src = dst; dst = t;
  }
  return src;
}

// Exact IoU test of boxes a and b (indices into the input) with the reference formula.
function exactSuppresses(boxes: usize, a: i32, b: i32, thr: f64, mode: i32): bool {
  const pa = boxes + (<usize>a << 4), pb = boxes + (<usize>b << 4);
  let iou: f64;
  if (mode & NMS_F32) {
    const off: f32 = (mode & NMS_PLUS1) ? 1 : 0;
    const ax1 = load<f32>(pa), ay1 = load<f32>(pa, 4), ax2 = load<f32>(pa, 8), ay2 = load<f32>(pa, 12);
    const bx1 = load<f32>(pb), by1 = load<f32>(pb, 4), bx2 = load<f32>(pb, 8), by2 = load<f32>(pb, 12);
    const areaA = (ax2 - ax1 + off) * (ay2 - ay1 + off), areaB = (bx2 - bx1 + off) * (by2 - by1 + off);
    const w = max<f32>(0, min(ax2, bx2) - max(ax1, bx1) + off);
    const h = max<f32>(0, min(ay2, by2) - max(ay1, by1) + off);
    const inter = w * h;
    iou = <f64>(inter / (areaA + areaB - inter));
  } else {
    const off: f64 = (mode & NMS_PLUS1) ? 1 : 0;
    const ax1 = <f64>load<f32>(pa), ay1 = <f64>load<f32>(pa, 4), ax2 = <f64>load<f32>(pa, 8), ay2 = <f64>load<f32>(pa, 12);
    const bx1 = <f64>load<f32>(pb), by1 = <f64>load<f32>(pb, 4), bx2 = <f64>load<f32>(pb, 8), by2 = <f64>load<f32>(pb, 12);
    const areaA = (ax2 - ax1 + off) * (ay2 - ay1 + off), areaB = (bx2 - bx1 + off) * (by2 - by1 + off);
    const w = max<f64>(0, min(ax2, bx2) - max(ax1, bx1) + off);
    const h = max<f64>(0, min(ay2, by2) - max(ay1, by1) + off);
    const inter = w * h;
    iou = inter / (areaA + areaB - inter);
  }
  return (mode & NMS_GE) ? iou >= thr : iou > thr;
}

// Kept-box SoA columns: x1, y1, x2, y2, area (area NaN marks a box whose area is not positive,
// which sends every pair with it to the exact test).
let soaX1: usize = 0, soaY1: usize = 0, soaX2: usize = 0, soaY2: usize = 0, soaA: usize = 0;

@inline function putSoa(k: i32, x1: f32, y1: f32, x2: f32, y2: f32, a: f32): void {
  const o = <usize>k << 2;
  store<f32>(soaX1 + o, x1); store<f32>(soaY1 + o, y1);
  store<f32>(soaX2 + o, x2); store<f32>(soaY2 + o, y2);
  store<f32>(soaA + o, a);
}

@inline function putCx(k: i32, x1: f32, y1: f32, x2: f32, y2: f32, a: f32): void {
  const o = <usize>k << 2;
  store<f32>(cxX1 + o, x1); store<f32>(cxY1 + o, y1);
  store<f32>(cxX2 + o, x2); store<f32>(cxY2 + o, y2);
  store<f32>(cxA + o, a);
}

// SIMD scan of SoA columns (x1, y1, x2, y2, area) over slots [from, to) against one candidate;
// slots whose pair is not surely below the threshold go to the exact test. `ids` maps a slot to
// the box index (kept list) or is 0 when slots are cx ranks (then cxIdx gives the box).
@inline function scan(x1c: usize, y1c: usize, x2c: usize, y2c: usize, ac: usize, from: i32, to: i32,
  cx1: v128, cy1: v128, cx2: v128, cy2: v128, ca: v128, lo: v128, vOff: v128,
  boxes: usize, idx: i32, thr: f64, mode: i32, slotBox: usize): bool {
  const zero = f32x4.splat(0);
  for (let j = from; j < to; j += 4) {
    const o = <usize>j << 2;
    const w = f32x4.max(zero, f32x4.add(f32x4.sub(f32x4.min(cx2, v128.load(x2c + o)), f32x4.max(cx1, v128.load(x1c + o))), vOff));
    const h = f32x4.max(zero, f32x4.add(f32x4.sub(f32x4.min(cy2, v128.load(y2c + o)), f32x4.max(cy1, v128.load(y1c + o))), vOff));
    const inter = f32x4.mul(w, h);
    const union = f32x4.sub(f32x4.add(ca, v128.load(ac + o)), inter);
    // "surely below the threshold": inter < lo·union with union > 0 (false for NaN areas).
    const below = v128.and(f32x4.lt(inter, f32x4.mul(lo, union)), f32x4.gt(union, zero));
    if (!v128.all_true<i32>(below)) {
      let bits = i32x4.bitmask(below) ^ 0xf;
      while (bits) {
        const l = ctz(bits);
        bits &= bits - 1;
        if (j + l < to && exactSuppresses(boxes, idx, load<i32>(slotBox + (<usize>(j + l) << 2)), thr, mode)) return true;
      }
    }
  }
  return false;
}

@inline function putSentinels(k: i32): void {
  for (let j = k; j < k + 4; j++) putSoa(j, FAR, FAR, FAR, FAR, 1);
}

// Greedy pass over the candidates rank[0..m) (each a u64 key whose low 32 bits are the box index),
// against boxes kept earlier in the same pass. Sets flags[rank position] = 1 for kept ones.
// Returns the number kept (stops at maxOut).
function greedy(boxes: usize, keys: usize, order: usize, m: i32, thr: f64, mode: i32, maxOut: i32,
  keptIdx: usize, flags: usize): i32 {
  const off: f32 = (mode & NMS_PLUS1) ? 1 : 0;
  const lo = f32x4.splat(<f32>(thr * (1.0 - 1e-4)));
  const vOff = f32x4.splat(off);
  // Pruning needs t > 0 and no huge boxes.
  let prune = thr > 0;
  for (let q = 0; q < m && prune; q++) {
    const p = boxes + (<usize>candidate(keys, order, q) << 4);
    const area = (load<f32>(p, 8) - load<f32>(p) + off) * (load<f32>(p, 12) - load<f32>(p, 4) + off);
    if (area >= <f32>1e30) prune = false;
  }
  // Half-width of the cx window per unit of candidate width, with a margin for rounding.
  const reach: f32 = prune ? <f32>((1.0 - thr) / (2.0 * thr) * 1.001) : 0;
  if (prune) buildCxIndex(boxes, keys, order, m);
  let k = 0;
  putSentinels(0);
  for (let q = 0; q < m && k < maxOut; q++) {
    const pos = order ? load<i32>(order + (<usize>q << 2)) : q;
    const idx = <i32>(load<u64>(keys + (<usize>pos << 3)) & 0xffffffff);
    const p = boxes + (<usize>idx << 4);
    const x1 = load<f32>(p), y1 = load<f32>(p, 4), x2 = load<f32>(p, 8), y2 = load<f32>(p, 12);
    const bw = x2 - x1 + off, bh = y2 - y1 + off;
    let area = bw * bh;
    const normal = bw > 0 && bh > 0 && area < <f32>1e30;
    let suppressed = false;
    if (normal) {
      const cx1 = f32x4.splat(x1), cy1 = f32x4.splat(y1), cx2 = f32x4.splat(x2), cy2 = f32x4.splat(y2);
      const ca = f32x4.splat(area);
      if (prune) {
        // Window of cx ranks that can hold a suppressor.
        const c = (x1 + x2) * <f32>0.5;
        const r = bw * reach + (Mathf.abs(c) + bw) * <f32>1e-5;
        const a = lowerBound(m, c - r), b = upperBound(m, c + r);
        if (b - a < k) {
          suppressed = scan(cxX1, cxY1, cxX2, cxY2, cxA, a & ~3, b, cx1, cy1, cx2, cy2, ca, lo, vOff, boxes, idx, thr, mode, cxKeys);
        } else {
          suppressed = scan(soaX1, soaY1, soaX2, soaY2, soaA, 0, k, cx1, cy1, cx2, cy2, ca, lo, vOff, boxes, idx, thr, mode, keptIdx);
        }
      } else {
        suppressed = scan(soaX1, soaY1, soaX2, soaY2, soaA, 0, k, cx1, cy1, cx2, cy2, ca, lo, vOff, boxes, idx, thr, mode, keptIdx);
      }
    } else if (!prune) {
      // Degenerate box with t = 0 or huge boxes around: exact test against every kept box.
      area = NaN;
      for (let j = 0; j < k; j++) {
        if (exactSuppresses(boxes, idx, load<i32>(keptIdx + (<usize>j << 2)), thr, mode)) { suppressed = true; break; }
      }
    }
    if (suppressed) continue;
    store<u8>(flags + <usize>pos, 1);
    // A degenerate box (t > 0) is kept but can suppress nothing: a sentinel in its slot.
    if (prune && !normal) putSoa(k, FAR, FAR, FAR, FAR, 1);
    else putSoa(k, x1, y1, x2, y2, area);
    store<i32>(keptIdx + (<usize>k << 2), idx);
    k++;
    putSentinels(k);
    if (prune && normal) putCx(load<i32>(cxPos + (<usize>q << 2)), x1, y1, x2, y2, area);
  }
  return k;
}

@inline function candidate(keys: usize, order: usize, q: i32): i32 {
  const pos = order ? load<i32>(order + (<usize>q << 2)) : q;
  return <i32>(load<u64>(keys + (<usize>pos << 3)) & 0xffffffff);
}

// cx index of the m candidates: cxVal[rank] ascending centre x, cxKeys[rank] (as i32) = box index,
// cxPos[q] = rank of candidate q; the cx SoA starts as sentinels (nothing kept).
function buildCxIndex(boxes: usize, keys: usize, order: usize, m: i32): void {
  for (let q = 0; q < m; q++) {
    const p = boxes + (<usize>candidate(keys, order, q) << 4);
    let c = (load<f32>(p) + load<f32>(p, 8)) * <f32>0.5;
    if (c != c) c = Infinity; // NaN centres last: keeps the binary searches monotone
    store<u64>(cxTmp + (<usize>q << 3), (<u64>orderedBits(c) << 32) | <u64><u32>q);
  }
  const sorted = radixSortHigh(cxTmp, cxKeys, m, histBuf);
  // Unpack into cxVal / cxPos, and the box index per rank into the i32 view at cxKeys (the u64
  // data is read before its slot is overwritten: i32 slot r lies in u64 slot r / 2 <= r).
  for (let r = 0; r < m; r++) {
    const key = load<u64>(sorted + (<usize>r << 3));
    const q = <i32>(key & 0xffffffff);
    const p = boxes + (<usize>candidate(keys, order, q) << 4);
    const c = (load<f32>(p) + load<f32>(p, 8)) * <f32>0.5;
    store<f32>(cxVal + (<usize>r << 2), c != c ? Infinity : c);
    store<i32>(cxPos + (<usize>q << 2), r);
    store<i32>(cxKeys + (<usize>r << 2), candidate(keys, order, q));
  }
  for (let r = 0; r < m + 4; r++) putCx(r, FAR, FAR, FAR, FAR, 1);
}

// First rank with cxVal >= v, and first rank with cxVal > v (NaN centres sort last and never match).
@inline function lowerBound(m: i32, v: f32): i32 {
  let a = 0, b = m;
  while (a < b) { const h = (a + b) >>> 1; if (load<f32>(cxVal + (<usize>h << 2)) < v) a = h + 1; else b = h; }
  return a;
}
@inline function upperBound(m: i32, v: f32): i32 {
  let a = 0, b = m;
  while (a < b) { const h = (a + b) >>> 1; if (load<f32>(cxVal + (<usize>h << 2)) <= v) a = h + 1; else b = h; }
  return a;
}

/**
 * NMS over n boxes [n][4] f32 with scores [n] f32 (no NaN). With classes != 0 (i32 [n], dense ids
 * in [0, numClasses)) boxes only suppress boxes of their own class. Writes the kept box indices to
 * keep (i32, up to n) in descending score order, ties to the lower index, and returns how many.
 * maxOut caps the count (the highest-scoring ones are kept). scratch: nmsScratchBytes(n, numClasses).
 */
export function nmsRun(boxes: usize, scores: usize, classes: usize, n: i32, numClasses: i32,
  iouThreshold: f64, mode: i32, maxOut: i32, scratch: usize, keep: usize): i32 {
  if (n <= 0 || maxOut <= 0) return 0;
  const keysA = scratch, tmp = scratch + offTmp(n);
  const soa = scratch + offSoa(n), col = soaLen(n);
  soaX1 = soa; soaY1 = soa + col; soaX2 = soa + 2 * col; soaY2 = soa + 3 * col; soaA = soa + 4 * col;
  const keptIdx = scratch + offKeptIdx(n), flags = scratch + offFlags(n);
  const classOrder = scratch + offClassOrder(n), counts = scratch + offCounts(n);
  cxKeys = scratch + offCxKeys(n); cxTmp = scratch + offCxTmp(n); cxPos = scratch + offCxPos(n);
  cxVal = scratch + offCxVal(n); histBuf = scratch + offHist(n);
  const cs = scratch + offCxSoa(n);
  cxX1 = cs; cxY1 = cs + col; cxX2 = cs + 2 * col; cxY2 = cs + 3 * col; cxA = cs + 4 * col;

  for (let i = 0; i < n; i++) {
    const hi = <u64>(~orderedBits(load<f32>(scores + (<usize>i << 2))));
    store<u64>(keysA + (<usize>i << 3), (hi << 32) | <u64><u32>i);
  }
  const keys = radixSortHigh(keysA, tmp, n, histBuf);
  memory.fill(flags, 0, <usize>n);

  if (!classes || numClasses <= 1) {
    greedy(boxes, keys, 0, n, iouThreshold, mode, maxOut, keptIdx, flags);
  } else {
    // Stable counting sort of the score ranks by class: each class's candidates stay in score
    // order, then one greedy pass per class.
    memory.fill(counts, 0, <usize>(numClasses + 1) << 2);
    for (let q = 0; q < n; q++) {
      const c = load<i32>(classes + (<usize>(<i32>(load<u64>(keys + (<usize>q << 3)) & 0xffffffff)) << 2));
      const h = counts + (<usize>(c + 1) << 2);
      store<i32>(h, load<i32>(h) + 1);
    }
    for (let c = 0; c < numClasses; c++) {
      const h = counts + (<usize>(c + 1) << 2);
      store<i32>(h, load<i32>(h) + load<i32>(h - 4));
    }
    for (let q = 0; q < n; q++) {
      const c = load<i32>(classes + (<usize>(<i32>(load<u64>(keys + (<usize>q << 3)) & 0xffffffff)) << 2));
      const h = counts + (<usize>c << 2);
      const at = load<i32>(h);
      store<i32>(h, at + 1);
      store<i32>(classOrder + (<usize>at << 2), q);
    }
    // counts[c] now holds the end of class c (= start of c + 1).
    let start = 0;
    for (let c = 0; c < numClasses; c++) {
      const end = load<i32>(counts + (<usize>c << 2));
      if (end > start) greedy(boxes, keys, classOrder + (<usize>start << 2), end - start, iouThreshold, mode, n, keptIdx, flags);
      start = end;
    }
  }
  // Kept boxes in global score order.
  let cnt = 0;
  for (let q = 0; q < n && cnt < maxOut; q++) {
    if (load<u8>(flags + <usize>q)) {
      store<i32>(keep + (<usize>cnt << 2), <i32>(load<u64>(keys + (<usize>q << 3)) & 0xffffffff));
      cnt++;
    }
  }
  return cnt;
}
