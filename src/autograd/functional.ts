// Functional gradients: grad(f)(x), valueAndGrad(f)(...xs). They record on an isolated tape, so they
// neither see nor disturb a training loop's tape or parameters' `.grad`.
import { engine } from '../tensor/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import { tape } from './tape.js';

export interface ValueAndGrads {
  value: Tensor;
  grads: Tensor[];
}

/** Returns f's (scalar) value and its gradients with respect to each argument. */
export function valueAndGrads(f: (...xs: Tensor[]) => Tensor): (...xs: Tensor[]) => ValueAndGrads {
  return (...xs) => {
    if (engine.tape !== tape) throw new Error('grad: the engine records on another tape (call ready() once)');
    const restore = tape.isolate();
    const prev = engine.gradEnabled;
    engine.gradEnabled = true;
    try {
      const leaves = xs.map((x) => {
        const l = engine.share(x);
        l.requiresGrad = true;
        return l;
      });
      const value = f(...leaves);
      const grads = tape.gradients(value, undefined, leaves);
      const out = leaves.map((l) => {
        const g = grads.get(l.id);
        return g ?? engine.makeTensor(new Float32Array(l.size), l.shape, 'float32');
      });
      leaves.forEach((l) => l.dispose());
      // the value stays usable but no longer requires grad
      value.requiresGrad = false;
      return { value, grads: out };
    } finally {
      engine.gradEnabled = prev;
      restore();
    }
  };
}

export function valueAndGrad(f: (x: Tensor) => Tensor): (x: Tensor) => { value: Tensor; grad: Tensor } {
  const vg = valueAndGrads(f);
  return (x) => {
    const { value, grads } = vg(x);
    return { value, grad: grads[0] };
  };
}

/** The gradient of scalar f at x. */
export function grad(f: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  const vg = valueAndGrad(f);
  return (x) => {
    const { value, grad: g } = vg(x);
    value.dispose();
    return g;
  };
}

export function grads(f: (...xs: Tensor[]) => Tensor): (...xs: Tensor[]) => Tensor[] {
  const vg = valueAndGrads(f);
  return (...xs) => {
    const { value, grads: g } = vg(...xs);
    value.dispose();
    return g;
  };
}

export function noGrad<T>(fn: () => T): T {
  return engine.noGrad(fn);
}
