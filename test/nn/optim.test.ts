// SGD (Caffe form) and Adam (decoupled decay) against float64 reference loops written here: several
// steps with per-parameter LR / decay multipliers, then a state round trip (getState → a fresh
// optimizer → setState) that must continue exactly like the uninterrupted run.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.js';
import '../helpers/backend.js';
import { tol } from '../helpers/backend.js';

const test = suite('nn: optimizers');

interface P {
  name: string;
  w: number[];
  lrMult: number;
  decayMult: number;
}
const rng = new fr.Rng(5);
const init: P[] = [
  { name: 'a.weight', w: Array.from({ length: 7 }, () => rng.uniform(-1, 1)), lrMult: 1, decayMult: 1 },
  { name: 'a.bias', w: Array.from({ length: 3 }, () => rng.uniform(-1, 1)), lrMult: 2, decayMult: 0 },
];
/** Gradients of step k (fixed, so both sides see the same values). */
const grads = Array.from({ length: 6 }, () => init.map((p) => p.w.map(() => Math.fround(rng.uniform(-2, 2)))));

function engineParams(): fr.Parameter[] {
  return init.map((p) => ({
    name: p.name,
    tensor: fr.tensor(Float32Array.from(p.w), [p.w.length]),
    lrMult: p.lrMult,
    decayMult: p.decayMult,
  }));
}

function run(opt: fr.Optimizer, params: fr.Parameter[], from: number, to: number): void {
  for (let k = from; k < to; k++) {
    params.forEach((p, i) => {
      p.tensor.grad?.dispose();
      p.tensor.grad = fr.tensor(Float32Array.from(grads[k][i]), p.tensor.shape);
    });
    opt.step();
  }
}

function refSgd(steps: number, lr: number, mu: number, wd: number): number[][] {
  const w = init.map((p) => p.w.map(Math.fround)),
    v = init.map((p) => p.w.map(() => 0));
  for (let k = 0; k < steps; k++)
    init.forEach((p, i) =>
      w[i].forEach((_, j) => {
        v[i][j] = mu * v[i][j] + lr * p.lrMult * (grads[k][i][j] + wd * p.decayMult * w[i][j]);
        w[i][j] -= v[i][j];
      }),
    );
  return w;
}

function refAdam(steps: number, lr: number, b1: number, b2: number, eps: number, wd: number): number[][] {
  const w = init.map((p) => p.w.map(Math.fround)),
    m = init.map((p) => p.w.map(() => 0)),
    v = init.map((p) => p.w.map(() => 0));
  for (let k = 0; k < steps; k++)
    init.forEach((p, i) =>
      w[i].forEach((_, j) => {
        const g = grads[k][i][j];
        m[i][j] = b1 * m[i][j] + (1 - b1) * g;
        v[i][j] = b2 * v[i][j] + (1 - b2) * g * g;
        const mh = m[i][j] / (1 - b1 ** (k + 1)),
          vh = v[i][j] / (1 - b2 ** (k + 1));
        w[i][j] -= lr * p.lrMult * (mh / (Math.sqrt(vh) + eps) + wd * p.decayMult * w[i][j]);
      }),
    );
  return w;
}

function close(params: fr.Parameter[], want: number[][], what: string): void {
  params.forEach((p, i) => {
    const got = p.tensor.dataSync();
    want[i].forEach((x, j) =>
      assert.ok(Math.abs(got[j] - x) <= tol(1e-5) * (1 + Math.abs(x)), `${what} ${p.name}[${j}]: ${got[j]} vs ${x}`),
    );
  });
}

const make = {
  sgd: (ps: fr.Parameter[]) => new fr.SGD(ps, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 }),
  adam: (ps: fr.Parameter[]) => new fr.Adam(ps, { lr: 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.01 }),
};
const ref = { sgd: (n: number) => refSgd(n, 0.1, 0.9, 0.01), adam: (n: number) => refAdam(n, 0.05, 0.8, 0.99, 1e-6, 0.01) };

for (const kind of ['sgd', 'adam'] as const) {
  test(`${kind}: 6 steps match the float64 loop (bias at 2× LR, no decay)`, () => {
    const ps = engineParams(),
      opt = make[kind](ps);
    run(opt, ps, 0, 6);
    close(ps, ref[kind](6), kind);
    opt.dispose();
    ps.forEach((p) => {
      p.tensor.grad?.dispose();
      p.tensor.dispose();
    });
  });

  test(`${kind}: state round trip continues exactly`, () => {
    const ps = engineParams(),
      opt = make[kind](ps);
    run(opt, ps, 0, 3);
    const state = opt.getState();
    const ps2 = ps.map((p) => ({ ...p, tensor: fr.tensor(p.tensor.dataSync() as Float32Array, p.tensor.shape) }));
    const opt2 = make[kind](ps2);
    opt2.setState(state);
    assert.is(opt2.steps, 3);
    run(opt2, ps2, 3, 6);
    close(ps2, ref[kind](6), `${kind} resumed`);
    for (const o of [opt, opt2]) o.dispose();
    [...ps, ...ps2].forEach((p) => {
      p.tensor.grad?.dispose();
      p.tensor.dispose();
    });
  });
}

test('adam: bad settings and unknown state entries are errors', () => {
  const ps = engineParams();
  assert.throws(() => new fr.Adam(ps, { lr: 0 }), /lr must be > 0/);
  assert.throws(() => new fr.Adam(ps, { lr: 1, beta2: 1 }), /betas/);
  const opt = new fr.Adam(ps, { lr: 0.1 });
  assert.throws(() => opt.setState({ step: 1, lr: 0.1, buffers: { 'm:nope': { shape: [1], data: [0] } } }), /m:nope/);
  opt.dispose();
  ps.forEach((p) => p.tensor.dispose());
});

test.run();
