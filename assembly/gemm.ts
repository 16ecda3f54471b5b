// Dense single-precision GEMM: C[M×N] (+)= op(A)·op(B), row-major, byte-offset pointers.
//
// Layout follows the usual packed-panel design: op(B) is copied in KC×NC blocks into micro-panels
// of GEMM_NR columns, op(A) in MC×KC blocks into micro-panels of GEMM_MR rows (each value stored
// broadcast to 4 lanes, see packSplatA), so the micro-kernel reads both with unit stride whatever
// the transposes were. The micro-kernel keeps a 4×8 tile of C in 8 vector registers (8 independent
// FMA chains cover the FMA latency on two pipes and leave registers for the operands; 5×8 and 6×8
// spill in V8). Panels are zero-padded to full tiles, so edge tiles run the same kernel into a
// small scratch tile and copy the valid part.

export const GEMM_MR: i32 = 4;
export const GEMM_NR: i32 = 8;
// KC×NR of B (8 KiB) stays in L1 across a sweep of A; the broadcast MC×KC block of A (256 KiB)
// stays in L2 next to a KC×NC block of B (1 MiB, L2/L3).
const KC: i32 = 256;
const MC: i32 = 64;
const NC: i32 = 1024;

// C tile floats written by edge tiles.
const TILE: i32 = GEMM_MR * GEMM_NR;

@inline function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline function roundUp(x: i32, m: i32): i32 {
  return (x + m - 1) / m * m;
}

// Splits n into ceil(n/cap) nearly equal blocks (multiple of `unit`), so the last block is not tiny.
@inline function blockSize(n: i32, cap: i32, unit: i32): i32 {
  const blocks = (n + cap - 1) / cap;
  return min(roundUp((n + blocks - 1) / blocks, unit), cap);
}

/** Bytes of scratch gemm() needs for these sizes (packed panels plus one edge tile). */
export function gemmScratchBytes(M: i32, N: i32, K: i32): i32 {
  const kc = blockSize(max(K, 1), KC, 1);
  const mc = blockSize(max(M, 1), MC, GEMM_MR);
  const nc = blockSize(max(N, 1), NC, GEMM_NR);
  return (mc * kc * 4 + kc * nc + TILE) * 4 + 64;
}

// ---- packing -------------------------------------------------------------------------------

// Transposes the 4×4 block held in rows r0..r3 and stores its columns at dst, dst+16, ... dst+3*step.
@inline function storeTransposed4(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, step: usize): void {
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + step, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * step, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * step, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

// Packs the mc×kc block of a matrix X into micro-panels of `r` rows (r = GEMM_NR for B; a multiple of 4).
// Element (i, k) of the block lives at src + i*rowStride + k*colStride (bytes); panel p, step k
// holds the r values X[p*r .. p*r+r-1][k] contiguously. Rows past mc are zero. A block contiguous
// along i packs with vector copies, one contiguous along k with 4×4 transposes.
export function gemmPackPanels(mc: i32, kc: i32, src: usize, rowStride: usize, colStride: usize, r: i32, dst: usize): void {
  const rowsFull = mc / r * r;
  const panelBytes = <usize>(kc * r) << 2;
  if (rowStride == 4) {
    // X[i][k] contiguous along i: each k step of a full panel is r/4 vector copies.
    for (let p = 0; p < rowsFull; p += r) {
      let s = src + <usize>p * 4;
      let d = dst;
      for (let k = 0; k < kc; k++) {
        for (let q = 0; q < r; q += 4) v128.store(d + (<usize>q << 2), v128.load(s + (<usize>q << 2)));
        s += colStride;
        d += <usize>r << 2;
      }
      dst += panelBytes;
    }
  } else if (colStride == 4) {
    // X[i][k] contiguous along k: transpose 4 rows × 4 k at a time.
    const k4 = kc & ~3;
    for (let p = 0; p < rowsFull; p += r) {
      for (let q = 0; q < r; q += 4) {
        const s0 = src + <usize>(p + q) * rowStride;
        const s1 = s0 + rowStride, s2 = s1 + rowStride, s3 = s2 + rowStride;
        let d = dst + (<usize>q << 2);
        const rowBytes = <usize>r << 2;
        for (let k = 0; k < k4; k += 4) {
          const o = <usize>k << 2;
          storeTransposed4(v128.load(s0 + o), v128.load(s1 + o), v128.load(s2 + o), v128.load(s3 + o), d, rowBytes);
          d += rowBytes << 2;
        }
        for (let k = k4; k < kc; k++) {
          const o = <usize>k << 2;
          store<f32>(d, load<f32>(s0 + o));
          store<f32>(d, load<f32>(s1 + o), 4);
          store<f32>(d, load<f32>(s2 + o), 8);
          store<f32>(d, load<f32>(s3 + o), 12);
          d += rowBytes;
        }
      }
      dst += panelBytes;
    }
  } else {
    for (let p = 0; p < rowsFull; p += r) {
      let d = dst;
      for (let k = 0; k < kc; k++) {
        for (let i = 0; i < r; i++) {
          store<f32>(d, load<f32>(src + <usize>(p + i) * rowStride + <usize>k * colStride));
          d += 4;
        }
      }
      dst += panelBytes;
    }
  }
  if (rowsFull < mc) {
    // Last, partial panel: zero-padded so the micro-kernel can run a full tile.
    let d = dst;
    for (let k = 0; k < kc; k++) {
      for (let i = 0; i < r; i++) {
        const row = rowsFull + i;
        store<f32>(d, row < mc ? load<f32>(src + <usize>row * rowStride + <usize>k * colStride) : 0);
        d += 4;
      }
    }
  }
}

// Packs the mc×kc block of op(A) (element (i, k) at src + i*rowStride + k*colStride) into
// micro-panels of GEMM_MR rows with every value already broadcast to 4 lanes: panel p, step k holds
// GEMM_MR vectors. The micro-kernel then reads A with plain vector loads at constant offsets, which
// V8 folds into the instruction; its load-and-splat needs an address register per offset, rebuilt
// on every k step (3 extra instructions per 8 FMAs). Rows past mc are zero.
function packSplatA(mc: i32, kc: i32, src: usize, rowStride: usize, colStride: usize, dst: usize): void {
  const panelBytes = <usize>(kc * GEMM_MR) << 4;
  for (let p = 0; p < mc; p += GEMM_MR) {
    for (let r = 0; r < GEMM_MR; r++) {
      let d = dst + (<usize>r << 4);
      if (p + r < mc) {
        let s = src + <usize>(p + r) * rowStride;
        for (let k = 0; k < kc; k++) {
          v128.store(d, v128.load32_splat(s));
          s += colStride;
          d += <usize>GEMM_MR << 4;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          v128.store(d, f32x4.splat(0));
          d += <usize>GEMM_MR << 4;
        }
      }
    }
    dst += panelBytes;
  }
}

// ---- micro-kernel ----------------------------------------------------------------------------

// C[4×8] at c (row stride ldcBytes) = beta*C + Apanel·Bpanel over kc steps.
// Apanel: kc × 4 broadcast vectors; Bpanel: kc × 8 floats.
function microKernel(kc: i32, pa: usize, pb: usize, c: usize, ldcBytes: usize, beta: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  // One k step per trip on purpose: unrolled by two, binaryen folds both steps into nested
  // expressions, V8 then issues all loads first and spills three accumulators (measured 22 vs 50
  // GFLOP/s). Keep this function out of line too: inlined into the tile loop it spilled as well.
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load(pa);
    c00 = fma(a, b0, c00); c01 = fma(a, b1, c01);
    a = v128.load(pa, 16);
    c10 = fma(a, b0, c10); c11 = fma(a, b1, c11);
    a = v128.load(pa, 32);
    c20 = fma(a, b0, c20); c21 = fma(a, b1, c21);
    a = v128.load(pa, 48);
    c30 = fma(a, b0, c30); c31 = fma(a, b1, c31);
    pa += 64; pb += 32;
  }
  if (beta) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    v128.store(c, c00); v128.store(c, c01, 16);
    c += ldcBytes;
    c10 = f32x4.add(c10, v128.load(c)); c11 = f32x4.add(c11, v128.load(c, 16));
    v128.store(c, c10); v128.store(c, c11, 16);
    c += ldcBytes;
    c20 = f32x4.add(c20, v128.load(c)); c21 = f32x4.add(c21, v128.load(c, 16));
    v128.store(c, c20); v128.store(c, c21, 16);
    c += ldcBytes;
    c30 = f32x4.add(c30, v128.load(c)); c31 = f32x4.add(c31, v128.load(c, 16));
    v128.store(c, c30); v128.store(c, c31, 16);
  } else {
    v128.store(c, c00); v128.store(c, c01, 16);
    c += ldcBytes;
    v128.store(c, c10); v128.store(c, c11, 16);
    c += ldcBytes;
    v128.store(c, c20); v128.store(c, c21, 16);
    c += ldcBytes;
    v128.store(c, c30); v128.store(c, c31, 16);
  }
}

// Runs the micro-kernel over an mc×nc block of C from packed panels; partial tiles go through `tile`.
function macroKernel(mc: i32, nc: i32, kc: i32, pA: usize, pB: usize, c: usize, ldc: i32, beta: bool, tile: usize): void {
  const ldcBytes = <usize>ldc << 2;
  const aPanel = <usize>(kc * GEMM_MR) << 4;
  const bPanel = <usize>(kc * GEMM_NR) << 2;
  for (let j = 0; j < nc; j += GEMM_NR) {
    const nr = min(GEMM_NR, nc - j);
    const pa0 = pA;
    let pa = pa0;
    let cij = c + (<usize>j << 2);
    for (let i = 0; i < mc; i += GEMM_MR) {
      const mr = min(GEMM_MR, mc - i);
      if (mr == GEMM_MR && nr == GEMM_NR) {
        microKernel(kc, pa, pB, cij, ldcBytes, beta);
      } else {
        microKernel(kc, pa, pB, tile, <usize>GEMM_NR << 2, false);
        for (let r = 0; r < mr; r++) {
          const cr = cij + <usize>r * ldcBytes;
          const tr = tile + (<usize>(r * GEMM_NR) << 2);
          for (let q = 0; q < nr; q++) {
            const o = <usize>q << 2;
            // (no `0 + t` when overwriting: that turns -0 into +0, and the result would then
            // depend on which tiles are edge tiles, i.e. on how threads split C)
            store<f32>(cr + o, beta ? load<f32>(cr + o) + load<f32>(tr + o) : load<f32>(tr + o));
          }
        }
      }
      pa += aPanel;
      cij += ldcBytes * GEMM_MR;
    }
    pB += bPanel;
  }
}

// Packs op(B)[k0 .. k0+kc)[j0 .. j0+nc) into zero-padded micro-panels of GEMM_NR columns at dst
// (panel p, step k: GEMM_NR floats). conv.ts supplies packers that read an image directly
// (implicit im2col), so no im2col matrix is ever materialized.
type PackB = (j0: i32, nc: i32, k0: i32, kc: i32, dst: usize) => void;

// The plain-matrix B source of gemm(), set just before each call.
let bPtr: usize = 0, bRow: usize = 0, bCol: usize = 0;
function packMatrixB(j0: i32, nc: i32, k0: i32, kc: i32, dst: usize): void {
  gemmPackPanels(nc, kc, bPtr + <usize>j0 * bRow + <usize>k0 * bCol, bRow, bCol, GEMM_NR, dst);
}

/**
 * C[M×N] (+)= op(A)·op(B). op(A) is M×K: A is stored M×K (row stride lda) when transA = 0, K×M
 * when transA = 1; op(B) is K×N: B stored K×N (ldb) when transB = 0, N×K when transB = 1.
 * accumulate = 1 adds into C, 0 overwrites it. scratch: gemmScratchBytes(M, N, K) bytes.
 */
export function gemm(M: i32, N: i32, K: i32, a: usize, lda: i32, transA: i32, b: usize, ldb: i32, transB: i32,
                     c: usize, ldc: i32, accumulate: i32, scratch: usize): void {
  // Byte strides of op(B)^T[j][k]: B is packed like A, with j as the row index.
  bPtr = b;
  bRow = transB ? <usize>ldb << 2 : 4;
  bCol = transB ? 4 : <usize>ldb << 2;
  gemmWithPackB(M, N, K, a, lda, transA, packMatrixB, c, ldc, accumulate, scratch);
}

/** Block sizes gemm uses along K and N for these sizes (conv.ts sizes its line buffers with them). */
export function gemmBlockK(K: i32): i32 { return blockSize(max(K, 1), KC, 1); }
export function gemmBlockN(N: i32): i32 { return blockSize(max(N, 1), NC, GEMM_NR); }

/** gemm() with op(B) produced by `packB` (see PackB). scratch: gemmScratchBytes(M, N, K). */
export function gemmWithPackB(M: i32, N: i32, K: i32, a: usize, lda: i32, transA: i32, packB: PackB,
                              c: usize, ldc: i32, accumulate: i32, scratch: usize): void {
  gemmColumns(M, N, K, a, lda, transA, packB, 0, c, ldc, accumulate, scratch);
}

/**
 * Scratch bytes enough for gemm() on any sub-block of an M×N×K product (gemmRange, the threaded
 * conv passes): the block sizes along M and N are at most the caps or the rounded-up sizes.
 */
export function gemmBlockScratchBytes(M: i32, N: i32, K: i32): i32 {
  const kc = blockSize(max(K, 1), KC, 1);
  const mc = min(roundUp(max(M, 1), GEMM_MR), MC);
  const nc = min(roundUp(max(N, 1), GEMM_NR), NC);
  return (mc * kc * 4 + kc * nc + TILE) * 4 + 64;
}

/**
 * One block of gemm()'s output, for the threads: rows [lo, hi) of C (splitCols = 0) or columns
 * [lo, hi) (splitCols = 1), the other arguments as gemm's. Each output value is summed in the same
 * order as by gemm() on the whole product (the K blocking depends on K alone, every tile runs the
 * same micro-kernel), so the blocks of any split together equal gemm()'s result bit for bit.
 * scratch: gemmBlockScratchBytes(M, N, K) bytes.
 */
export function gemmRange(M: i32, N: i32, K: i32, a: usize, lda: i32, transA: i32, b: usize, ldb: i32, transB: i32,
                          c: usize, ldc: i32, accumulate: i32, splitCols: i32, lo: i32, hi: i32, scratch: usize): void {
  if (hi <= lo) return;
  bPtr = b;
  bRow = transB ? <usize>ldb << 2 : 4;
  bCol = transB ? 4 : <usize>ldb << 2;
  if (splitCols) {
    gemmColumns(M, hi - lo, K, a, lda, transA, packMatrixB, lo, c + (<usize>lo << 2), ldc, accumulate, scratch);
  } else {
    const aRow: usize = transA ? 4 : <usize>lda << 2;
    gemmColumns(hi - lo, N, K, a + <usize>lo * aRow, lda, transA, packMatrixB, 0, c + (<usize>lo * <usize>ldc << 2), ldc, accumulate, scratch);
  }
}

/**
 * gemmWithPackB on the columns j0 .. j0+N of op(B) (packB is called with j0 added); c points at the
 * first of them. conv.ts splits the output positions of a convolution between threads with it.
 */
export function gemmColumns(M: i32, N: i32, K: i32, a: usize, lda: i32, transA: i32, packB: PackB, j0: i32,
                            c: usize, ldc: i32, accumulate: i32, scratch: usize): void {
  gemmColumnsFrom(M, N, K, a, lda, transA, 0, packB, j0, c, ldc, accumulate, scratch);
}

/** Bytes of A (M×K) packed once by gemmPackA: every block of gemm's own packing, in order. */
export function gemmPackedABytes(M: i32, K: i32): i32 {
  return roundUp(max(M, 1), GEMM_MR) * max(K, 1) * 16;
}

/**
 * Packs A (M×K, row stride lda) as gemm would, block by block (K blocks of gemmBlockK(K), M blocks
 * of MC rows), into `dst` (gemmPackedABytes): a matrix used by many products (Winograd's transformed
 * filters) is then packed once, and gemmPackedA gives bit for bit gemm's result.
 */
export function gemmPackA(M: i32, K: i32, a: usize, lda: i32, dst: usize): void {
  gemmPackARows(M, K, a, lda, dst, 0, M);
}

/** Rows of A per M block of gemm's packing (gemmPackARows takes whole blocks). */
export function gemmBlockM(M: i32): i32 { return blockSize(max(M, 1), MC, GEMM_MR); }

/** gemmPackA on the rows [r0, r1) only (multiples of gemmBlockM(M), or r1 = M): threads pack apart. */
export function gemmPackARows(M: i32, K: i32, a: usize, lda: i32, dst: usize, r0: i32, r1: i32): void {
  if (M <= 0 || K <= 0) return;
  const kcMax = blockSize(K, KC, 1), mcMax = blockSize(M, MC, GEMM_MR), Mr = roundUp(M, GEMM_MR);
  for (let pc = 0; pc < K; pc += kcMax) {
    const kc = min(kcMax, K - pc);
    for (let ic = r0; ic < min(r1, M); ic += mcMax) {
      const mc = min(mcMax, M - ic);
      packSplatA(mc, kc, a + (<usize>(ic * lda + pc) << 2), <usize>lda << 2, 4, dst + ((<usize>pc * <usize>Mr + <usize>ic * <usize>kc) << 4));
    }
  }
}

/** C[M×N] (+)= A·B with A from gemmPackA and B stored K×N (row stride ldb). scratch: gemmScratchBytes. */
export function gemmPackedA(M: i32, N: i32, K: i32, packedA: usize, b: usize, ldb: i32, c: usize, ldc: i32,
                            accumulate: i32, scratch: usize): void {
  bPtr = b;
  bRow = 4;
  bCol = <usize>ldb << 2;
  gemmColumnsFrom(M, N, K, 0, 0, 0, packedA, packMatrixB, 0, c, ldc, accumulate, scratch);
}

// gemmColumns, with op(A) packed beforehand when packedA != 0 (gemmPackA's layout).
function gemmColumnsFrom(M: i32, N: i32, K: i32, a: usize, lda: i32, transA: i32, packedA: usize, packB: PackB, j0: i32,
                         c: usize, ldc: i32, accumulate: i32, scratch: usize): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate) for (let i = 0; i < M; i++) memory.fill(c + (<usize>(i * ldc) << 2), 0, <usize>N << 2);
    return;
  }
  const kcMax = blockSize(K, KC, 1);
  const mcMax = blockSize(M, MC, GEMM_MR);
  const ncMax = blockSize(N, NC, GEMM_NR);
  const pA = (scratch + 15) & ~(<usize>15);
  const pB = pA + (<usize>(mcMax * kcMax) << 4);
  const tile = pB + (<usize>(kcMax * ncMax) << 2);
  // Byte strides of op(A)[i][k].
  const aRow: usize = transA ? 4 : <usize>lda << 2, aCol: usize = transA ? <usize>lda << 2 : 4;
  for (let jc = 0; jc < N; jc += ncMax) {
    const nc = min(ncMax, N - jc);
    for (let pc = 0; pc < K; pc += kcMax) {
      const kc = min(kcMax, K - pc);
      packB(j0 + jc, nc, pc, kc, pB);
      const beta = pc > 0 || accumulate != 0;
      for (let ic = 0; ic < M; ic += mcMax) {
        const mc = min(mcMax, M - ic);
        let pa = pA;
        if (packedA) pa = packedA + ((<usize>pc * <usize>roundUp(M, GEMM_MR) + <usize>ic * <usize>kc) << 4);
        else packSplatA(mc, kc, a + <usize>ic * aRow + <usize>pc * aCol, aRow, aCol, pA);
        macroKernel(mc, nc, kc, pa, pB, c + (<usize>(ic * ldc + jc) << 2), ldc, beta, tile);
      }
    }
  }
}
