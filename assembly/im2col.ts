// The im2col matrix of a convolution, never materialized: gemm's B packers (packIm2col for col,
// packIm2colT for colᵀ) read the current image directly into packed panels, with shifted, masked
// vector reads for stride 1 and line buffers otherwise (conv.ts holds the passes that use them). The
// current image and its geometry are module state, set by conv.ts before each gemm call, because gemm
// calls the packers back with block coordinates only.
import { GEMM_NR, gemmPackPanels } from './gemm';

// Geometry of the current image, read by the packers (gemm calls them back with block coordinates).
let gX: usize = 0;
let gC: i32 = 0, gH: i32 = 0, gW: i32 = 0, gKH: i32 = 0, gKW: i32 = 0;
let gSH: i32 = 1, gSW: i32 = 1, gPH: i32 = 0, gPW: i32 = 0, gOH: i32 = 1, gOW: i32 = 1;
let gLine: usize = 0; // line buffer(s) in scratch
let gLane: usize = 0; // 16 i32: per-lane input row and column of a panel (packIm2colShift)
let gMask: usize = 0; // KH·KW × 8 lane masks (packIm2colShift)

@inline export function fill0(dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), f32x4.splat(0));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
}

@inline function copy(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

// Writes im2col row k = (c, kh, kw) at output positions p0 .. p0+n-1 of the current image to out.
function im2colRow(k: i32, p0: i32, n: i32, out: usize): void {
  const kw = k % gKW, t = k / gKW;
  const kh = t % gKH, c = t / gKH;
  const plane = gX + (<usize>(c * gH * gW) << 2);
  let oh = p0 / gOW, ow = p0 - oh * gOW;
  while (n > 0) {
    const cnt = min(gOW - ow, n);
    const h = oh * gSH - gPH + kh;
    if (h < 0 || h >= gH) {
      fill0(out, cnt);
    } else {
      const row = plane + (<usize>(h * gW) << 2);
      if (gSW == 1) {
        // w = ow + q - pw + kw is inside [0, W) for q in [lo, hi)
        const w0 = ow - gPW + kw;
        const lo = min(max(-w0, 0), cnt);
        const hi = max(min(gW - w0, cnt), lo);
        fill0(out, lo);
        copy(out + (<usize>lo << 2), row + (<usize>(w0 + lo) << 2), hi - lo);
        fill0(out + (<usize>hi << 2), cnt - hi);
      } else {
        for (let q = 0; q < cnt; q++) {
          const w = (ow + q) * gSW - gPW + kw;
          store<f32>(out + (<usize>q << 2), w >= 0 && w < gW ? load<f32>(row + (<usize>w << 2)) : 0);
        }
      }
    }
    out += <usize>cnt << 2;
    n -= cnt;
    oh++;
    ow = 0;
  }
}

// B = col (K = CKK rows, N = P positions): im2col rows go through the line buffer and are cut into
// the 8-float rows of the panels (the zero tail pads the last panel). Positions are taken in chunks
// so the panel rows being written at once stay few (cache lines in flight, L1-resident line).
const PACK_CHUNK: i32 = 256;
function packIm2colLines(j0: i32, nc: i32, k0: i32, kc: i32, dst: usize): void {
  const panelBytes = <usize>(kc * GEMM_NR) << 2;
  for (let j = 0; j < nc; j += PACK_CHUNK) {
    const n = min(PACK_CHUNK, nc - j);
    const panels = (n + GEMM_NR - 1) / GEMM_NR;
    fill0(gLine + (<usize>n << 2), GEMM_NR);
    for (let k = 0; k < kc; k++) {
      im2colRow(k0 + k, j0 + j, n, gLine);
      let s = gLine, d = dst + (<usize>(k * GEMM_NR) << 2);
      for (let p = 0; p < panels; p++) {
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
        s += <usize>GEMM_NR << 2;
        d += panelBytes;
      }
    }
    dst += panelBytes * (PACK_CHUNK / GEMM_NR);
  }
}

// B = col for stride-1 rows: the 8 positions of a panel read 8 consecutive floats of x shifted by
// (kh-ph)·W + (kw-pw), because consecutive positions are consecutive input columns, and, when
// OW = W ("same" convolutions), the next output row continues where the last one ended. Lanes that
// fall on padding are cleared with a mask that depends only on (kh, kw), so it is built once per
// panel. Panels where that does not hold (a row break when OW ≠ W, the last partial panel) gather
// lane by lane.
function packIm2colShift(j0: i32, nc: i32, k0: i32, kc: i32, dst: usize): void {
  const panelBytes = <usize>(kc * GEMM_NR) << 2;
  const HW = gH * gW, imageFloats = gC * HW, KK = gKH * gKW;
  const rowsContinue = gOW == gW && gSH == 1;
  const k0w = k0 % gKW, k0t = k0 / gKW;
  const k0h = k0t % gKH, k0c = k0t / gKH;
  for (let pj = 0; pj < nc; pj += GEMM_NR) {
    const lanes = min(GEMM_NR, nc - pj);
    const p0 = j0 + pj;
    const oh0 = p0 / gOW, ow0 = p0 - oh0 * gOW;
    // lane coordinates: output row and column of each of the 8 positions
    let ohq = oh0, owq = ow0;
    for (let q = 0; q < GEMM_NR; q++) {
      store<i32>(gLane + (<usize>q << 2), ohq * gSH - gPH);
      store<i32>(gLane + (<usize>q << 2), owq * gSW - gPW, 32);
      if (++owq == gOW) { owq = 0; ohq++; }
    }
    let d = dst;
    let kw = k0w, kh = k0h, cHW = k0c * HW;
    if (lanes == GEMM_NR && (ow0 + GEMM_NR <= gOW || rowsContinue)) {
      // masks[kh][kw]: lane valid iff 0 <= h < H and 0 <= w < W
      const h0 = v128.load(gLane), h1 = v128.load(gLane, 16);
      const w0 = v128.load(gLane, 32), w1 = v128.load(gLane, 48);
      const Hv = i32x4.splat(gH), Wv = i32x4.splat(gW);
      for (let i = 0; i < KK; i++) {
        const dh = i32x4.splat(i / gKW), dw = i32x4.splat(i % gKW);
        const m = gMask + (<usize>i << 5);
        v128.store(m, v128.and(i32x4.lt_u(i32x4.add(h0, dh), Hv), i32x4.lt_u(i32x4.add(w0, dw), Wv)));
        v128.store(m, v128.and(i32x4.lt_u(i32x4.add(h1, dh), Hv), i32x4.lt_u(i32x4.add(w1, dw), Wv)), 16);
      }
      // x offset of lane 0 for (c, kh, kw) = (0, 0, 0)
      const base = (oh0 * gSH - gPH) * gW + ow0 - gPW;
      // k runs over (c, kh) rows of KW taps; a row is partial only at the ends of [k0, k0 + kc)
      let k = 0;
      while (k < kc) {
        const taps = min(gKW - kw, kc - k);
        const rowOff = cHW + base + kh * gW;
        let m = gMask + (<usize>(kh * gKW + kw) << 5);
        let src = gX + (<usize>(rowOff + kw) << 2);
        if (rowOff + kw >= 0 && rowOff + kw + taps - 1 + GEMM_NR <= imageFloats) {
          for (let t = 0; t < taps; t++) {
            v128.store(d, v128.and(v128.load(src), v128.load(m)));
            v128.store(d, v128.and(v128.load(src, 16), v128.load(m, 16)), 16);
            d += <usize>GEMM_NR << 2; src += 4; m += <usize>GEMM_NR << 2;
          }
        } else {
          // the read would leave the image: only valid lanes, which lie inside it, are loaded
          for (let t = 0; t < taps; t++) {
            for (let q = 0; q < GEMM_NR; q++) {
              const o = <usize>q << 2;
              store<f32>(d + o, load<i32>(m + o) ? load<f32>(src + o) : 0);
            }
            d += <usize>GEMM_NR << 2; src += 4; m += <usize>GEMM_NR << 2;
          }
        }
        k += taps;
        kw = 0;
        if (++kh == gKH) { kh = 0; cHW += HW; }
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let q = 0; q < GEMM_NR; q++) {
          const h = load<i32>(gLane + (<usize>q << 2)) + kh;
          const w = load<i32>(gLane + (<usize>q << 2), 32) + kw;
          const valid = q < lanes && h >= 0 && h < gH && w >= 0 && w < gW;
          store<f32>(d + (<usize>q << 2), valid ? load<f32>(gX + (<usize>(cHW + h * gW + w) << 2)) : 0);
        }
        d += <usize>GEMM_NR << 2;
        if (++kw == gKW) { kw = 0; if (++kh == gKH) { kh = 0; cHW += HW; } }
      }
    }
    dst += panelBytes;
  }
}

// B = col: the shifted-read packer for stride-1 rows, line buffers otherwise.
export function packIm2col(j0: i32, nc: i32, k0: i32, kc: i32, dst: usize): void {
  if (gSW == 1) packIm2colShift(j0, nc, k0, kc, dst);
  else packIm2colLines(j0, nc, k0, kc, dst);
}

// B = colᵀ (K = P positions, N = CKK rows): GEMM_NR im2col rows at a time into line buffers, then
// transposed into a panel.
export function packIm2colT(j0: i32, nc: i32, k0: i32, kc: i32, dst: usize): void {
  const lineFloats = (kc + 3) & ~3;
  const lineBytes = <usize>lineFloats << 2;
  const panelBytes = <usize>(kc * GEMM_NR) << 2;
  for (let j = 0; j < nc; j += GEMM_NR) {
    for (let q = 0; q < GEMM_NR; q++) {
      const line = gLine + <usize>q * lineBytes;
      if (j + q < nc) im2colRow(j0 + j + q, k0, kc, line);
      else fill0(line, kc);
    }
    gemmPackPanels(GEMM_NR, kc, gLine, lineBytes, 4, GEMM_NR, dst);
    dst += panelBytes;
  }
}

export function setGeometry(C: i32, H: i32, W: i32, KH: i32, KW: i32, strideH: i32, strideW: i32, padH: i32, padW: i32,
                     OH: i32, OW: i32): void {
  gC = C; gH = H; gW = W; gKH = KH; gKW = KW;
  gSH = strideH; gSW = strideW; gPH = padH; gPW = padW; gOH = OH; gOW = OW;
}

// Scratch of packIm2col after gemm's: a line of PACK_CHUNK (+ panel padding), 8 lane coordinates
// pairs, KH·KW lane masks.
@inline export function colPackerBytes(KH: i32, KW: i32): i32 {
  return (PACK_CHUNK + GEMM_NR) * 4 + 64 + KH * KW * 32;
}
export function setColPackerScratch(p: usize): void {
  gLine = p;
  gLane = p + <usize>((PACK_CHUNK + GEMM_NR) * 4);
  gMask = gLane + 64;
}

/** The image whose im2col the packers read (one image of the batch: NCHW at x). */
export function setIm2colImage(x: usize): void {
  gX = x;
}

/** The line buffers of packIm2colT (the backward-filter pass places them itself). */
export function setIm2colLines(p: usize): void {
  gLine = p;
}
