// Dense kernels on the WASM backend: matmul, conv2d and its two backward passes, max pooling
// (assembly/gemm.ts, conv.ts, pool.ts). Scratch for packing / im2col is allocated per call. Matmul
// and the convolutions run on the kernel threads (../threads.ts) when they are large enough.
import { convOutHW } from '../../../core/conv.js';
import { Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput, MatMul, MaxPool2D, MaxPool2DGrad } from '../../../core/kernels.js';
import { registerKernel } from '../../registry.js';
import { sizeOf } from '../../../core/types.js';
import type { WasmBackend } from '../backend.js';
import { parallelRange, threadsFor } from '../threads.js';

registerKernel('wasm', MatMul, ([a, b], { transA, transB }, bk) => {
  const be = bk as WasmBackend;
  const M = transA ? a.shape[1] : a.shape[0],
    K = transA ? a.shape[0] : a.shape[1];
  const N = transB ? b.shape[0] : b.shape[1];
  const y = be.out([M, N]);
  const e = be.m.exports;
  if (M * N === 0) return [y];
  if (K === 0) {
    e.ewFill(be.ptr(y), M * N, 0);
    return [y];
  }
  // Threads split the rows of C (each packs all of op(B)) or, when C is much wider than tall, its
  // columns (each packs all of op(A), 4 floats per value).
  const splitCols = N > 4 * M ? 1 : 0;
  parallelRange(
    be.m,
    'gemmRange',
    [M, N, K, be.ptr(a), a.shape[1], transA ? 1 : 0, be.ptr(b), b.shape[1], transB ? 1 : 0, be.ptr(y), N, 0, splitCols],
    splitCols ? N : M,
    { unit: splitCols ? 8 : 4, scratchBytes: e.gemmBlockScratchBytes(M, N, K), work: 2 * M * N * K },
  );
  return [y];
});

/**
 * 'auto' (Winograd where it pays), 'auto-f2' (the same without F(4×4, 3×3): benches), or one algorithm
 * for every 3×3 stride-1 convolution (tests, benches): 'direct' (im2col), 'winograd' (F(2×2, 3×3)),
 * 'winograd4' (F(4×4, 3×3)).
 */
export type ConvAlgorithm = 'auto' | 'auto-f2' | 'direct' | 'winograd' | 'winograd4';
let convAlgorithm: ConvAlgorithm = 'auto';

/** Tests and benches: force the forward convolution's algorithm; returns the previous choice. */
export function setConvAlgorithm(a: ConvAlgorithm): ConvAlgorithm {
  const old = convAlgorithm;
  convAlgorithm = a;
  return old;
}

// Winograd for 3×3 stride-1 forward convolutions: F(2×2, 3×3) has 2.25× fewer multiplies, F(4×4, 3×3)
// 4×, but their transforms cost about as much as a GEMM with few channels, so 'auto' needs enough
// of them. Returns the output tile size (0: im2col); the threads bench asks it too.
export function useWinograd(N: number, C: number, OC: number, KH: number, KW: number, stride: number[], OH: number, OW: number): 0 | 2 | 4 {
  if (convAlgorithm === 'direct' || KH !== 3 || KW !== 3 || stride[0] !== 1 || stride[1] !== 1 || OH < 1 || OW < 1) return 0;
  if (convAlgorithm === 'winograd') return 2;
  if (convAlgorithm === 'winograd4') return 4;
  // F(4×4), measured on one thread: 1.4–2× faster than F(2×2) from 64→64 channels up (VGG16's
  // layers; 64→128 on 30×40 1.1×); its larger transforms round more (tests bound both against
  // float64), and with few tiles each of its 36 GEMMs repacks the filters for little work.
  if (convAlgorithm === 'auto' && C >= 64 && OC >= 64 && N * ((OH + 3) >> 2) * ((OW + 3) >> 2) >= 64) return 4;
  // F(2×2), measured on one thread: 16→32 channels 1.3× faster, 16→16 1.1× slower (and the input
  // gradient 32→16 on 120×120 1.2× slower: the GEMMs have only 16 rows); VGG16's layers 1.4–1.9×
  // faster; the input gradients 64→32 to 128→128 1.15–1.25× faster; but with few tiles each of the
  // 16 GEMMs repacks its [OC × C] filter matrix for little work (14×14 256→256, 49 tiles: 1.1× slower).
  return C >= 16 && OC >= 32 && N * ((OH + 1) >> 1) * ((OW + 1) >> 1) >= 64 ? 2 : 0;
}

// Blocks per thread: more balance the load when one core is also busy elsewhere, but each block
// packs the filter matrix again, so a block keeps at least `minBlock` units of work.
function blocksPerThread(m: WasmBackend['m'], total: number, minBlock: number): number {
  return Math.max(1, Math.min(4, Math.floor(total / (threadsFor(m) * minBlock))));
}

// y[N][OC][OH][OW] = x[N][C][H][W] ⋆ w[OC][C][3][3] (+ bias) by F(t×t, 3×3), stride 1 (t = 2 or 4):
// the filters transformed and packed once (threads: blocks of output channels), then threads take
// blocks of t×t output tiles.
function winogradForward(
  be: WasmBackend,
  t: 2 | 4,
  x: number,
  N: number,
  C: number,
  H: number,
  W: number,
  w: number,
  OC: number,
  pad: number[],
  bias: number,
  y: number,
  OH: number,
  OW: number,
): void {
  const e = be.m.exports;
  const k = t === 4 ? WINOGRAD4 : WINOGRAD2;
  const tiles = N * Math.ceil(OH / t) * Math.ceil(OW / t);
  // the transformed filters packed once for all blocks only while they stay in cache (see winograd.ts)
  const pack = winogradPacksOnce(be.m, t, OC, C);
  const bytes = pack ? e[k.filterBytes](OC, C) : e[k.packedOffset](OC, C);
  be.withScratch(bytes, (u) => {
    parallelRange(be.m, k.filter, [w, OC, C, u, pack], e[k.filterUnits](OC), {
      scratchBytes: e[k.filterScratchBytes](),
      work: (t + 2) * (t + 2) * (pack ? 20 : 4) * OC * C, // bytes written, about
    });
    parallelRange(be.m, k.range, [x, N, C, H, W, u, pack, OC, pad[0], pad[1], bias, y, OH, OW], tiles, {
      unit: 8,
      blocksPerThread: blocksPerThread(be.m, tiles, 128), // each block's GEMMs take 128 tiles at once anyway
      scratchBytes: e[k.scratchBytes](C, OC, OW),
      work: 18 * N * OC * OH * OW * C,
    });
  });
}

// The transformed filters are packed once (4 floats per value) while all of them fit in this; larger
// ones are packed by each block's gemm into L2 (winograd.ts; the same bits either way).
const PACK_ONCE_BYTES = 4 << 20;

/** 1 when F(t×t, 3×3)'s transformed filters are packed once per call, 0 when by each block (benches use it too). */
export function winogradPacksOnce(m: WasmBackend['m'], t: 2 | 4, OC: number, C: number): 0 | 1 {
  return (t + 2) * (t + 2) * m.exports.gemmPackedABytes(OC, C) <= PACK_ONCE_BYTES ? 1 : 0;
}

// The two Winograd kernels' exports (assembly/winograd.ts, winograd4.ts).
export const WINOGRAD2 = {
  filterBytes: 'conv2dWinogradFilterBytes',
  filter: 'conv2dWinogradFilterRange',
  filterUnits: 'conv2dWinogradFilterUnits',
  filterScratchBytes: 'conv2dWinogradFilterScratchBytes',
  packedOffset: 'conv2dWinogradPackedOffset',
  scratchBytes: 'conv2dWinogradScratchBytes',
  range: 'conv2dWinogradRange',
} as const;
export const WINOGRAD4 = {
  filterBytes: 'conv2dWinograd4FilterBytes',
  filter: 'conv2dWinograd4FilterRange',
  filterUnits: 'conv2dWinograd4FilterUnits',
  filterScratchBytes: 'conv2dWinograd4FilterScratchBytes',
  packedOffset: 'conv2dWinograd4PackedOffset',
  scratchBytes: 'conv2dWinograd4ScratchBytes',
  range: 'conv2dWinograd4Range',
} as const;

registerKernel('wasm', Conv2D, (inputs, { stride, pad }, bk) => {
  const be = bk as WasmBackend;
  const [x, w, bias] = inputs;
  const [N, C, H, W] = x.shape,
    [OC, , KH, KW] = w.shape;
  const [OH, OW] = convOutHW(x.shape, [KH, KW], stride, pad);
  const y = be.out([N, OC, OH, OW]);
  const e = be.m.exports;
  const wino = useWinograd(N, C, OC, KH, KW, stride, OH, OW);
  if (wino) {
    winogradForward(be, wino, be.ptr(x), N, C, H, W, be.ptr(w), OC, pad, bias ? be.ptr(bias) : 0, be.ptr(y), OH, OW);
    return [y];
  }
  // threads: blocks of output positions (whole GEMM column panels), all channels each
  parallelRange(
    be.m,
    'conv2dForwardRange',
    [be.ptr(x), N, C, H, W, be.ptr(w), OC, KH, KW, stride[0], stride[1], pad[0], pad[1], bias ? be.ptr(bias) : 0, be.ptr(y), OH, OW],
    N * OH * OW,
    {
      unit: 8,
      blocksPerThread: blocksPerThread(be.m, N * OH * OW, 1024), // gemm packs the filters per 1024 columns anyway
      scratchBytes: e.conv2dBlockScratchBytes(N, C, H, W, OC, KH, KW, OH, OW),
      work: 2 * N * OC * OH * OW * C * KH * KW,
    },
  );
  return [y];
});

registerKernel('wasm', Conv2DBackpropInput, ([dy, w], { inputShape, stride, pad }, bk) => {
  const be = bk as WasmBackend;
  const [N, C, H, W] = inputShape,
    [OC, , KH, KW] = w.shape,
    [, , OH, OW] = dy.shape;
  const dx = be.out(inputShape.slice());
  const e = be.m.exports;
  // stride 1: dx is a forward convolution of dy with the flipped filter, made once here; threads
  // take blocks of input positions. Other strides: blocks of input channels (col2im adds into the
  // planes of its own channels only).
  const stride1 = stride[0] === 1 && stride[1] === 1;
  const flip = stride1 && !(KH === 1 && KW === 1 && pad[0] === 0 && pad[1] === 0);
  // 3×3 with padding up to 2: that forward convolution (pad 2 − p) by Winograd where it pays
  const wino = flip && pad[0] <= 2 && pad[1] <= 2 && useWinograd(N, OC, C, KH, KW, stride, H, W);
  be.withScratch(flip ? e.conv2dFlippedBytes(C, OC, KH, KW) : 0, (flipped) => {
    // the flip by blocks of output channels too: on one thread it is ~10% of a 256→256 dx on 14×14
    const work = 2 * N * OC * OH * OW * C * KH * KW;
    if (flip)
      parallelRange(be.m, 'conv2dFlipFilterRange', [be.ptr(w), OC, C, KH, KW, flipped], OC, {
        unit: 16,
        work,
        scratchBytes: 0,
        scratchOffsets: [],
      });
    if (wino) {
      winogradForward(be, wino, be.ptr(dy), N, OC, OH, OW, flipped, C, [KH - 1 - pad[0], KW - 1 - pad[1]], 0, be.ptr(dx), H, W);
      return;
    }
    parallelRange(
      be.m,
      'conv2dBackwardInputRange',
      [be.ptr(dy), N, C, H, W, be.ptr(w), OC, KH, KW, stride[0], stride[1], pad[0], pad[1], OH, OW, be.ptr(dx), flipped],
      e.conv2dBackwardInputUnits(N, C, H, W, stride[0], stride[1]),
      {
        unit: stride1 ? 8 : 1,
        scratchBytes: e.conv2dBlockScratchBytes(N, C, H, W, OC, KH, KW, OH, OW),
        work,
      },
    );
  });
  return [dx];
});

registerKernel('wasm', Conv2DBackpropFilter, ([x, dy], { filterShape, stride, pad }, bk) => {
  const be = bk as WasmBackend;
  const [N, C, H, W] = x.shape,
    [OC, , KH, KW] = filterShape,
    [, , OH, OW] = dy.shape;
  const dw = be.out(filterShape.slice());
  const e = be.m.exports;
  // threads: blocks of dW columns (c, kh, kw), all OC rows, each summed over the batch in order
  parallelRange(
    be.m,
    'conv2dBackwardFilterRange',
    [be.ptr(x), be.ptr(dy), N, C, H, W, OC, KH, KW, stride[0], stride[1], pad[0], pad[1], OH, OW, be.ptr(dw)],
    C * KH * KW,
    { unit: 8, scratchBytes: e.conv2dBlockScratchBytes(N, C, H, W, OC, KH, KW, OH, OW), work: 2 * N * OC * OH * OW * C * KH * KW },
  );
  return [dw];
});

registerKernel('wasm', MaxPool2D, ([x], { kernel, stride, pad }, bk) => {
  const be = bk as WasmBackend;
  const [N, C, H, W] = x.shape;
  const [OH, OW] = convOutHW(x.shape, kernel, stride, pad);
  const y = be.out([N, C, OH, OW]);
  const arg = be.out([N, C, OH, OW], 'int32');
  // threads: blocks of planes (n, c)
  parallelRange(
    be.m,
    'maxPool2dForwardRange',
    [be.ptr(x), H, W, kernel[0], kernel[1], stride[0], stride[1], pad[0], pad[1], OH, OW, be.ptr(y), be.ptr(arg)],
    N * C,
    { scratchBytes: 0, scratchOffsets: [], work: N * C * OH * OW * kernel[0] * kernel[1] * 4 },
  );
  return [y, arg];
});

registerKernel('wasm', MaxPool2DGrad, ([dy, arg], { inputShape }, bk) => {
  const be = bk as WasmBackend;
  const [N, C, H, W] = inputShape,
    [, , OH, OW] = dy.shape;
  const dx = be.out(inputShape.slice());
  if (sizeOf(inputShape) === 0) return [dx];
  // threads: blocks of planes (a switch points into its own plane)
  parallelRange(be.m, 'maxPool2dBackwardRange', [be.ptr(dy), be.ptr(arg), H, W, OH, OW, be.ptr(dx)], N * C, {
    scratchBytes: 0,
    scratchOffsets: [],
    work: N * C * (H * W + OH * OW) * 4,
  });
  return [dx];
});
