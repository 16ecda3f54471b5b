// 2-D convolution, NCHW float32, zero padding: forward and both backward passes, as GEMMs per image.
//
// The im2col matrix col[(c,kh,kw)][(oh,ow)] is never materialized: gemm's B packers (im2col.ts) read
// the image directly into packed panels (shifted, masked vector reads for stride 1; line buffers otherwise).
// So scratch stays at packing size whatever the image size (a full im2col of a 320×480×32 3×3
// layer would be 160 MiB), and there is no extra pass over memory.
//   forward          y_n[OC, P]    = W[OC, CKK] · col_n[CKK, P]             (+ bias, prefilled)
//   backward filter  dW[OC, CKK]  += dy_n[OC, P] · col_n[CKK, P]ᵀ            (summed over n)
//   backward input   stride 1: the forward convolution of dy with the flipped, transposed filter;
//                    otherwise dcol[CKK, P'] = W[OC, CKK]ᵀ · dy_n[OC, P'] over blocks P' of output
//                    rows, then col2im adds each block into dx_n
// with P = OH·OW and CKK = C·KH·KW. 1×1 stride-1 unpadded convolutions use plain GEMMs on x.
//
// Each pass is written as a range over its output (the *Range functions): the threads (src/backends/
// wasm/threads.ts) split that range, each output value is computed by one thread in the same order
// as by one thread alone, so any split gives the same bits. Forward: output positions n·P + p;
// backward filter: dW columns (c, kh, kw); backward input: input positions n·H·W + p (stride 1) or
// input channels n·C + c (other strides: col2im adds into a channel plane only).
import { GEMM_NR, gemm, gemmBlockK, gemmBlockScratchBytes, gemmColumns, gemmRange } from './gemm';
import { colPackerBytes, fill0, packIm2col, packIm2colT, setColPackerScratch, setGeometry, setIm2colImage, setIm2colLines } from './im2col';

// Backward-input blocks: dcol holds at most this many floats (stays in L2 between GEMM and col2im).
const DCOL_FLOATS: i32 = 256 * 1024;

// dst[0..n) += src[0..n)
@inline function addTo(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}



@inline function isPointwise(KH: i32, KW: i32, strideH: i32, strideW: i32, padH: i32, padW: i32): bool {
  return KH == 1 && KW == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0;
}

// Output rows per backward-input block, so the dcol block stays near DCOL_FLOATS.
@inline function rowsPerBlock(CKK: i32, OH: i32, OW: i32): i32 {
  return min(max(DCOL_FLOATS / max(CKK * OW, 1), 1), OH);
}

@inline function align64(n: i32): i32 { return (n + 63) & ~63; }


/** Scratch bytes for one thread's conv2d*Range call on these sizes (any range). */
export function conv2dBlockScratchBytes(N: i32, C: i32, H: i32, W: i32, OC: i32, KH: i32, KW: i32, OH: i32, OW: i32): i32 {
  const CKK = C * KH * KW, P = OH * OW;
  // forward: gemm + one line of the N block (+ panel padding)
  const fwd = align64(gemmBlockScratchBytes(OC, P, CKK)) + colPackerBytes(KH, KW);
  // backward filter: gemm + GEMM_NR lines of a K block
  const bwdF = align64(gemmBlockScratchBytes(OC, CKK, P)) + GEMM_NR * ((gemmBlockK(P) + 3) & ~3) * 4;
  // backward input: gemm on one block of output rows + the dcol block
  const nb = rowsPerBlock(CKK, OH, OW) * OW;
  let bwdI = align64(gemmBlockScratchBytes(CKK, nb, OC)) + CKK * nb * 4;
  // stride 1: a forward convolution of dy with the flipped filter (conv2dFlipFilter, not in here)
  bwdI = max(bwdI, align64(gemmBlockScratchBytes(C, H * W, OC * KH * KW)) + colPackerBytes(KH, KW));
  // 1×1 kernels may take the direct path: dx_n = Wᵀ·dy_n
  if (KH == 1 && KW == 1) bwdI = max(bwdI, gemmBlockScratchBytes(C, P, OC));
  return align64(max(fwd, max(bwdF, bwdI))) + 128;
}

/** Bytes of the flipped filter conv2dBackwardInput keeps (stride 1, kernels larger than 1×1). */
export function conv2dFlippedBytes(C: i32, OC: i32, KH: i32, KW: i32): i32 {
  return align64(OC * C * KH * KW * 4);
}

/** Scratch bytes enough for conv2dForward, conv2dBackwardInput and conv2dBackwardFilter on these sizes. */
export function conv2dScratchBytes(N: i32, C: i32, H: i32, W: i32, OC: i32, KH: i32, KW: i32, OH: i32, OW: i32): i32 {
  return conv2dFlippedBytes(C, OC, KH, KW) + conv2dBlockScratchBytes(N, C, H, W, OC, KH, KW, OH, OW);
}

/**
 * y[N,OC,OH,OW] = conv(x[N,C,H,W], w[OC,C,KH,KW]) + bias[OC] (bias = 0: none). Zero padding.
 * scratch: conv2dScratchBytes(...) bytes.
 */
export function conv2dForward(x: usize, N: i32, C: i32, H: i32, W: i32, w: usize, OC: i32, KH: i32, KW: i32,
                              strideH: i32, strideW: i32, padH: i32, padW: i32, bias: usize, y: usize,
                              OH: i32, OW: i32, scratch: usize): void {
  conv2dForwardRange(x, N, C, H, W, w, OC, KH, KW, strideH, strideW, padH, padW, bias, y, OH, OW, 0, N * OH * OW, scratch);
}

/**
 * conv2dForward on the output positions [lo, hi) of 0 .. N·OH·OW (position n·OH·OW + oh·OW + ow,
 * all OC channels). scratch: conv2dBlockScratchBytes(...) bytes.
 */
export function conv2dForwardRange(x: usize, N: i32, C: i32, H: i32, W: i32, w: usize, OC: i32, KH: i32, KW: i32,
                                   strideH: i32, strideW: i32, padH: i32, padW: i32, bias: usize, y: usize,
                                   OH: i32, OW: i32, lo: i32, hi: i32, scratch: usize): void {
  const CKK = C * KH * KW, P = OH * OW;
  if (P <= 0 || hi <= lo) return;
  const gemmScratch = (scratch + 63) & ~(<usize>63);
  setGeometry(C, H, W, KH, KW, strideH, strideW, padH, padW, OH, OW);
  setColPackerScratch(gemmScratch + <usize>align64(gemmBlockScratchBytes(OC, P, CKK)));
  const pointwise = isPointwise(KH, KW, strideH, strideW, padH, padW);
  for (let n = lo / P; n < N && n * P < hi; n++) {
    const p0 = max(lo - n * P, 0), p1 = min(hi - n * P, P);
    const xn = x + (<usize>(n * C * H * W) << 2);
    const yn = y + (<usize>(n * OC * P) << 2);
    if (bias) {
      for (let oc = 0; oc < OC; oc++) {
        const v = f32x4.splat(load<f32>(bias + (<usize>oc << 2)));
        const row = yn + (<usize>(oc * P) << 2);
        let i = p0;
        for (; i + 4 <= p1; i += 4) v128.store(row + (<usize>i << 2), v);
        for (; i < p1; i++) store<f32>(row + (<usize>i << 2), f32x4.extract_lane(v, 0));
      }
    }
    const acc = bias ? 1 : 0;
    if (pointwise) {
      gemmRange(OC, P, C, w, C, 0, xn, P, 0, yn, P, acc, 1, p0, p1, gemmScratch);
    } else {
      setIm2colImage(xn);
      gemmColumns(OC, p1 - p0, CKK, w, CKK, 0, packIm2col, p0, yn + (<usize>p0 << 2), P, acc, gemmScratch);
    }
  }
}

/**
 * Stride-1 backward input (kernels larger than 1×1) is the forward convolution of dy with this
 * filter: flipped[c][oc][KH-1-kh][KW-1-kw] = w[oc][c][kh][kw] (conv2dFlippedBytes bytes).
 */
export function conv2dFlipFilter(w: usize, OC: i32, C: i32, KH: i32, KW: i32, flipped: usize): void {
  conv2dFlipFilterRange(w, OC, C, KH, KW, flipped, 0, OC);
}

/** conv2dFlipFilter for the output channels [lo, hi) (the threads split it: it is a serial ~10% of a 256→256 dx on 14×14). */
export function conv2dFlipFilterRange(w: usize, OC: i32, C: i32, KH: i32, KW: i32, flipped: usize, lo: i32, hi: i32): void {
  const KK = KH * KW;
  // in 16×16 (oc, c) tiles: both the reads and the writes then stay within a few cache lines
  for (let oc0 = lo; oc0 < hi; oc0 += 16) for (let c0 = 0; c0 < C; c0 += 16) {
    const oc1 = min(oc0 + 16, hi), c1 = min(c0 + 16, C);
    for (let c = c0; c < c1; c++) for (let oc = oc0; oc < oc1; oc++) {
      const src = w + (<usize>((oc * C + c) * KK) << 2);
      const dst = flipped + (<usize>((c * OC + oc) * KK + KK - 1) << 2);
      for (let i = 0; i < KK; i++) store<f32>(dst - (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
    }
  }
}

/** The size of conv2dBackwardInputRange's range: N·H·W positions (stride 1), else N·C channels. */
export function conv2dBackwardInputUnits(N: i32, C: i32, H: i32, W: i32, strideH: i32, strideW: i32): i32 {
  return strideH == 1 && strideW == 1 ? N * H * W : N * C;
}

/** dx[N,C,H,W] = ∂(Σ y·dy)/∂x for y = conv2dForward(x, w) (overwrites dx). scratch: conv2dScratchBytes. */
export function conv2dBackwardInput(dy: usize, N: i32, C: i32, H: i32, W: i32, w: usize, OC: i32, KH: i32, KW: i32,
                                    strideH: i32, strideW: i32, padH: i32, padW: i32, OH: i32, OW: i32,
                                    dx: usize, scratch: usize): void {
  const flipped = (scratch + 63) & ~(<usize>63);
  const stride1 = strideH == 1 && strideW == 1;
  if (stride1 && !isPointwise(KH, KW, strideH, strideW, padH, padW)) conv2dFlipFilter(w, OC, C, KH, KW, flipped);
  conv2dBackwardInputRange(dy, N, C, H, W, w, OC, KH, KW, strideH, strideW, padH, padW, OH, OW, dx, flipped,
    0, conv2dBackwardInputUnits(N, C, H, W, strideH, strideW), flipped + <usize>conv2dFlippedBytes(C, OC, KH, KW));
}

/**
 * conv2dBackwardInput on [lo, hi) of its range (conv2dBackwardInputUnits): input positions n·H·W + p
 * for stride 1, input channels n·C + c otherwise. flipped: conv2dFlipFilter's output (stride 1 and
 * a kernel larger than 1×1; unused otherwise). scratch: conv2dBlockScratchBytes(...) bytes.
 */
export function conv2dBackwardInputRange(dy: usize, N: i32, C: i32, H: i32, W: i32, w: usize, OC: i32, KH: i32, KW: i32,
                                         strideH: i32, strideW: i32, padH: i32, padW: i32, OH: i32, OW: i32,
                                         dx: usize, flipped: usize, lo: i32, hi: i32, scratch: usize): void {
  const CKK = C * KH * KW, P = OH * OW, HW = H * W, KK = KH * KW;
  if (hi <= lo || HW <= 0) return;
  const gemmScratch = (scratch + 63) & ~(<usize>63);
  if (isPointwise(KH, KW, strideH, strideW, padH, padW)) {
    // P = HW here
    for (let n = lo / HW; n < N && n * HW < hi; n++) {
      const p0 = max(lo - n * HW, 0), p1 = min(hi - n * HW, HW);
      gemmRange(C, P, OC, w, C, 1, dy + (<usize>(n * OC * P) << 2), P, 0, dx + (<usize>(n * C * HW) << 2), P, 0, 1, p0, p1, gemmScratch);
    }
    return;
  }
  if (strideH == 1 && strideW == 1) {
    // Stride 1: dx is the forward convolution of dy (padded by K-1-pad, which may be negative, i.e. a
    // crop) with the flipped filter: a plain forward GEMM, with no col2im pass and no per-block
    // repacking of W.
    setGeometry(OC, OH, OW, KH, KW, 1, 1, KH - 1 - padH, KW - 1 - padW, H, W);
    setColPackerScratch(gemmScratch + <usize>align64(gemmBlockScratchBytes(C, HW, OC * KK)));
    for (let n = lo / HW; n < N && n * HW < hi; n++) {
      const p0 = max(lo - n * HW, 0), p1 = min(hi - n * HW, HW);
      setIm2colImage(dy + (<usize>(n * OC * P) << 2));
      gemmColumns(C, p1 - p0, OC * KK, flipped, OC * KK, 0, packIm2col, p0, dx + (<usize>(n * C * HW + p0) << 2), HW, 0, gemmScratch);
    }
    return;
  }
  const rows = rowsPerBlock(CKK, OH, OW);
  const dcol = gemmScratch + <usize>align64(gemmBlockScratchBytes(CKK, rows * OW, OC));
  for (let n = lo / C; n < N && n * C < hi; n++) {
    const c0 = max(lo - n * C, 0), c1 = min(hi - n * C, C);
    const dyn = dy + (<usize>(n * OC * P) << 2);
    const dxn = dx + (<usize>(n * C * HW) << 2);
    const m = (c1 - c0) * KK; // dcol rows of these channels: k = (c, kh, kw) from c0·KK on
    fill0(dxn + (<usize>(c0 * HW) << 2), (c1 - c0) * HW);
    for (let oh0 = 0; oh0 < OH; oh0 += rows) {
      const nrows = min(rows, OH - oh0);
      const nb = nrows * OW;
      gemm(m, nb, OC, w + (<usize>(c0 * KK) << 2), CKK, 1, dyn + (<usize>(oh0 * OW) << 2), P, 0, dcol, nb, 0, gemmScratch);
      // col2im: add each dcol row back where im2col read it from
      for (let k = 0; k < m; k++) {
        const kw = k % KW, t = k / KW;
        const kh = t % KH, c = c0 + t / KH;
        const plane = dxn + (<usize>(c * HW) << 2);
        let src = dcol + (<usize>(k * nb) << 2);
        for (let oh = oh0; oh < oh0 + nrows; oh++) {
          const h = oh * strideH - padH + kh;
          if (h >= 0 && h < H) {
            const row = plane + (<usize>(h * W) << 2);
            if (strideW == 1) {
              const w0 = kw - padW;
              const lo = min(max(-w0, 0), OW);
              const hi = max(min(W - w0, OW), lo);
              addTo(row + (<usize>(w0 + lo) << 2), src + (<usize>lo << 2), hi - lo);
            } else {
              for (let ow = 0; ow < OW; ow++) {
                const wi = ow * strideW - padW + kw;
                if (wi >= 0 && wi < W) {
                  const d = row + (<usize>wi << 2);
                  store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>ow << 2)));
                }
              }
            }
          }
          src += <usize>OW << 2;
        }
      }
    }
  }
}

/** dw[OC,C,KH,KW] = ∂(Σ y·dy)/∂w summed over the batch (overwrites dw). scratch: conv2dScratchBytes. */
export function conv2dBackwardFilter(x: usize, dy: usize, N: i32, C: i32, H: i32, W: i32, OC: i32, KH: i32, KW: i32,
                                     strideH: i32, strideW: i32, padH: i32, padW: i32, OH: i32, OW: i32,
                                     dw: usize, scratch: usize): void {
  conv2dBackwardFilterRange(x, dy, N, C, H, W, OC, KH, KW, strideH, strideW, padH, padW, OH, OW, dw, 0, C * KH * KW, scratch);
}

/**
 * conv2dBackwardFilter on the dW columns [lo, hi) of 0 .. C·KH·KW (all OC rows), each summed over
 * the batch in order. scratch: conv2dBlockScratchBytes(...) bytes.
 */
export function conv2dBackwardFilterRange(x: usize, dy: usize, N: i32, C: i32, H: i32, W: i32, OC: i32, KH: i32, KW: i32,
                                          strideH: i32, strideW: i32, padH: i32, padW: i32, OH: i32, OW: i32,
                                          dw: usize, lo: i32, hi: i32, scratch: usize): void {
  const CKK = C * KH * KW, P = OH * OW;
  if (hi <= lo) return;
  const gemmScratch = (scratch + 63) & ~(<usize>63);
  setGeometry(C, H, W, KH, KW, strideH, strideW, padH, padW, OH, OW);
  setIm2colLines(gemmScratch + <usize>align64(gemmBlockScratchBytes(OC, CKK, P)));
  const pointwise = isPointwise(KH, KW, strideH, strideW, padH, padW);
  if (N <= 0) for (let oc = 0; oc < OC; oc++) fill0(dw + (<usize>(oc * CKK + lo) << 2), hi - lo);
  for (let n = 0; n < N; n++) {
    const xn = x + (<usize>(n * C * H * W) << 2);
    const dyn = dy + (<usize>(n * OC * P) << 2);
    const acc = n > 0 ? 1 : 0;
    if (pointwise) {
      gemmRange(OC, C, P, dyn, P, 0, xn, P, 1, dw, C, acc, 1, lo, hi, gemmScratch);
    } else {
      setIm2colImage(xn);
      gemmColumns(OC, hi - lo, P, dyn, P, 0, packIm2colT, lo, dw + (<usize>lo << 2), CKK, acc, gemmScratch);
    }
  }
}
