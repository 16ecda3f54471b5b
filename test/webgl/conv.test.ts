// Convolutions on WebGL at sizes the op tests do not reach: every block shape, matrix-texture and
// flat-layout kernels, aligned and unaligned widths, strides, many channels, split reductions in the
// filter gradient; forward, input gradient and filter gradient kernels against float64 loops.
import { suite } from 'uvu';
import * as fr from '../../src/index.js';
import { BACKEND } from '../helpers/backend.js';
import { assertClose, maxAbs } from '../helpers/close.js';
import { type ConvShape, conv2dBackwardFilterRef, conv2dBackwardInputRef, conv2dRef } from '../reference/dense.js';
import { convTiles } from '../../src/backends/webgl/kernels/conv.js';
import * as assert from 'uvu/assert';
import type { WebGLBackend } from '../../src/backends/webgl/backend.js';

const test = suite('webgl: conv2d kernels');

const rand = (n: number, seed: number) => {
  const r = new fr.Rng(seed);
  return Float64Array.from({ length: n }, () => Math.fround(r.uniform(-1, 1)));
};
const shapes: ConvShape[] = [
  { N: 2, C: 9, H: 12, W: 16, OC: 12, KH: 3, KW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1 },
  { N: 1, C: 3, H: 23, W: 19, OC: 10, KH: 3, KW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1 },
  { N: 1, C: 16, H: 11, W: 13, OC: 5, KH: 5, KW: 3, strideH: 2, strideW: 2, padH: 2, padW: 0 },
  { N: 2, C: 4, H: 40, W: 44, OC: 8, KH: 1, KW: 1, strideH: 1, strideW: 1, padH: 0, padW: 0 },
  { N: 1, C: 2, H: 64, W: 70, OC: 3, KH: 3, KW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1 }, // long filter-gradient reduction
];

function check(s: ConvShape, label: string): void {
  const [OH, OW] = [Math.floor((s.H + 2 * s.padH - s.KH) / s.strideH) + 1, Math.floor((s.W + 2 * s.padW - s.KW) / s.strideW) + 1];
  const x = rand(s.N * s.C * s.H * s.W, 1),
    w = rand(s.OC * s.C * s.KH * s.KW, 2),
    b = rand(s.OC, 3),
    dy = rand(s.N * s.OC * OH * OW, 4);
  const xt = fr.tensor(Float32Array.from(x), [s.N, s.C, s.H, s.W]),
    wt = fr.tensor(Float32Array.from(w), [s.OC, s.C, s.KH, s.KW]);
  const bt = fr.tensor(Float32Array.from(b)),
    dyt = fr.tensor(Float32Array.from(dy), [s.N, s.OC, OH, OW]);
  const stride: [number, number] = [s.strideH, s.strideW],
    pad: [number, number] = [s.padH, s.padW];
  const k = s.C * s.KH * s.KW;
  const y = fr.conv2d(xt, wt, bt, { stride: [s.strideH, s.strideW], padding: [s.padH, s.padW] });
  const yRef = conv2dRef(s, x, w, b);
  assertClose(y.dataSync(), yRef, 0, 2e-6 * Math.sqrt(k) * Math.max(1, maxAbs(yRef)), `${label} forward`);
  const dx = fr.engine.runKernel('Conv2DBackpropInput', [dyt, wt], { inputShape: xt.shape, stride, pad })[0];
  const dxRef = conv2dBackwardInputRef(s, dy, w);
  assertClose(dx.dataSync(), dxRef, 0, 2e-6 * Math.sqrt(s.OC * s.KH * s.KW) * Math.max(1, maxAbs(dxRef)), `${label} grad input`);
  const dw = fr.engine.runKernel('Conv2DBackpropFilter', [xt, dyt], { filterShape: wt.shape, stride, pad })[0];
  const dwRef = conv2dBackwardFilterRef(s, x, dy);
  assertClose(dw.dataSync(), dwRef, 0, 2e-6 * Math.sqrt(s.N * OH * OW) * Math.max(1, maxAbs(dwRef)), `${label} grad filter`);
  [xt, wt, bt, dyt, y, dx, dw].forEach((t) => t.dispose());
}

test('forward, input and filter gradients vs float64, every block shape', () => {
  const saved = { ...convTiles };
  try {
    for (const [rows, cols, matrix] of [
      [4, 2, 1],
      [4, 1, 1],
      [8, 1, 1],
      [2, 2, 1],
      [1, 1, 1],
      [4, 2, 0],
      [8, 1, 0],
      [1, 1, 0],
    ]) {
      Object.assign(convTiles, { rows, cols, gradRows: rows, gradCols: cols, matrixTextures: !!matrix });
      shapes.forEach((s, i) => check(s, `tiles ${rows}x${cols}${matrix ? '' : ' flat'} shape ${i}`));
      if (BACKEND !== 'webgl') break; // one pass is enough where the tiles do not apply
    }
  } finally {
    Object.assign(convTiles, saved);
  }
  if (BACKEND === 'webgl') {
    const compiled = (fr.engine.backend as unknown as WebGLBackend).programs.compiled();
    for (const p of ['conv2d', 'conv2d_2d', 'conv2d_grad_filter', 'conv2d_grad_filter_2d'])
      assert.ok(compiled.includes(p), `${p} was used`);
  }
});

test.run();
