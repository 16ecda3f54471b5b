// Gradient rules of the shape and reduction kernels.
import { BroadcastTo, Concat, GatherRows, Max, Min, Pad, Reshape, ScatterAddRows, Slice, Sum, Transpose } from '../core/kernels.js';
import type { Tensor } from '../tensor/tensor.js';
import { type GradFunc, registerGradient } from '../autograd/registry.js';
import { broadcastTo, equal, gather, mul, pad, reshape, scatterAddRows, slice, transpose } from './ops.js';
import { unbroadcast } from './elementwise.js';

/** dy of a reduction, reshaped with the reduced axes kept, broadcast back over x. */
function expand(dy: Tensor, x: Tensor, axes: number[]): Tensor {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return broadcastTo(reshape(dy, kept), x.shape);
}

// Max/Min: the gradient goes to every element equal to the extremum (ties share it fully).
const extremum: GradFunc<typeof Max | typeof Min> = ([dy], { inputs: [x], outputs: [y] }, { axes }) => [
  mul(expand(dy!, x, axes), equal(x, expand(y, x, axes))),
];

export function registerShapeGradients(): void {
  registerGradient(Reshape, ([dy], { inputs: [x] }) => [reshape(dy!, x.shape)]);
  registerGradient(Transpose, ([dy], _s, { perm }) => {
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => {
      inv[p] = i;
    });
    return [transpose(dy!, inv)];
  });
  registerGradient(Slice, ([dy], { inputs: [x] }, { begin, size }) => [
    pad(
      dy!,
      x.shape.map((d, i) => [begin[i], d - begin[i] - size[i]] as [number, number]),
    ),
  ]);
  registerGradient(Pad, ([dy], { inputs: [x] }, { paddings }) => [
    slice(
      dy!,
      paddings.map((p) => p[0]),
      x.shape,
    ),
  ]);
  registerGradient(BroadcastTo, ([dy], { inputs: [x] }) => [unbroadcast(dy!, x.shape)]);
  registerGradient(Concat, ([dy], { inputs }, { axis }) => {
    let off = 0;
    return inputs.map((x) => {
      const begin = x.shape.map((_, i) => (i === axis ? off : 0));
      off += x.shape[axis];
      return slice(dy!, begin, x.shape);
    });
  });
  registerGradient(GatherRows, ([dy], { inputs: [x, idx] }) => [scatterAddRows(dy!, idx, x.shape[0]), null]);
  registerGradient(ScatterAddRows, ([dy], { inputs: [, idx] }) => [gather(dy!, idx.rank === 1 ? idx : reshape(idx, [-1])), null]);

  registerGradient(Sum, ([dy], { inputs: [x] }, { axes }) => [expand(dy!, x, axes)]);
  registerGradient(Max, extremum);
  registerGradient(Min, extremum);
}
