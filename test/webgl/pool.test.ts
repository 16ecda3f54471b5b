// Max pooling kernels at the kernel level (any backend): y and argmax switches with ties, NaN,
// -Infinity and padding-only windows; the gradient kernel with the window geometry in the attrs, and
// the same gradient through maxPool2d's rule, against float64 loops.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.js';
import { assertClose, assertEqualArrays } from '../helpers/close.js';
import { type PoolShape, maxPool2dBackwardRef, maxPool2dRef, poolOutSize } from '../reference/dense.js';

const test = suite('webgl: max pooling kernels');

const shapes: PoolShape[] = [
  { N: 2, C: 3, H: 8, W: 8, KH: 2, KW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0 },
  { N: 1, C: 5, H: 13, W: 11, KH: 3, KW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 },
  { N: 1, C: 2, H: 9, W: 10, KH: 3, KW: 2, strideH: 1, strideW: 2, padH: 0, padW: 1 },
  { N: 1, C: 2, H: 5, W: 5, KH: 2, KW: 2, strideH: 3, strideW: 3, padH: 2, padW: 2 }, // padding-only windows
  { N: 2, C: 16, H: 40, W: 53, KH: 2, KW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0 },
  { N: 1, C: 3, H: 12, W: 16, KH: 3, KW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 }, // rows of 4, overlapping
  { N: 2, C: 4, H: 24, W: 32, KH: 2, KW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0 }, // rows of 4, disjoint
];

test('forward y and argmax, backward (kernel and gradient rule) vs float64', () => {
  shapes.forEach((s, si) => {
    const n = s.N * s.C * s.H * s.W;
    const r = new fr.Rng(si + 1);
    // small integers: many ties; a few NaN and -Infinity
    const x = Float32Array.from({ length: n }, (_, i) => (i % 97 === 5 ? NaN : i % 89 === 7 ? -Infinity : Math.floor(r.uniform(-4, 4))));
    const [OH, OW] = poolOutSize(s);
    const dyv = Float32Array.from({ length: s.N * s.C * OH * OW }, () => Math.fround(r.uniform(-1, 1)));
    const xt = fr.tensor(x, [s.N, s.C, s.H, s.W]),
      dy = fr.tensor(dyv, [s.N, s.C, OH, OW]);
    const attrs = {
      kernel: [s.KH, s.KW] as [number, number],
      stride: [s.strideH, s.strideW] as [number, number],
      pad: [s.padH, s.padW] as [number, number],
    };
    const [y, arg] = fr.engine.runKernel('MaxPool2D', [xt], attrs);
    const ref = maxPool2dRef(s, x);
    assertEqualArrays(y.dataSync(), Float32Array.from(ref.y), `shape ${si} y`);
    assert.is(arg.dtype, 'int32');
    assertEqualArrays(arg.dataSync(), ref.argmax, `shape ${si} argmax`);
    const dxRef = maxPool2dBackwardRef(s, x, dyv);
    const withGeometry = fr.engine.runKernel('MaxPool2DGrad', [dy, arg], { inputShape: xt.shape, ...attrs })[0];
    assertClose(withGeometry.dataSync(), dxRef, 1e-6, 1e-6, `shape ${si} dx (gather)`);
    // the rule the tape runs (the kernel directly: maxPool2d rejects the padding-only windows of shape 3)
    const viaRule = fr.grad((t) => {
      const [yy, aa] = fr.engine.runKernel('MaxPool2D', [t], attrs);
      aa.dispose();
      return fr.sum(fr.mul(yy, dy));
    })(xt);
    assertClose(viaRule.dataSync(), dxRef, 1e-6, 1e-6, `shape ${si} dx (maxPool2d's gradient rule)`);
    [xt, dy, y, arg, withGeometry, viaRule].forEach((t) => t.dispose());
  });
});

test.run();
