// MatMul on WebGL: blocks of R × 4·CB outputs per fragment through R·CB render targets, then one
// pass that gathers the blocks into C's flat layout (and sums split-K partials, and adds a bias when
// fused: matmul_merge.glsl). The operands are first copied into matrix textures (pack_matrix.glsl:
// one matrix row per texture row, zero-padded to whole texels) so the product (matmul_2d.glsl) fetches
// with no address arithmetic, about twice as fast as reading the flat layout; the copies are
// O(size), the product O(M·N·K). Matrices too wide or tall for a texture use matmul.glsl on the flat
// layout (unaligned operands zero-padded first).
import { MatMul } from '../../../core/kernels.js';
import type { TensorInfo } from '../../../core/backend.js';
import { registerKernel } from '../../registry.js';
import type { WebGLBackend } from '../backend.js';
import type { Tex } from '../texture_pool.js';
import { elementwise } from './elementwise.js';
import { padTensor } from './shape.js';

const up4 = (v: number) => Math.ceil(v / 4) * 4;

/**
 * Block shape per fragment: R rows × CB texel columns (R·CB render targets, at most 8); whether to
 * use matrix textures (off: always the flat-layout kernel, for tests).
 */
export const matmulTiles = { rows: 4, cols: 2, matrixTextures: true };

/** x [r, c] as a matrix texture of `rows` rows × `texels` texels (pack_matrix.glsl; zeros past x). */
export function packMatrix(be: WebGLBackend, x: TensorInfo, rows: number, texels: number): Tex {
  const t = be.temp2D(texels, rows);
  be.run({
    program: 'pack_matrix',
    inputs: { x },
    uniforms: { rows: x.shape[0], cols: x.shape[1] },
    output: t,
    texels: texels * rows,
    cost: 1,
  });
  return t;
}

/**
 * Shrinks a block of R × C render targets to the device's draw buffers (WebGL2 guarantees 4) and the
 * shaders' limits (C <= 2, R·C <= 8): C first, then R, never R below `minR`.
 */
export function fitTargets(R: number, C: number, maxTargets: number, minR = 1): [number, number] {
  const max = Math.min(8, maxTargets);
  C = Math.min(C, 2);
  while (R * C > max && C > 1) C--;
  while (R * C > max && R / 2 >= minR) R /= 2;
  return [R, C];
}

/** Splits of K so there are enough fragments to keep the GPU busy and no fragment loops too long. */
export function splitsFor(blocks: number, kTexels: number, minFragments = 2048, maxSteps = 1024): number {
  let s = Math.max(1, Math.ceil(kTexels / maxSteps));
  if (blocks * s < minFragments) s = Math.max(s, Math.min(Math.ceil(minFragments / blocks), Math.ceil(kTexels / 32)));
  return Math.max(1, Math.min(s, kTexels));
}

/** An operand as stored rows padded to whole texels: returns it (or a padded copy) and texels per row. */
function aligned(be: WebGLBackend, x: TensorInfo, rows: number, cols: number): { t: TensorInfo; temp: boolean; rowTexels: number } {
  const [r, c] = x.shape;
  if (r === rows && c === cols) return { t: x, temp: false, rowTexels: cols / 4 };
  return {
    t: padTensor(be, x, [
      [0, rows - r],
      [0, cols - c],
    ]),
    temp: true,
    rowTexels: cols / 4,
  };
}

export function matmul(be: WebGLBackend, a: TensorInfo, b: TensorInfo, transA: boolean, transB: boolean, bias?: TensorInfo): TensorInfo {
  const M = transA ? a.shape[1] : a.shape[0],
    K = transA ? a.shape[0] : a.shape[1];
  const N = transB ? b.shape[0] : b.shape[1];
  if (M * N === 0) return be.out([M, N]);
  if (K === 0) {
    return bias
      ? elementwise(be, [M, N], 'float32', 'A', [{ t: bias, strides: [0, 1] }])
      : elementwise(be, [M, N], 'float32', 'vec4(0.0)', []);
  }
  const K4 = up4(K);
  const nTexels = up4(N) / 4;
  let R = matmulTiles.rows,
    CB = Math.min(matmulTiles.cols, 2, nTexels); // the shader has CB <= 2
  if (nTexels === 1) R = Math.min(8, R * matmulTiles.cols); // a thin C: more rows instead
  if (!transA && M < R) R = M <= 1 ? 1 : M <= 2 ? 2 : 4;
  if (transA) R = Math.max(R, 4);
  [R, CB] = fitTargets(R, CB, be.caps.maxDrawBuffers, transA ? 4 : 1);
  const kt = K4 / 4;
  const nbc = Math.ceil(nTexels / CB);
  const blocks = Math.ceil(M / R) * nbc;
  const splits = splitsFor(blocks, kt);
  const kPer = Math.ceil(kt / splits);
  const parts = be.temp(splits * blocks * 4, R * CB);
  const defines = { R, CB, TRANS_A: transA ? 1 : 0, TRANS_B: transB ? 1 : 0 };
  const cost = kPer * (R + 4 * CB);
  // stored operands: [rows][texels per row] matrices, K padded with zero rows or columns
  const aDims = transA ? [K4, up4(M) / 4] : [M, K4 / 4],
    bDims = transB ? [N, K4 / 4] : [K4, nTexels];
  const max = be.caps.maxTextureSize;
  if (matmulTiles.matrixTextures && [...aDims, ...bDims].every((d) => d <= max)) {
    const A = packMatrix(be, a, aDims[0], aDims[1]),
      B = packMatrix(be, b, bDims[0], bDims[1]);
    be.run({
      program: 'matmul_2d',
      defines,
      inputs: { a: A, b: B },
      uniforms: { blocks, nbc, kt, kPer },
      output: parts,
      texels: splits * blocks,
      cost,
    });
    be.releaseTemp(A);
    be.releaseTemp(B);
  } else {
    const A = transA ? aligned(be, a, K4, up4(M)) : aligned(be, a, M, K4);
    const B = transB ? aligned(be, b, N, K4) : aligned(be, b, K4, up4(N));
    be.run({
      program: 'matmul',
      defines,
      inputs: { a: A.t, b: B.t },
      uniforms: { blocks, nbc, kt, kPer, aRow: A.rowTexels, bRow: B.rowTexels },
      output: parts,
      texels: splits * blocks,
      cost,
    });
    if (A.temp) be.decRef(A.t.dataId);
    if (B.temp) be.decRef(B.t.dataId);
  }
  const y = be.out([M, N]);
  be.run({
    program: 'matmul_merge',
    defines: { R, CB, VEC: N % 4 === 0 ? 1 : 0, BIAS: bias ? 1 : 0 },
    inputs: bias ? { parts, bias } : { parts },
    uniforms: { n: N, blocks, nbc, splits },
    output: be.texOf(y),
    texels: Math.ceil((M * N) / 4),
    cost: splits * (N % 4 === 0 ? 1 : 4),
  });
  be.releaseTemp(parts);
  return y;
}

registerKernel('webgl', MatMul, ([a, b], { transA, transB }, bk) => [matmul(bk as WebGLBackend, a, b, !!transA, !!transB)]);
