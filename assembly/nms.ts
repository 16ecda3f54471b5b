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
//    w·(1 - t)/(2t) in x, and likewise h·(1 - t)/(2t) in y. The candidates' centres are bucketed
//    once into a uniform grid (about 4 per cell, counting-sorted so each grid row's cells are
//    contiguous slots of a second SoA copy whose free slots hold a far-away sentinel); a candidate
//    scans only the cells of its window, or the kept list when that is shorter. Boxes with a
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
@inline function offGridBox(n: i32): usize { return offClassOrder(n) + al(<usize>n << 2); }
@inline function offGridPos(n: i32): usize { return offGridBox(n) + al(<usize>n << 2); }
@inline function offCellStart(n: i32): usize { return offGridPos(n) + al(<usize>n << 2); }
@inline function offGridSoa(n: i32): usize { return offCellStart(n) + al((<usize>n + 2) << 2); }
@inline function offHist(n: i32): usize { return offGridSoa(n) + 5 * soaLen(n); } // 256 i32
@inline function offCounts(n: i32): usize { return offHist(n) + 1024; }

/** Bytes of scratch nmsRun needs for n boxes and numClasses classes (1 for plain NMS). */
export function nmsScratchBytes(n: i32, numClasses: i32): usize {
  return offCounts(n) + al(<usize>max(numClasses + 1, 1) << 2);
}

// Scratch pointers of the current call (set by nmsRun).
let gridBox: usize = 0, gridPos: usize = 0, cellStart: usize = 0, histBuf: usize = 0;
let gX1: usize = 0, gY1: usize = 0, gX2: usize = 0, gY2: usize = 0, gA: usize = 0;
// Grid geometry of the current pass: cell column = floor((cx - gMinX) · gInvX), clamped.
let gMinX: f64 = 0, gMinY: f64 = 0, gInvX: f64 = 0, gInvY: f64 = 0, gCols: i32 = 1, gRows: i32 = 1;

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

@inline function putGrid(k: i32, x1: f32, y1: f32, x2: f32, y2: f32, a: f32): void {
  const o = <usize>k << 2;
  store<f32>(gX1 + o, x1); store<f32>(gY1 + o, y1);
  store<f32>(gX2 + o, x2); store<f32>(gY2 + o, y2);
  store<f32>(gA + o, a);
}

// SIMD scan of SoA columns (x1, y1, x2, y2, area) over slots [from, to) against one candidate;
// slots whose pair is not surely below the threshold go to the exact test. `ids` maps a slot to
// the box index (the kept list's keptIdx, or the grid's gridBox).
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
  // Half-width of the centre window per unit of candidate side, with a margin for rounding.
  const reach: f32 = prune ? <f32>((1.0 - thr) / (2.0 * thr) * 1.001) : 0;
  if (prune) buildGrid(boxes, keys, order, m, off);
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
      let windowed = false;
      if (prune) {
        // Grid cells that can hold a suppressor's centre.
        const cx = (x1 + x2) * <f32>0.5, cy = (y1 + y2) * <f32>0.5;
        const rx = bw * reach + (Mathf.abs(cx) + bw) * <f32>1e-5, ry = bh * reach + (Mathf.abs(cy) + bh) * <f32>1e-5;
        const c0 = gridCol(cx - rx), c1 = gridCol(cx + rx), r0 = gridRow(cy - ry), r1 = gridRow(cy + ry);
        let total = 0;
        for (let r = r0; r <= r1; r++) total += cellAt(r * gCols + c1 + 1) - cellAt(r * gCols + c0);
        if (total < k) {
          windowed = true;
          for (let r = r0; r <= r1 && !suppressed; r++) {
            const a = cellAt(r * gCols + c0), b = cellAt(r * gCols + c1 + 1);
            if (b > a) suppressed = scan(gX1, gY1, gX2, gY2, gA, a & ~3, b, cx1, cy1, cx2, cy2, ca, lo, vOff, boxes, idx, thr, mode, gridBox);
          }
        }
      }
      if (!windowed) {
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
    if (prune && normal) putGrid(load<i32>(gridPos + (<usize>q << 2)), x1, y1, x2, y2, area);
  }
  return k;
}

@inline function candidate(keys: usize, order: usize, q: i32): i32 {
  const pos = order ? load<i32>(order + (<usize>q << 2)) : q;
  return <i32>(load<u64>(keys + (<usize>pos << 3)) & 0xffffffff);
}

@inline function cellAt(c: i32): i32 { return load<i32>(cellStart + (<usize>c << 2)); }
// Monotone in v, so every centre within [c - r, c + r] lies in the cells of gridCol(c ± r).
@inline function gridCol(v: f32): i32 { return <i32>min(max(Math.floor((<f64>v - gMinX) * gInvX), 0.0), <f64>(gCols - 1)); }
@inline function gridRow(v: f32): i32 { return <i32>min(max(Math.floor((<f64>v - gMinY) * gInvY), 0.0), <f64>(gRows - 1)); }

// Grid of the m candidates' centres: about 4 per cell over their bounding range. A counting sort by
// cell (row-major) gives each candidate q its slot gridPos[q], with gridBox[slot] = box index and
// cellStart[cell] = first slot of the cell; the grid SoA starts as sentinels (nothing kept).
// Candidates that are not normal boxes (never in the SoA) go to cell 0.
function buildGrid(boxes: usize, keys: usize, order: usize, m: i32, off: f32): void {
  let minX: f64 = Infinity, minY: f64 = Infinity, maxX: f64 = -Infinity, maxY: f64 = -Infinity;
  for (let q = 0; q < m; q++) {
    const p = boxes + (<usize>candidate(keys, order, q) << 4);
    const x1 = load<f32>(p), y1 = load<f32>(p, 4), x2 = load<f32>(p, 8), y2 = load<f32>(p, 12);
    if (!(x2 - x1 + off > 0 && y2 - y1 + off > 0)) continue;
    const cx = <f64>((x1 + x2) * <f32>0.5), cy = <f64>((y1 + y2) * <f32>0.5);
    minX = min(minX, cx); maxX = max(maxX, cx); minY = min(minY, cy); maxY = max(maxY, cy);
  }
  const target = max(m >> 2, 1);
  gCols = 1; gRows = 1; gMinX = 0; gMinY = 0; gInvX = 0; gInvY = 0;
  if (minX <= maxX) {
    const rx = maxX - minX, ry = maxY - minY;
    // Square cells of side s (target cells in the range), each dimension at least one cell.
    const s = Math.sqrt(max(rx * ry, 1e-300) / <f64>target);
    gCols = <i32>min(max(Math.floor(rx / s), 1.0), <f64>target);
    gRows = <i32>min(max(Math.floor(ry / s), 1.0), <f64>max(target / gCols, 1));
    gMinX = minX; gMinY = minY;
    gInvX = rx > 0 ? <f64>gCols / rx : 0;
    gInvY = ry > 0 ? <f64>gRows / ry : 0;
  }
  const cells = gCols * gRows;
  memory.fill(cellStart, 0, (<usize>cells + 1) << 2);
  // Count per cell (stored at cell + 1), prefix sums, then place: cellStart[c] ends as c's start.
  for (let q = 0; q < m; q++) {
    const c = candidateCell(boxes, keys, order, q, off);
    store<i32>(gridPos + (<usize>q << 2), c);
    const h = cellStart + (<usize>(c + 1) << 2);
    store<i32>(h, load<i32>(h) + 1);
  }
  for (let c = 1; c <= cells; c++) store<i32>(cellStart + (<usize>c << 2), cellAt(c) + cellAt(c - 1));
  // Place with a moving cursor in cellStart[c] (start of c), then shift back by one cell.
  for (let q = 0; q < m; q++) {
    const c = load<i32>(gridPos + (<usize>q << 2));
    const h = cellStart + (<usize>c << 2);
    const slot = load<i32>(h);
    store<i32>(h, slot + 1);
    store<i32>(gridPos + (<usize>q << 2), slot);
    store<i32>(gridBox + (<usize>slot << 2), candidate(keys, order, q));
  }
  // cellStart[c] is now the end of c = start of c + 1.
  for (let c = cells; c > 0; c--) store<i32>(cellStart + (<usize>c << 2), cellAt(c - 1));
  store<i32>(cellStart, 0);
  for (let r = 0; r < m + 4; r++) putGrid(r, FAR, FAR, FAR, FAR, 1);
}

@inline function candidateCell(boxes: usize, keys: usize, order: usize, q: i32, off: f32): i32 {
  const p = boxes + (<usize>candidate(keys, order, q) << 4);
  const x1 = load<f32>(p), y1 = load<f32>(p, 4), x2 = load<f32>(p, 8), y2 = load<f32>(p, 12);
  if (!(x2 - x1 + off > 0 && y2 - y1 + off > 0)) return 0;
  return gridRow((y1 + y2) * <f32>0.5) * gCols + gridCol((x1 + x2) * <f32>0.5);
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
  gridBox = scratch + offGridBox(n); gridPos = scratch + offGridPos(n);
  cellStart = scratch + offCellStart(n); histBuf = scratch + offHist(n);
  const cs = scratch + offGridSoa(n);
  gX1 = cs; gY1 = cs + col; gX2 = cs + 2 * col; gY2 = cs + 3 * col; gA = cs + 4 * col;

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
