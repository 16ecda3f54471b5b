// 3×3 stride-1 convolution forward by Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray 2016):
// each 2×2 output tile costs 16 multiplies per (input, output) channel pair instead of 36, so the
// GEMM work is 2.25× smaller than im2col's. The output is split into 2×2 tiles; per block of tiles:
//   V[ξ][c][t]  = (Bᵀ d B)[ξ]         d: the 4×4 input patch of tile t in channel c (zero padded)
//   M[ξ]        = U[ξ] · V[ξ]         16 GEMMs [OC × C]·[C × tiles]; U[ξ][oc][c] = (G g Gᵀ)[ξ]
//   y tile      = Aᵀ m A (+ bias)     m: the 16 values M[·][oc][t]
// with Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1],
// Aᵀ = [1 1 1 0; 0 1 -1 -1]. Rounding differs from the direct convolution (the transforms add a few
// ulps; tests hold it to the float64 reference), but every tile is computed the same way whatever
// block or thread it falls in (gemm's sum order depends on K = C alone), so any thread split gives
// the same bits. conv2dWinogradFilter makes U once per call, and packs it for gemm once when asked
// (pack = 1): then blocks only pack their V, which pays while the 16 packed matrices (4 floats per
// value) stay in cache; larger ones are cheaper to pack block by block inside gemm, in L2. Packed
// or not, gemm gives the same bits. conv2dWinogradRange runs blocks of tiles (range over n·TH·TW,
// tile index n·TH·TW + ty·TW + tx).
import { gemm, gemmBlockM, gemmPackARows, gemmPackedA, gemmPackedABytes, gemmScratchBytes } from './gemm';
import { FILTER_CHUNK, al64, fillPatchRows } from './winograd_rows';

// Tiles per block: the GEMMs' N. 16·(C + OC)·TB floats of V and M per block.
const TB: i32 = 128;


/** Bytes of U for conv2dWinogradFilter: 16·OC·C floats, then room for the 16 matrices packed for gemm. */
export function conv2dWinogradFilterBytes(OC: i32, C: i32): i32 {
  return <i32>al64(<usize>(16 * OC * C) << 2) + 16 * gemmPackedABytes(OC, C);
}

/** Where the packed matrices start in conv2dWinogradFilter's buffer. */
export function conv2dWinogradPackedOffset(OC: i32, C: i32): i32 {
  return <i32>al64(<usize>(16 * OC * C) << 2);
}

/**
 * U[ξ][oc][c] = (G g Gᵀ)[ξ] for the 3×3 filters w[OC][C][3][3]; with pack = 1 each U[ξ] is also
 * packed once for the GEMMs of every block of tiles (at u + conv2dWinogradPackedOffset).
 */
export function conv2dWinogradFilter(w: usize, OC: i32, C: i32, u: usize, pack: i32, scratch: usize): void {
  conv2dWinogradFilterRange(w, OC, C, u, pack, 0, conv2dWinogradFilterUnits(OC), scratch);
}

/** Units of conv2dWinogradFilterRange: blocks of gemmBlockM(OC) output channels. */
export function conv2dWinogradFilterUnits(OC: i32): i32 {
  const b = gemmBlockM(OC);
  return (OC + b - 1) / b;
}

/** Scratch bytes for conv2dWinogradFilter / conv2dWinogradFilterRange. */
export function conv2dWinogradFilterScratchBytes(): i32 { return 16 * FILTER_CHUNK * 4; }

/** conv2dWinogradFilter on the output-channel blocks [lo, hi) (the threads split the filters). */
export function conv2dWinogradFilterRange(w: usize, OC: i32, C: i32, u: usize, pack: i32, lo: i32, hi: i32, scratch: usize): void {
  const plane = <usize>(OC * C) << 2, chunk = <usize>FILTER_CHUNK << 2;
  const rows = gemmBlockM(OC), oc0 = lo * rows, oc1 = min(hi * rows, OC);
  for (let oc = oc0; oc < oc1; oc++) {
    for (let c0 = 0; c0 < C; c0 += FILTER_CHUNK) {
      const nc = min(FILTER_CHUNK, C - c0);
      for (let c = 0; c < nc; c++) {
        const g = w + (<usize>((oc * C + c0 + c) * 9) << 2);
        // rows: t = G g (4×3)
        const g00 = load<f32>(g), g01 = load<f32>(g, 4), g02 = load<f32>(g, 8);
        const g10 = load<f32>(g, 12), g11 = load<f32>(g, 16), g12 = load<f32>(g, 20);
        const g20 = load<f32>(g, 24), g21 = load<f32>(g, 28), g22 = load<f32>(g, 32);
        const t00 = g00, t01 = g01, t02 = g02;
        const t10 = (g00 + g10 + g20) * <f32>0.5, t11 = (g01 + g11 + g21) * <f32>0.5, t12 = (g02 + g12 + g22) * <f32>0.5;
        const t20 = (g00 - g10 + g20) * <f32>0.5, t21 = (g01 - g11 + g21) * <f32>0.5, t22 = (g02 - g12 + g22) * <f32>0.5;
        const t30 = g20, t31 = g21, t32 = g22;
        const o = scratch + (<usize>c << 2);
        filterRow(o, chunk, 0, t00, t01, t02);
        filterRow(o, chunk, 4, t10, t11, t12);
        filterRow(o, chunk, 8, t20, t21, t22);
        filterRow(o, chunk, 12, t30, t31, t32);
      }
      const dst = u + (<usize>(oc * C + c0) << 2);
      for (let xi = 0; xi < 16; xi++) memory.copy(dst + <usize>xi * plane, scratch + <usize>xi * chunk, <usize>nc << 2);
    }
  }
  if (!pack) return;
  const packed = u + <usize>conv2dWinogradPackedOffset(OC, C), bytes = <usize>gemmPackedABytes(OC, C);
  for (let xi = 0; xi < 16; xi++) gemmPackARows(OC, C, u + <usize>xi * plane, C, packed + <usize>xi * bytes, oc0, oc1);
}

// Row r of t·Gᵀ: (a, (a+b+c)/2, (a-b+c)/2, c) into ξ = r0 .. r0+3.
@inline function filterRow(o: usize, plane: usize, r0: i32, a: f32, b: f32, c: f32): void {
  store<f32>(o + <usize>r0 * plane, a);
  store<f32>(o + <usize>(r0 + 1) * plane, (a + b + c) * <f32>0.5);
  store<f32>(o + <usize>(r0 + 2) * plane, (a - b + c) * <f32>0.5);
  store<f32>(o + <usize>(r0 + 3) * plane, c);
}

@inline function tilesW(OW: i32): i32 { return (OW + 1) >> 1; }

// Line buffer: 4 input rows of one tile row segment, zero padded, 2·TW + 2 floats each (+ slack).
@inline function lineFloats(OW: i32): i32 { return ((2 * tilesW(OW) + 2 + 8) + 3) & ~3; }

/** Scratch bytes for one conv2dWinogradRange call (any range) on these sizes. */
export function conv2dWinogradScratchBytes(C: i32, OC: i32, OW: i32): i32 {
  const v = al64(<usize>(16 * C * TB) << 2), m = al64(<usize>(16 * OC * TB) << 2);
  const line = al64(<usize>(4 * lineFloats(OW)) << 2);
  return <i32>(v + m + line + al64(<usize>gemmScratchBytes(OC, TB, C)) + 64);
}

/**
 * y[N][OC][OH][OW] (+ bias) for the tiles [lo, hi) of 0 .. N·TH·TW (TH = ⌈OH/2⌉, TW = ⌈OW/2⌉) of a
 * 3×3 stride-1 convolution with padding (padH, padW); u: conv2dWinogradFilter's buffer, packed = 1
 * when it packed the matrices. scratch: conv2dWinogradScratchBytes(C, OC, OW).
 */
export function conv2dWinogradRange(x: usize, N: i32, C: i32, H: i32, W: i32, u: usize, packed: i32, OC: i32, padH: i32, padW: i32,
                                    bias: usize, y: usize, OH: i32, OW: i32, lo: i32, hi: i32, scratch: usize): void {
  if (hi <= lo || OH <= 0 || OW <= 0) return;
  const TW = tilesW(OW), TH = (OH + 1) >> 1, T = TH * TW;
  const vBuf = (scratch + 63) & ~(<usize>63);
  const mBuf = vBuf + al64(<usize>(16 * C * TB) << 2);
  const line = mBuf + al64(<usize>(16 * OC * TB) << 2);
  const gScratch = line + al64(<usize>(4 * lineFloats(OW)) << 2);
  const plane = <usize>(OC * C) << 2, pu = u + <usize>conv2dWinogradPackedOffset(OC, C);
  const packedBytes = <usize>gemmPackedABytes(OC, C);
  // equal blocks of at most TB tiles (a range of 160 runs as 80 + 80, not 128 + 32)
  const nb = (hi - lo + TB - 1) / TB, per = (hi - lo + nb - 1) / nb;
  for (let b0 = lo; b0 < hi; b0 += per) {
    const nt = min(per, hi - b0);
    inputTransform(x, C, H, W, padH, padW, TW, T, b0, nt, vBuf, line, lineFloats(OW));
    for (let xi = 0; xi < 16; xi++) {
      const v = vBuf + (<usize>(xi * C * TB) << 2), mx = mBuf + (<usize>(xi * OC * TB) << 2);
      if (packed) gemmPackedA(OC, nt, C, pu + <usize>xi * packedBytes, v, TB, mx, TB, 0, gScratch);
      else gemm(OC, nt, C, u + <usize>xi * plane, C, 0, v, TB, 0, mx, TB, 0, gScratch);
    }
    outputTransform(y, OC, OH, OW, bias, TW, T, b0, nt, mBuf);
  }
}

// V[ξ][c][j] for the tiles b0 .. b0+nt, segment by segment (tiles of one tile row of one image).
function inputTransform(x: usize, C: i32, H: i32, W: i32, padH: i32, padW: i32, TW: i32, T: i32, b0: i32, nt: i32,
                        v: usize, line: usize, LF: i32): void {
  const plane = <usize>(C * TB) << 2; // one ξ
  let j = 0;
  while (j < nt) {
    const t = b0 + j, n = t / T, r = t - n * T, ty = r / TW, tx0 = r - ty * TW;
    const len = min(TW - tx0, nt - j);
    const c0 = 2 * tx0 - padW; // input column of the segment's first patch column
    const width = 2 * len + 2;
    for (let c = 0; c < C; c++) {
      fillPatchRows(x + (<usize>((n * C + c) * H * W) << 2), H, W, 2 * ty - padH, 4, c0, width, line, LF);
      const out = v + (<usize>(c * TB + j) << 2);
      let k = 0;
      for (; k + 4 <= len; k += 4) transformFour(line, LF, 2 * k, out + (<usize>k << 2), plane);
      for (; k < len; k++) transformOne(line, LF, 2 * k, out + (<usize>k << 2), plane);
    }
    j += len;
  }
}

// Bᵀ applied to 4 values: (d0 - d2, d1 + d2, d2 - d1, d1 - d3).
@inline function bt0(d0: v128, d2: v128): v128 { return f32x4.sub(d0, d2); }
@inline function bt1(d1: v128, d2: v128): v128 { return f32x4.add(d1, d2); }
@inline function bt2(d1: v128, d2: v128): v128 { return f32x4.sub(d2, d1); }
@inline function bt3(d1: v128, d3: v128): v128 { return f32x4.sub(d1, d3); }

// Four adjacent tiles at once: lane l is the tile whose patch starts at column col + 2l.
function transformFour(line: usize, LF: i32, col: i32, out: usize, plane: usize): void {
  // rows after Bᵀ along the patch rows: s_i[k] = (Bᵀ d)[i][k], k = patch column
  let s00: v128, s01: v128, s02: v128, s03: v128;
  let s10: v128, s11: v128, s12: v128, s13: v128;
  let s20: v128, s21: v128, s22: v128, s23: v128;
  let s30: v128, s31: v128, s32: v128, s33: v128;
  const rowStride = <usize>LF << 2;
  const base = line + (<usize>col << 2);
  // patch column k of the 4 tiles in row i: floats col + k + {0, 2, 4, 6}
  let a = v128.load(base), b = v128.load(base, 16), c = v128.load(base, 32);
  const r00 = v128.shuffle<f32>(a, b, 0, 2, 4, 6), r01 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
  const r02 = v128.shuffle<f32>(v128.shuffle<f32>(a, b, 2, 3, 4, 5), v128.shuffle<f32>(b, c, 2, 3, 4, 5), 0, 2, 4, 6);
  const r03 = v128.shuffle<f32>(v128.shuffle<f32>(a, b, 2, 3, 4, 5), v128.shuffle<f32>(b, c, 2, 3, 4, 5), 1, 3, 5, 7);
  a = v128.load(base + rowStride); b = v128.load(base + rowStride, 16); c = v128.load(base + rowStride, 32);
  const r10 = v128.shuffle<f32>(a, b, 0, 2, 4, 6), r11 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
  const r12 = v128.shuffle<f32>(v128.shuffle<f32>(a, b, 2, 3, 4, 5), v128.shuffle<f32>(b, c, 2, 3, 4, 5), 0, 2, 4, 6);
  const r13 = v128.shuffle<f32>(v128.shuffle<f32>(a, b, 2, 3, 4, 5), v128.shuffle<f32>(b, c, 2, 3, 4, 5), 1, 3, 5, 7);
  a = v128.load(base + 2 * rowStride); b = v128.load(base + 2 * rowStride, 16); c = v128.load(base + 2 * rowStride, 32);
  const r20 = v128.shuffle<f32>(a, b, 0, 2, 4, 6), r21 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
  const r22 = v128.shuffle<f32>(v128.shuffle<f32>(a, b, 2, 3, 4, 5), v128.shuffle<f32>(b, c, 2, 3, 4, 5), 0, 2, 4, 6);
  const r23 = v128.shuffle<f32>(v128.shuffle<f32>(a, b, 2, 3, 4, 5), v128.shuffle<f32>(b, c, 2, 3, 4, 5), 1, 3, 5, 7);
  a = v128.load(base + 3 * rowStride); b = v128.load(base + 3 * rowStride, 16); c = v128.load(base + 3 * rowStride, 32);
  const r30 = v128.shuffle<f32>(a, b, 0, 2, 4, 6), r31 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
  const r32 = v128.shuffle<f32>(v128.shuffle<f32>(a, b, 2, 3, 4, 5), v128.shuffle<f32>(b, c, 2, 3, 4, 5), 0, 2, 4, 6);
  const r33 = v128.shuffle<f32>(v128.shuffle<f32>(a, b, 2, 3, 4, 5), v128.shuffle<f32>(b, c, 2, 3, 4, 5), 1, 3, 5, 7);
  // Bᵀ d (along rows)
  s00 = bt0(r00, r20); s01 = bt0(r01, r21); s02 = bt0(r02, r22); s03 = bt0(r03, r23);
  s10 = bt1(r10, r20); s11 = bt1(r11, r21); s12 = bt1(r12, r22); s13 = bt1(r13, r23);
  s20 = bt2(r10, r20); s21 = bt2(r11, r21); s22 = bt2(r12, r22); s23 = bt2(r13, r23);
  s30 = bt3(r10, r30); s31 = bt3(r11, r31); s32 = bt3(r12, r32); s33 = bt3(r13, r33);
  // (Bᵀ d) B (along columns), ξ = 4i + k
  storeRow(out, plane, 0, s00, s01, s02, s03);
  storeRow(out, plane, 4, s10, s11, s12, s13);
  storeRow(out, plane, 8, s20, s21, s22, s23);
  storeRow(out, plane, 12, s30, s31, s32, s33);
}

@inline function storeRow(out: usize, plane: usize, x0: i32, d0: v128, d1: v128, d2: v128, d3: v128): void {
  v128.store(out + <usize>x0 * plane, bt0(d0, d2));
  v128.store(out + <usize>(x0 + 1) * plane, bt1(d1, d2));
  v128.store(out + <usize>(x0 + 2) * plane, bt2(d1, d2));
  v128.store(out + <usize>(x0 + 3) * plane, bt3(d1, d3));
}

// One tile (scalar): the same arithmetic as one lane of transformFour.
function transformOne(line: usize, LF: i32, col: i32, out: usize, plane: usize): void {
  const rs = <usize>LF << 2;
  const p = line + (<usize>col << 2);
  // r_ik: patch row i, column k
  const r00 = load<f32>(p), r01 = load<f32>(p, 4), r02 = load<f32>(p, 8), r03 = load<f32>(p, 12);
  const r10 = load<f32>(p + rs), r11 = load<f32>(p + rs, 4), r12 = load<f32>(p + rs, 8), r13 = load<f32>(p + rs, 12);
  const r20 = load<f32>(p + 2 * rs), r21 = load<f32>(p + 2 * rs, 4), r22 = load<f32>(p + 2 * rs, 8), r23 = load<f32>(p + 2 * rs, 12);
  const r30 = load<f32>(p + 3 * rs), r31 = load<f32>(p + 3 * rs, 4), r32 = load<f32>(p + 3 * rs, 8), r33 = load<f32>(p + 3 * rs, 12);
  storeRowOne(out, plane, 0, r00 - r20, r01 - r21, r02 - r22, r03 - r23);
  storeRowOne(out, plane, 4, r10 + r20, r11 + r21, r12 + r22, r13 + r23);
  storeRowOne(out, plane, 8, r20 - r10, r21 - r11, r22 - r12, r23 - r13);
  storeRowOne(out, plane, 12, r10 - r30, r11 - r31, r12 - r32, r13 - r33);
}

@inline function storeRowOne(out: usize, plane: usize, x0: i32, d0: f32, d1: f32, d2: f32, d3: f32): void {
  store<f32>(out + <usize>x0 * plane, d0 - d2);
  store<f32>(out + <usize>(x0 + 1) * plane, d1 + d2);
  store<f32>(out + <usize>(x0 + 2) * plane, d2 - d1);
  store<f32>(out + <usize>(x0 + 3) * plane, d1 - d3);
}

// y tiles from M[ξ][oc][j]: Aᵀ m A, + bias, cut at the image's edge.
function outputTransform(y: usize, OC: i32, OH: i32, OW: i32, bias: usize, TW: i32, T: i32, b0: i32, nt: i32, m: usize): void {
  const plane = <usize>(OC * TB) << 2;
  let j = 0;
  while (j < nt) {
    const t = b0 + j, n = t / T, r = t - n * T, ty = r / TW, tx0 = r - ty * TW;
    const len = min(TW - tx0, nt - j);
    const oh = 2 * ty, fullRows = oh + 1 < OH;
    for (let oc = 0; oc < OC; oc++) {
      const bv = bias ? load<f32>(bias + (<usize>oc << 2)) : <f32>0;
      const src = m + (<usize>(oc * TB + j) << 2);
      const row0 = y + (<usize>(((n * OC + oc) * OH + oh) * OW) << 2);
      let k = 0;
      if (fullRows) {
        const vb = f32x4.splat(bv);
        // 4 tiles = 8 output columns, all inside the image
        for (; k + 4 <= len && 2 * (tx0 + k) + 8 <= OW; k += 4) {
          const s = src + (<usize>k << 2);
          const m0 = v128.load(s), m1 = v128.load(s + plane), m2 = v128.load(s + 2 * plane), m3 = v128.load(s + 3 * plane);
          const m4 = v128.load(s + 4 * plane), m5 = v128.load(s + 5 * plane), m6 = v128.load(s + 6 * plane), m7 = v128.load(s + 7 * plane);
          const m8 = v128.load(s + 8 * plane), m9 = v128.load(s + 9 * plane), m10 = v128.load(s + 10 * plane), m11 = v128.load(s + 11 * plane);
          const m12 = v128.load(s + 12 * plane), m13 = v128.load(s + 13 * plane), m14 = v128.load(s + 14 * plane), m15 = v128.load(s + 15 * plane);
          // Aᵀ m: rows q0 = m0 + m1 + m2 (row 0 + row 1 + row 2 of the 4×4), q1 = row1 - row2 - row3
          const q00 = f32x4.add(f32x4.add(m0, m4), m8), q01 = f32x4.add(f32x4.add(m1, m5), m9);
          const q02 = f32x4.add(f32x4.add(m2, m6), m10), q03 = f32x4.add(f32x4.add(m3, m7), m11);
          const q10 = f32x4.sub(f32x4.sub(m4, m8), m12), q11 = f32x4.sub(f32x4.sub(m5, m9), m13);
          const q12 = f32x4.sub(f32x4.sub(m6, m10), m14), q13 = f32x4.sub(f32x4.sub(m7, m11), m15);
          // (Aᵀ m) A along columns, + bias
          const y00 = f32x4.add(f32x4.add(f32x4.add(q00, q01), q02), vb), y01 = f32x4.add(f32x4.sub(f32x4.sub(q01, q02), q03), vb);
          const y10 = f32x4.add(f32x4.add(f32x4.add(q10, q11), q12), vb), y11 = f32x4.add(f32x4.sub(f32x4.sub(q11, q12), q13), vb);
          const d0 = row0 + (<usize>(2 * (tx0 + k)) << 2), d1 = d0 + (<usize>OW << 2);
          v128.store(d0, v128.shuffle<f32>(y00, y01, 0, 4, 1, 5));
          v128.store(d0, v128.shuffle<f32>(y00, y01, 2, 6, 3, 7), 16);
          v128.store(d1, v128.shuffle<f32>(y10, y11, 0, 4, 1, 5));
          v128.store(d1, v128.shuffle<f32>(y10, y11, 2, 6, 3, 7), 16);
        }
      }
      for (; k < len; k++) outputOne(src + (<usize>k << 2), plane, row0, 2 * (tx0 + k), oh, OH, OW, bv);
    }
    j += len;
  }
}

// One tile (scalar), the same arithmetic as one lane above.
function outputOne(s: usize, plane: usize, row0: usize, ow: i32, oh: i32, OH: i32, OW: i32, bv: f32): void {
  const m0 = load<f32>(s), m1 = load<f32>(s + plane), m2 = load<f32>(s + 2 * plane), m3 = load<f32>(s + 3 * plane);
  const m4 = load<f32>(s + 4 * plane), m5 = load<f32>(s + 5 * plane), m6 = load<f32>(s + 6 * plane), m7 = load<f32>(s + 7 * plane);
  const m8 = load<f32>(s + 8 * plane), m9 = load<f32>(s + 9 * plane), m10 = load<f32>(s + 10 * plane), m11 = load<f32>(s + 11 * plane);
  const m12 = load<f32>(s + 12 * plane), m13 = load<f32>(s + 13 * plane), m14 = load<f32>(s + 14 * plane), m15 = load<f32>(s + 15 * plane);
  const q00 = m0 + m4 + m8, q01 = m1 + m5 + m9, q02 = m2 + m6 + m10, q03 = m3 + m7 + m11;
  const q10 = m4 - m8 - m12, q11 = m5 - m9 - m13, q12 = m6 - m10 - m14, q13 = m7 - m11 - m15;
  const d0 = row0 + (<usize>ow << 2);
  store<f32>(d0, q00 + q01 + q02 + bv);
  if (ow + 1 < OW) store<f32>(d0, q01 - q02 - q03 + bv, 4);
  if (oh + 1 < OH) {
    const d1 = d0 + (<usize>OW << 2);
    store<f32>(d1, q10 + q11 + q12 + bv);
    if (ow + 1 < OW) store<f32>(d1, q11 - q12 - q13 + bv, 4);
  }
}
