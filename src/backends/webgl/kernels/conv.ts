// Convolutions on WebGL as implicit GEMMs (no im2col matrix): the input is repacked once with its
// zero padding and four channels per texel (conv_pack_input.glsl), the filter likewise
// (conv_pack_filter.glsl), then conv2d.glsl computes blocks of output channels × output columns
// through several render targets and conv_merge.glsl gathers them into NCHW (adding the bias).
// The input gradient is the same forward kernel on dy spread out by the stride and the flipped,
// transposed filter; the filter gradient has its own kernel (conv2d_grad_filter.glsl), split over
// the positions it sums and merged by conv_filter_merge.glsl. When the repacked operands fit a
// texture as matrices (a row of the image per texture row), the *_2d.glsl kernels read them with no
// address arithmetic per fetch; otherwise the flat layout.
import { convOutHW } from '../../../core/conv.js';
import { Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput } from '../../../core/kernels.js';
import type { TensorInfo } from '../../../core/backend.js';
import { registerKernel } from '../../registry.js';
import { sizeOf } from '../../../core/types.js';
import type { WebGLBackend } from '../backend.js';
import type { Tex } from '../texture_pool.js';
import { elementwise } from './elementwise.js';
import { fitTargets, packMatrix, splitsFor } from './matmul.js';
import { padTensor } from './shape.js';

/** Block shapes: forward R output channels × 4·PB columns; filter gradient R × 4·CBV channels. */
export const convTiles = { rows: 4, cols: 2, gradRows: 4, gradCols: 2, matrixTextures: true };

interface Packed {
  tex: Tex;
  Hp: number;
  Wp: number;
  C4: number;
  matrix: boolean;
}

/** Whether a matrix of `rows` rows × `texels` texels fits a texture (and matrices are wanted). */
function fits(be: WebGLBackend, texels: number, rows: number): boolean {
  return convTiles.matrixTextures && texels <= be.caps.maxTextureSize && rows <= be.caps.maxTextureSize;
}

/** X'[n, hp, wp, c4] from x [N, C, H, W]: source (hp − padT)/dilH etc. (see conv_pack_input.glsl). */
function packInput(
  be: WebGLBackend,
  x: TensorInfo,
  Hp: number,
  Wp: number,
  padT: number,
  padL: number,
  dilH = 1,
  dilW = 1,
  matrix = true,
): Packed {
  const [N, C, H, W] = x.shape;
  const C4 = Math.ceil(C / 4);
  const texels = N * Hp * Wp * C4;
  matrix = matrix && fits(be, Wp * C4, N * Hp);
  const tex = matrix ? be.temp2D(Wp * C4, N * Hp) : be.temp(texels * 4);
  be.run({
    program: 'conv_pack_input',
    defines: { MATRIX: matrix ? 1 : 0 },
    inputs: { x },
    uniforms: { C, H, W, C4, Hp, Wp, padT, padL, dilH, dilW, rowTexels: Wp * C4 },
    output: tex,
    texels,
    cost: 4,
  });
  return { tex, Hp, Wp, C4, matrix };
}

/** W'[out, kh, kw, in4] (FLIP: the transposed, flipped filter of the input gradient). */
function packFilter(be: WebGLBackend, w: TensorInfo, flip: boolean, matrix: boolean): { tex: Tex; out: number; in4: number } {
  const [O, I, KH, KW] = w.shape;
  const out = flip ? I : O,
    in4 = Math.ceil((flip ? O : I) / 4);
  const texels = out * KH * KW * in4;
  const tex = matrix ? be.temp2D(KH * KW * in4, out) : be.temp(texels * 4);
  be.run({
    program: 'conv_pack_filter',
    defines: { FLIP: flip ? 1 : 0, MATRIX: matrix ? 1 : 0 },
    inputs: { w },
    uniforms: { O, I, KH, KW, IN4: in4, rowTexels: KH * KW * in4 },
    output: tex,
    texels,
    cost: 4,
  });
  return { tex, out, in4 };
}

/** The filter packed the way the packed input `X` is read (a matrix when both fit). */
function packFilterFor(be: WebGLBackend, X: Packed, w: TensorInfo, flip: boolean): { tex: Tex; out: number; in4: number; matrix: boolean } {
  const [O, I, KH, KW] = w.shape;
  const matrix = X.matrix && fits(be, KH * KW * Math.ceil((flip ? O : I) / 4), flip ? I : O);
  return { ...packFilter(be, w, flip, matrix), matrix };
}

/** y [N, OC, OH, OW] = stride-(sH, sW) correlation of the packed input with the packed filter (+ bias). */
function convPacked(
  be: WebGLBackend,
  X: Packed,
  Wt: { tex: Tex; out: number; matrix: boolean },
  N: number,
  OH: number,
  OW: number,
  KH: number,
  KW: number,
  strideH: number,
  strideW: number,
  bias?: TensorInfo,
): TensorInfo {
  const OC = Wt.out;
  let R = convTiles.rows,
    PB = convTiles.cols;
  if (OW <= 4) {
    PB = 1;
    R = Math.min(8, R * convTiles.cols);
  }
  if (OC <= 4) {
    R = Math.min(R, OC <= 1 ? 1 : OC <= 2 ? 2 : 4);
  }
  [R, PB] = fitTargets(R, PB, be.caps.maxDrawBuffers);
  const OWB = Math.ceil(OW / (4 * PB)),
    OCB = Math.ceil(OC / R);
  const blocks = N * OCB * OH * OWB;
  const parts = be.temp(blocks * 4, R * PB);
  be.run({
    program: X.matrix && Wt.matrix ? 'conv2d_2d' : 'conv2d',
    defines: { R, PB },
    inputs: { x: X.tex, w: Wt.tex },
    uniforms: { OH, OWB, OCB, Hp: X.Hp, Wp: X.Wp, C4: X.C4, KH, KW, strideH, strideW },
    output: parts,
    texels: blocks,
    cost: KH * KW * X.C4 * (R + 4 * PB),
  });
  const y = be.out([N, OC, OH, OW]);
  be.run({
    program: 'conv_merge',
    defines: { R, PB, VEC: OW % 4 === 0 ? 1 : 0, BIAS: bias ? 1 : 0 },
    inputs: bias ? { parts, bias } : { parts },
    uniforms: { OC, OH, OW, OWB, OCB },
    output: be.texOf(y),
    texels: Math.ceil(sizeOf(y.shape) / 4),
    cost: OW % 4 === 0 ? 1 : 4,
  });
  be.releaseTemp(parts);
  return y;
}

function conv2dForward(
  be: WebGLBackend,
  x: TensorInfo,
  w: TensorInfo,
  bias: TensorInfo | undefined,
  stride: number[],
  pad: number[],
): TensorInfo {
  const [N, C] = x.shape,
    [OC, , KH, KW] = w.shape;
  const [OH, OW] = convOutHW(x.shape, [KH, KW], stride, pad);
  if (N * OC * OH * OW === 0) return be.out([N, OC, OH, OW]);
  if (C === 0)
    return bias
      ? elementwise(be, [N, OC, OH, OW], 'float32', 'A', [{ t: bias, strides: [0, 1, 0, 0] }])
      : elementwise(be, [N, OC, OH, OW], 'float32', 'vec4(0.0)', []);
  let X = packInput(be, x, (OH - 1) * stride[0] + KH, (OW - 1) * stride[1] + KW, pad[0], pad[1]);
  const Wt = packFilterFor(be, X, w, false);
  if (X.matrix && !Wt.matrix) {
    be.releaseTemp(X.tex);
    X = packInput(be, x, X.Hp, X.Wp, pad[0], pad[1], 1, 1, false);
  }
  const y = convPacked(be, X, Wt, N, OH, OW, KH, KW, stride[0], stride[1], bias);
  be.releaseTemp(X.tex);
  be.releaseTemp(Wt.tex);
  return y;
}

/** dx [N, C, H, W]: the stride-1 correlation of dy spread out by the stride with the flipped, transposed filter. */
function conv2dGradInput(
  be: WebGLBackend,
  dy: TensorInfo,
  w: TensorInfo,
  inputShape: number[],
  stride: number[],
  pad: number[],
): TensorInfo {
  const [N, C, H, W] = inputShape,
    [OC, , KH, KW] = w.shape;
  if (N * C * H * W === 0) return be.out(inputShape.slice());
  if (OC === 0 || sizeOf(dy.shape) === 0) return elementwise(be, inputShape.slice(), 'float32', 'vec4(0.0)', []);
  let X = packInput(be, dy, H + KH - 1, W + KW - 1, KH - 1 - pad[0], KW - 1 - pad[1], stride[0], stride[1]);
  const Wt = packFilterFor(be, X, w, true);
  if (X.matrix && !Wt.matrix) {
    be.releaseTemp(X.tex);
    X = packInput(be, dy, X.Hp, X.Wp, KH - 1 - pad[0], KW - 1 - pad[1], stride[0], stride[1], false);
  }
  const dx = convPacked(be, X, Wt, N, H, W, KH, KW, 1, 1);
  be.releaseTemp(X.tex);
  be.releaseTemp(Wt.tex);
  return dx;
}

function conv2dGradFilter(
  be: WebGLBackend,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: number[],
  stride: number[],
  pad: number[],
): TensorInfo {
  const [N, C, ,] = x.shape,
    [OC, , KH, KW] = filterShape,
    [, , OH, OW] = dy.shape;
  if (sizeOf(filterShape) === 0) return be.out(filterShape.slice());
  if (N * OH * OW === 0) return elementwise(be, filterShape.slice(), 'float32', 'vec4(0.0)', []);
  const Q = Math.ceil(OW / 4),
    OW4 = Q * 4;
  const matrix = fits(be, Q, N * OC * OH);
  const X = packInput(be, x, (OH - 1) * stride[0] + KH, (OW4 - 1) * stride[1] + KW, pad[0], pad[1], 1, 1, matrix);
  // dy with rows padded to whole texels: a matrix texture (Q texels per (n, oc, oh) row), or flat
  const dyM = X.matrix ? packMatrix(be, { dataId: dy.dataId, shape: [N * OC * OH, OW], dtype: 'float32' }, N * OC * OH, Q) : null;
  const dyP = dyM
    ? null
    : OW4 === OW
      ? dy
      : padTensor(be, dy, [
          [0, 0],
          [0, 0],
          [0, 0],
          [0, OW4 - OW],
        ]);
  let R = convTiles.gradRows,
    CBV = convTiles.gradCols;
  if (X.C4 === 1) {
    CBV = 1;
    R = Math.min(8, R * convTiles.gradCols);
  }
  if (OC <= 4) R = Math.min(R, OC <= 1 ? 1 : OC <= 2 ? 2 : 4);
  [R, CBV] = fitTargets(R, CBV, be.caps.maxDrawBuffers);
  const CBB = Math.ceil(X.C4 / CBV),
    OCB = Math.ceil(OC / R);
  const blocks = OCB * KH * KW * CBB;
  const G = N * OH * Q;
  const splits = splitsFor(blocks, G);
  const gPer = Math.ceil(G / splits);
  const parts = be.temp(splits * blocks * 4, R * CBV);
  be.run({
    program: X.matrix ? 'conv2d_grad_filter_2d' : 'conv2d_grad_filter',
    defines: { R, CBV },
    inputs: { x: X.tex, dy: dyM ?? dyP! },
    uniforms: { blocks, CBB, KH, KW, OC, OH, Q, G, gPer, Hp: X.Hp, Wp: X.Wp, C4: X.C4, strideH: stride[0], strideW: stride[1] },
    output: parts,
    texels: splits * blocks,
    cost: gPer * (R + 4 * CBV),
  });
  if (dyM) be.releaseTemp(dyM);
  else if (dyP !== dy) be.decRef(dyP!.dataId);
  be.releaseTemp(X.tex);
  const dw = be.out(filterShape.slice());
  const total = sizeOf(filterShape);
  be.run({
    program: 'conv_filter_merge',
    defines: { R, CBV },
    inputs: { parts },
    uniforms: { total, C, KH, KW, blocks, CBB, splits },
    output: be.texOf(dw),
    texels: Math.ceil(total / 4),
    cost: 4 * splits,
  });
  be.releaseTemp(parts);
  return dw;
}

registerKernel('webgl', Conv2D, ([x, w, bias], { stride, pad }, bk) => [conv2dForward(bk as WebGLBackend, x, w, bias, stride, pad)]);
registerKernel('webgl', Conv2DBackpropInput, ([dy, w], { inputShape, stride, pad }, bk) => [
  conv2dGradInput(bk as WebGLBackend, dy, w, inputShape, stride, pad),
]);
registerKernel('webgl', Conv2DBackpropFilter, ([x, dy], { filterShape, stride, pad }, bk) => [
  conv2dGradFilter(bk as WebGLBackend, x, dy, filterShape, stride, pad),
]);
