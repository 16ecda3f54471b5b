// Finite-difference gradient check: the engine's analytic gradient (float32, any backend) against
// central differences of a float64 reference loop. The scalar checked is Σ f(x)·g for a fixed random
// projection g, so every output element matters. Also checks the forward values against the reference.
import { Rng, tensor, mul, reshape, sum, tidy, valueAndGrads, type Tensor } from '../../src/index.js';
import { assertClose, maxAbs } from './close.js';

interface GradcheckInput {
  shape: number[];
  data?: ArrayLike<number>;
  differentiable?: boolean;
  dtype?: 'float32' | 'int32';
}

export interface GradcheckCase {
  inputs: GradcheckInput[];
  /** The op under test, on engine tensors. */
  op: (...xs: Tensor[]) => Tensor;
  /** Float64 reference of the same op (inputs as Float64Array, output flat). */
  ref: (...xs: Float64Array[]) => Float64Array;
  eps?: number;
  rtol?: number;
  /** Forward tolerance (relative to the largest |output|). */
  forwardTol?: number;
  seed?: number;
}

export function gradcheck(c: GradcheckCase): void {
  const rng = new Rng(c.seed ?? 1);
  const xs64 = c.inputs.map((inp) => {
    const n = inp.shape.reduce((a, b) => a * b, 1);
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) d[i] = inp.data ? inp.data[i] : rng.uniform(-1, 1);
    if (inp.dtype !== 'int32') for (let i = 0; i < n; i++) d[i] = Math.fround(d[i]); // both sides see the same float32 values
    return d;
  });
  const yRef = c.ref(...xs64);
  const g = new Float64Array(yRef.length);
  for (let i = 0; i < g.length; i++) g[i] = Math.fround(rng.uniform(-1, 1));

  const ts = c.inputs.map((inp, k) =>
    tensor(inp.dtype === 'int32' ? Int32Array.from(xs64[k]) : Float32Array.from(xs64[k]), inp.shape, inp.dtype ?? 'float32'),
  );
  const gT = tensor(Float32Array.from(g), undefined);
  const diffIdx = c.inputs.map((inp, k) => (inp.differentiable === false || inp.dtype === 'int32' ? -1 : k)).filter((k) => k >= 0);

  // forward
  const y = c.op(...ts);
  const yv = y.dataSync();
  assertClose(yv, yRef, 0, (c.forwardTol ?? 1e-5) * Math.max(1, maxAbs(yRef)), 'forward');
  y.dispose();

  // analytic
  const f = (...dx: Tensor[]) => {
    const all = ts.slice();
    diffIdx.forEach((k, j) => {
      all[k] = dx[j];
    });
    const out = c.op(...all);
    return sum(mul(out, reshape(gT, out.shape)));
  };
  const grads = tidy(() => valueAndGrads(f)(...diffIdx.map((k) => ts[k])).grads);

  // numeric, in float64
  const eps = c.eps ?? 1e-3;
  const proj = (xs: Float64Array[]) => {
    const o = c.ref(...xs);
    let s = 0;
    for (let i = 0; i < o.length; i++) s += o[i] * g[i];
    return s;
  };
  diffIdx.forEach((k, j) => {
    const x = xs64[k];
    const num = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      x[i] = v + eps;
      const fp = proj(xs64);
      x[i] = v - eps;
      const fm = proj(xs64);
      x[i] = v;
      num[i] = (fp - fm) / (2 * eps);
    }
    const an = grads[j].dataSync();
    assertClose(an, num, c.rtol ?? 1e-2, (c.rtol ?? 1e-2) * Math.max(1e-3, maxAbs(num)), `gradient of input ${k}`);
    grads[j].dispose();
  });
  ts.forEach((t) => t.dispose());
  gT.dispose();
}
