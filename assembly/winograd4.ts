// 3×3 stride-1 convolution forward by Winograd's F(4×4, 3×3) (Lavin & Gray 2016), for layers with
// many channels: each 4×4 output tile costs 36 multiplies per (input, output) channel pair instead
// of 144, so the GEMM work is 4× smaller than im2col's (F(2×2, 3×3) in winograd.ts: 2.25×). Per
// block of tiles:
//   V[ξ][c][t]  = (Bᵀ d B)[ξ]         d: the 6×6 input patch of tile t in channel c (zero padded)
//   M[ξ]        = U[ξ] · V[ξ]         36 GEMMs [OC × C]·[C × tiles]; U[ξ][oc][c] = (G g Gᵀ)[ξ]
//   y tile      = Aᵀ m A (+ bias)     m: the 36 values M[·][oc][t]
// with the interpolation points 0, ±1, ±2, ∞:
//   Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   G  = [¼ 0 0; -⅙ -⅙ -⅙; -⅙ ⅙ -⅙; 1/24 1/12 ⅙; 1/24 -1/12 ⅙; 0 0 1]
//   Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
// The larger transforms round more than F(2×2)'s (tests hold both to the float64 reference), so
// dense.ts uses this one only where the channels are many. As in winograd.ts, every tile is computed
// the same way whatever block or thread it falls in (vector and scalar transforms do the same
// operations in the same order, gemm's sum order depends on K = C alone): any thread split gives
// the same bits. Tile index over the range: n·TH·TW + ty·TW + tx, TH = ⌈OH/4⌉, TW = ⌈OW/4⌉.
import { gemm, gemmBlockM, gemmPackARows, gemmPackedA, gemmPackedABytes, gemmScratchBytes } from './gemm';
import { FILTER_CHUNK, al64, fillPatchRows } from './winograd_rows';

// Tiles per block: the GEMMs' N. 36·(C + OC)·TB floats of V and M per block.
const TB: i32 = 256;
// One 4-tile group's output after Aᵀ down the rows: q[p][k], 24 vectors (in the scratch: threads).
const Q_BYTES: usize = 24 * 16;

/** Bytes of U for conv2dWinograd4Filter: 36·OC·C floats, then room for the 36 matrices packed for gemm. */
export function conv2dWinograd4FilterBytes(OC: i32, C: i32): i32 {
  return <i32>al64(<usize>(36 * OC * C) << 2) + 36 * gemmPackedABytes(OC, C);
}

/** Where the packed matrices start in conv2dWinograd4Filter's buffer. */
export function conv2dWinograd4PackedOffset(OC: i32, C: i32): i32 {
  return <i32>al64(<usize>(36 * OC * C) << 2);
}

/** U[ξ][oc][c] = (G g Gᵀ)[ξ] for w[OC][C][3][3]; with pack = 1 each U[ξ] is also packed once for gemm (as in winograd.ts). */
export function conv2dWinograd4Filter(w: usize, OC: i32, C: i32, u: usize, pack: i32, scratch: usize): void {
  conv2dWinograd4FilterRange(w, OC, C, u, pack, 0, conv2dWinograd4FilterUnits(OC), scratch);
}

/** Units of conv2dWinograd4FilterRange: blocks of gemmBlockM(OC) output channels. */
export function conv2dWinograd4FilterUnits(OC: i32): i32 {
  const b = gemmBlockM(OC);
  return (OC + b - 1) / b;
}


/** Scratch bytes for conv2dWinograd4Filter / conv2dWinograd4FilterRange. */
export function conv2dWinograd4FilterScratchBytes(): i32 { return 36 * FILTER_CHUNK * 4; }

/** conv2dWinograd4Filter on the output-channel blocks [lo, hi) (the threads split the filters). */
export function conv2dWinograd4FilterRange(w: usize, OC: i32, C: i32, u: usize, pack: i32, lo: i32, hi: i32, scratch: usize): void {
  const plane = <usize>(OC * C) << 2, fcBytes = <usize>FILTER_CHUNK << 2; // in chunks as in winograd.ts
  const rows = gemmBlockM(OC), oc0 = lo * rows, oc1 = min(hi * rows, OC);
  for (let oc = oc0; oc < oc1; oc++) {
    for (let c0 = 0; c0 < C; c0 += FILTER_CHUNK) {
      const nc = min(FILTER_CHUNK, C - c0);
      for (let c = 0; c < nc; c++) {
        const g = w + (<usize>((oc * C + c0 + c) * 9) << 2);
        const o = scratch + (<usize>c << 2);
        // in float64, rounded once: t = G g (6×3) column by column, then each row of t·Gᵀ
        const a0 = <f64>load<f32>(g), a1 = <f64>load<f32>(g, 12), a2 = <f64>load<f32>(g, 24);
        const b0 = <f64>load<f32>(g, 4), b1 = <f64>load<f32>(g, 16), b2 = <f64>load<f32>(g, 28);
        const d0 = <f64>load<f32>(g, 8), d1 = <f64>load<f32>(g, 20), d2 = <f64>load<f32>(g, 32);
        gRow(o, fcBytes, 0, a0 * 0.25, b0 * 0.25, d0 * 0.25);
        gRow(o, fcBytes, 6, (a0 + a1 + a2) * G6, (b0 + b1 + b2) * G6, (d0 + d1 + d2) * G6);
        gRow(o, fcBytes, 12, (a0 - a1 + a2) * G6, (b0 - b1 + b2) * G6, (d0 - d1 + d2) * G6);
        gRow(o, fcBytes, 18, (a0 + 2 * a1 + 4 * a2) * G24, (b0 + 2 * b1 + 4 * b2) * G24, (d0 + 2 * d1 + 4 * d2) * G24);
        gRow(o, fcBytes, 24, (a0 - 2 * a1 + 4 * a2) * G24, (b0 - 2 * b1 + 4 * b2) * G24, (d0 - 2 * d1 + 4 * d2) * G24);
        gRow(o, fcBytes, 30, a2, b2, d2);
      }
      const dst = u + (<usize>(oc * C + c0) << 2);
      for (let xi = 0; xi < 36; xi++) memory.copy(dst + <usize>xi * plane, scratch + <usize>xi * fcBytes, <usize>nc << 2);
    }
  }
  if (!pack) return;
  const packed = u + <usize>conv2dWinograd4PackedOffset(OC, C), bytes = <usize>gemmPackedABytes(OC, C);
  for (let xi = 0; xi < 36; xi++) gemmPackARows(OC, C, u + <usize>xi * plane, C, packed + <usize>xi * bytes, oc0, oc1);
}

const G6: f64 = -1.0 / 6, G24: f64 = 1.0 / 24;

// One row (t0, t1, t2) of G g times Gᵀ: the 6 values U[ξ0 .. ξ0+5], rounded to float32.
@inline function gRow(o: usize, plane: usize, xi0: i32, t0: f64, t1: f64, t2: f64): void {
  store<f32>(o + <usize>xi0 * plane, <f32>(t0 * 0.25));
  store<f32>(o + <usize>(xi0 + 1) * plane, <f32>((t0 + t1 + t2) * G6));
  store<f32>(o + <usize>(xi0 + 2) * plane, <f32>((t0 - t1 + t2) * G6));
  store<f32>(o + <usize>(xi0 + 3) * plane, <f32>((t0 + 2 * t1 + 4 * t2) * G24));
  store<f32>(o + <usize>(xi0 + 4) * plane, <f32>((t0 - 2 * t1 + 4 * t2) * G24));
  store<f32>(o + <usize>(xi0 + 5) * plane, <f32>t2);
}

@inline function tilesW(OW: i32): i32 { return (OW + 3) >> 2; }

// Line buffers: 6 input rows of one tile-row segment (zero padded, 4·TW + 2 floats each), then the
// same 6 rows after Bᵀ; slack for the 4-tile loads past the segment's end.
@inline function lineFloats(OW: i32): i32 { return (4 * tilesW(OW) + 2 + 24 + 3) & ~3; }

/** Scratch bytes for one conv2dWinograd4Range call (any range) on these sizes. */
export function conv2dWinograd4ScratchBytes(C: i32, OC: i32, OW: i32): i32 {
  const v = al64(<usize>(36 * C * TB) << 2), m = al64(<usize>(36 * OC * TB) << 2);
  const lines = al64(<usize>(12 * lineFloats(OW)) << 2);
  return <i32>(v + m + lines + Q_BYTES + al64(<usize>gemmScratchBytes(OC, TB, C)) + 64);
}

/**
 * y[N][OC][OH][OW] (+ bias) for the tiles [lo, hi) of 0 .. N·TH·TW of a 3×3 stride-1 convolution
 * with padding (padH, padW); u: conv2dWinograd4Filter's buffer, packed = 1 when it packed the
 * matrices. scratch: conv2dWinograd4ScratchBytes(C, OC, OW).
 */
export function conv2dWinograd4Range(x: usize, N: i32, C: i32, H: i32, W: i32, u: usize, packed: i32, OC: i32, padH: i32, padW: i32,
                                     bias: usize, y: usize, OH: i32, OW: i32, lo: i32, hi: i32, scratch: usize): void {
  if (hi <= lo || OH <= 0 || OW <= 0) return;
  const TW = tilesW(OW), TH = (OH + 3) >> 2, T = TH * TW, LF = lineFloats(OW);
  const vBuf = (scratch + 63) & ~(<usize>63);
  const mBuf = vBuf + al64(<usize>(36 * C * TB) << 2);
  const lines = mBuf + al64(<usize>(36 * OC * TB) << 2);
  const qBuf = lines + al64(<usize>(12 * LF) << 2);
  const gScratch = qBuf + Q_BYTES;
  const plane = <usize>(OC * C) << 2, pu = u + <usize>conv2dWinograd4PackedOffset(OC, C);
  const packedBytes = <usize>gemmPackedABytes(OC, C);
  // equal blocks of at most TB tiles
  const nb = (hi - lo + TB - 1) / TB, per = (hi - lo + nb - 1) / nb;
  for (let b0 = lo; b0 < hi; b0 += per) {
    const nt = min(per, hi - b0);
    inputTransform(x, C, H, W, padH, padW, TW, T, b0, nt, vBuf, lines, LF);
    for (let xi = 0; xi < 36; xi++) {
      const v = vBuf + (<usize>(xi * C * TB) << 2), mx = mBuf + (<usize>(xi * OC * TB) << 2);
      if (packed) gemmPackedA(OC, nt, C, pu + <usize>xi * packedBytes, v, TB, mx, TB, 0, gScratch);
      else gemm(OC, nt, C, u + <usize>xi * plane, C, 0, v, TB, 0, mx, TB, 0, gScratch);
    }
    outputTransform(y, OC, OH, OW, bias, TW, T, b0, nt, mBuf, qBuf);
  }
}

// ---- input transform ---------------------------------------------------------------------------

// Bᵀ's rows on 6 values; the vector and scalar forms do the same operations in the same order.
@inline function b0v(d0: v128, d2: v128, d4: v128): v128 {
  return f32x4.add(f32x4.sub(f32x4.mul(d0, f32x4.splat(4)), f32x4.mul(d2, f32x4.splat(5))), d4);
}
@inline function b1v(d1: v128, d2: v128, d3: v128, d4: v128): v128 {
  return f32x4.sub(f32x4.add(d3, d4), f32x4.mul(f32x4.add(d1, d2), f32x4.splat(4)));
}
@inline function b2v(d1: v128, d2: v128, d3: v128, d4: v128): v128 {
  return f32x4.add(f32x4.sub(d4, d3), f32x4.mul(f32x4.sub(d1, d2), f32x4.splat(4)));
}
@inline function b3v(d1: v128, d2: v128, d3: v128, d4: v128): v128 {
  return f32x4.add(f32x4.sub(d4, d2), f32x4.mul(f32x4.sub(d3, d1), f32x4.splat(2)));
}
@inline function b4v(d1: v128, d2: v128, d3: v128, d4: v128): v128 {
  return f32x4.sub(f32x4.sub(d4, d2), f32x4.mul(f32x4.sub(d3, d1), f32x4.splat(2)));
}
@inline function b5v(d1: v128, d3: v128, d5: v128): v128 {
  return f32x4.add(f32x4.sub(f32x4.mul(d1, f32x4.splat(4)), f32x4.mul(d3, f32x4.splat(5))), d5);
}
@inline function b0s(d0: f32, d2: f32, d4: f32): f32 { return (d0 * 4 - d2 * 5) + d4; }
@inline function b1s(d1: f32, d2: f32, d3: f32, d4: f32): f32 { return (d3 + d4) - (d1 + d2) * 4; }
@inline function b2s(d1: f32, d2: f32, d3: f32, d4: f32): f32 { return (d4 - d3) + (d1 - d2) * 4; }
@inline function b3s(d1: f32, d2: f32, d3: f32, d4: f32): f32 { return (d4 - d2) + (d3 - d1) * 2; }
@inline function b4s(d1: f32, d2: f32, d3: f32, d4: f32): f32 { return (d4 - d2) - (d3 - d1) * 2; }
@inline function b5s(d1: f32, d3: f32, d5: f32): f32 { return (d1 * 4 - d3 * 5) + d5; }

// V[ξ][c][j] for the tiles b0 .. b0+nt, segment by segment (tiles of one tile row of one image):
// Bᵀ down the 6 rows (vectors along the row), then Bᵀ across each tile's 6 columns.
function inputTransform(x: usize, C: i32, H: i32, W: i32, padH: i32, padW: i32, TW: i32, T: i32, b0: i32, nt: i32,
                        v: usize, lines: usize, LF: i32): void {
  const plane = <usize>(C * TB) << 2; // one ξ
  const rs = <usize>LF << 2;
  const sRows = lines + 6 * rs;
  let j = 0;
  while (j < nt) {
    const t = b0 + j, n = t / T, r = t - n * T, ty = r / TW, tx0 = r - ty * TW;
    const len = min(TW - tx0, nt - j);
    const width = 4 * len + 2;
    for (let c = 0; c < C; c++) {
      fillPatchRows(x + (<usize>((n * C + c) * H * W) << 2), H, W, 4 * ty - padH, 6, 4 * tx0 - padW, width, lines, LF);
      for (let q = 0; q < width; q += 4) {
        const p = lines + (<usize>q << 2);
        const d0 = v128.load(p), d1 = v128.load(p + rs), d2 = v128.load(p + 2 * rs);
        const d3 = v128.load(p + 3 * rs), d4 = v128.load(p + 4 * rs), d5 = v128.load(p + 5 * rs);
        const s = sRows + (<usize>q << 2);
        v128.store(s, b0v(d0, d2, d4));
        v128.store(s + rs, b1v(d1, d2, d3, d4));
        v128.store(s + 2 * rs, b2v(d1, d2, d3, d4));
        v128.store(s + 3 * rs, b3v(d1, d2, d3, d4));
        v128.store(s + 4 * rs, b4v(d1, d2, d3, d4));
        v128.store(s + 5 * rs, b5v(d1, d3, d5));
      }
      const out = v + (<usize>(c * TB + j) << 2);
      for (let i = 0; i < 6; i++) {
        const row = sRows + <usize>i * rs, o = out + <usize>(6 * i) * plane;
        let k = 0;
        for (; k + 4 <= len; k += 4) columnsFour(row + (<usize>(4 * k) << 2), o + (<usize>k << 2), plane);
        for (; k < len; k++) columnsOne(row + (<usize>(4 * k) << 2), o + (<usize>k << 2), plane);
      }
    }
    j += len;
  }
}

// Bᵀ across the columns of 4 adjacent tiles (lane l: the patch starting at float 4l of p), into
// ξ = 6i + 0 .. 5 (o points at ξ = 6i).
@inline function columnsFour(p: usize, o: usize, plane: usize): void {
  const a0 = v128.load(p), a1 = v128.load(p, 16), a2 = v128.load(p, 32), a3 = v128.load(p, 48), a4 = v128.load(p, 64);
  // column k of the 4 patches: (a0[k], a1[k], a2[k], a3[k]); columns 4 and 5 from a1..a4
  const t0 = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(a2, a3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(a2, a3, 2, 6, 3, 7);
  const t4 = v128.shuffle<f32>(a1, a2, 0, 4, 1, 5), t5 = v128.shuffle<f32>(a3, a4, 0, 4, 1, 5);
  const d0 = v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), d1 = v128.shuffle<f32>(t0, t1, 2, 3, 6, 7);
  const d2 = v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), d3 = v128.shuffle<f32>(t2, t3, 2, 3, 6, 7);
  const d4 = v128.shuffle<f32>(t4, t5, 0, 1, 4, 5), d5 = v128.shuffle<f32>(t4, t5, 2, 3, 6, 7);
  v128.store(o, b0v(d0, d2, d4));
  v128.store(o + plane, b1v(d1, d2, d3, d4));
  v128.store(o + 2 * plane, b2v(d1, d2, d3, d4));
  v128.store(o + 3 * plane, b3v(d1, d2, d3, d4));
  v128.store(o + 4 * plane, b4v(d1, d2, d3, d4));
  v128.store(o + 5 * plane, b5v(d1, d3, d5));
}

// One tile (scalar): one lane of columnsFour.
@inline function columnsOne(p: usize, o: usize, plane: usize): void {
  const d0 = load<f32>(p), d1 = load<f32>(p, 4), d2 = load<f32>(p, 8);
  const d3 = load<f32>(p, 12), d4 = load<f32>(p, 16), d5 = load<f32>(p, 20);
  store<f32>(o, b0s(d0, d2, d4));
  store<f32>(o + plane, b1s(d1, d2, d3, d4));
  store<f32>(o + 2 * plane, b2s(d1, d2, d3, d4));
  store<f32>(o + 3 * plane, b3s(d1, d2, d3, d4));
  store<f32>(o + 4 * plane, b4s(d1, d2, d3, d4));
  store<f32>(o + 5 * plane, b5s(d1, d3, d5));
}

// ---- output transform --------------------------------------------------------------------------

// Aᵀ's rows on 6 values (m0..m5), vector and scalar, same operations in the same order.
@inline function a0v(m0: v128, s12: v128, s34: v128): v128 { return f32x4.add(f32x4.add(m0, s12), s34); }
@inline function a1v(d12: v128, d34: v128): v128 { return f32x4.add(d12, f32x4.mul(d34, f32x4.splat(2))); }
@inline function a2v(s12: v128, s34: v128): v128 { return f32x4.add(s12, f32x4.mul(s34, f32x4.splat(4))); }
@inline function a3v(d12: v128, d34: v128, m5: v128): v128 {
  return f32x4.add(f32x4.add(d12, f32x4.mul(d34, f32x4.splat(8))), m5);
}
@inline function a0s(m0: f32, s12: f32, s34: f32): f32 { return (m0 + s12) + s34; }
@inline function a1s(d12: f32, d34: f32): f32 { return d12 + d34 * 2; }
@inline function a2s(s12: f32, s34: f32): f32 { return s12 + s34 * 4; }
@inline function a3s(d12: f32, d34: f32, m5: f32): f32 { return (d12 + d34 * 8) + m5; }

// y tiles from M[ξ][oc][j]: Aᵀ m A, + bias, cut at the image's edge.
function outputTransform(y: usize, OC: i32, OH: i32, OW: i32, bias: usize, TW: i32, T: i32, b0: i32, nt: i32, m: usize,
                         q: usize): void {
  const plane = <usize>(OC * TB) << 2;
  let j = 0;
  while (j < nt) {
    const t = b0 + j, n = t / T, r = t - n * T, ty = r / TW, tx0 = r - ty * TW;
    const len = min(TW - tx0, nt - j);
    const oh = 4 * ty, fullRows = oh + 4 <= OH;
    for (let oc = 0; oc < OC; oc++) {
      const bv = bias ? load<f32>(bias + (<usize>oc << 2)) : <f32>0;
      const src = m + (<usize>(oc * TB + j) << 2);
      const row0 = y + (<usize>(((n * OC + oc) * OH + oh) * OW) << 2);
      let k = 0;
      if (fullRows) {
        // 4 tiles = 16 output columns, all inside the image
        for (; k + 4 <= len && 4 * (tx0 + k) + 16 <= OW; k += 4) {
          outputFour(src + (<usize>k << 2), plane, row0 + (<usize>(4 * (tx0 + k)) << 2), <usize>OW << 2, bv, q);
        }
      }
      for (; k < len; k++) outputOne(src + (<usize>k << 2), plane, row0, 4 * (tx0 + k), oh, OH, OW, bv, q);
    }
    j += len;
  }
}

// Four whole tiles (lanes) of one output channel: rows oh .. oh+3, 16 columns from d.
function outputFour(s: usize, plane: usize, d: usize, rowBytes: usize, bv: f32, q: usize): void {
  for (let k = 0; k < 6; k++) {
    const c = s + <usize>k * plane; // ξ = 6i + k, i = 0..5
    const m0 = v128.load(c), m1 = v128.load(c + 6 * plane), m2 = v128.load(c + 12 * plane);
    const m3 = v128.load(c + 18 * plane), m4 = v128.load(c + 24 * plane), m5 = v128.load(c + 30 * plane);
    const s12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2), s34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
    v128.store(q + (<usize>k << 4), a0v(m0, s12, s34));
    v128.store(q + (<usize>(6 + k) << 4), a1v(d12, d34));
    v128.store(q + (<usize>(12 + k) << 4), a2v(s12, s34));
    v128.store(q + (<usize>(18 + k) << 4), a3v(d12, d34, m5));
  }
  const vb = f32x4.splat(bv);
  for (let p = 0; p < 4; p++) {
    const qp = q + (<usize>(6 * p) << 4);
    const m0 = v128.load(qp), m1 = v128.load(qp, 16), m2 = v128.load(qp, 32);
    const m3 = v128.load(qp, 48), m4 = v128.load(qp, 64), m5 = v128.load(qp, 80);
    const s12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2), s34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
    const y0 = f32x4.add(a0v(m0, s12, s34), vb), y1 = f32x4.add(a1v(d12, d34), vb);
    const y2 = f32x4.add(a2v(s12, s34), vb), y3 = f32x4.add(a3v(d12, d34, m5), vb);
    // lanes are tiles: transpose so each tile's 4 columns are contiguous
    const t0 = v128.shuffle<f32>(y0, y1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(y2, y3, 0, 4, 1, 5);
    const t2 = v128.shuffle<f32>(y0, y1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(y2, y3, 2, 6, 3, 7);
    const o = d + <usize>p * rowBytes;
    v128.store(o, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
    v128.store(o, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 16);
    v128.store(o, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 32);
    v128.store(o, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 48);
  }
}

// One tile (scalar), one lane of outputFour, cut at the image's edge.
function outputOne(s: usize, plane: usize, row0: usize, ow: i32, oh: i32, OH: i32, OW: i32, bv: f32, q: usize): void {
  // q[p][k] = Aᵀ row p down column k
  for (let k = 0; k < 6; k++) {
    const c = s + <usize>k * plane;
    const m0 = load<f32>(c), m1 = load<f32>(c + 6 * plane), m2 = load<f32>(c + 12 * plane);
    const m3 = load<f32>(c + 18 * plane), m4 = load<f32>(c + 24 * plane), m5 = load<f32>(c + 30 * plane);
    const s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4;
    store<f32>(q + (<usize>k << 2), a0s(m0, s12, s34));
    store<f32>(q + (<usize>(6 + k) << 2), a1s(d12, d34));
    store<f32>(q + (<usize>(12 + k) << 2), a2s(s12, s34));
    store<f32>(q + (<usize>(18 + k) << 2), a3s(d12, d34, m5));
  }
  for (let p = 0; p < 4 && oh + p < OH; p++) {
    const qp = q + (<usize>(6 * p) << 2);
    const q00 = load<f32>(qp), q01 = load<f32>(qp, 4), q02 = load<f32>(qp, 8);
    const q03 = load<f32>(qp, 12), q04 = load<f32>(qp, 16), q05 = load<f32>(qp, 20);
    const s12 = q01 + q02, d12 = q01 - q02, s34 = q03 + q04, d34 = q03 - q04;
    const o = row0 + (<usize>(p * OW + ow) << 2);
    store<f32>(o, a0s(q00, s12, s34) + bv);
    if (ow + 1 < OW) store<f32>(o, a1s(d12, d34) + bv, 4);
    if (ow + 2 < OW) store<f32>(o, a2s(s12, s34) + bv, 8);
    if (ow + 3 < OW) store<f32>(o, a3s(d12, d34, q05) + bv, 12);
  }
}
