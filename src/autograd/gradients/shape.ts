// Gradient rules of the shape and reduction kernels.
import { engine } from '../../tensor/engine.js';
import type { Tensor } from '../../tensor/tensor.js';
import { registerGradient } from '../registry.js';
import { broadcastTo, equal, mul, pad, reshape, slice, transpose } from './ops.js';
import { unbroadcast } from './elementwise.js';

registerGradient('Reshape', ([dy], { inputs: [x] }) => [reshape(dy!, x.shape)]);
registerGradient('Transpose', ([dy], _s, { perm }) => {
  const inv = new Array<number>(perm.length);
  perm.forEach((p: number, i: number) => { inv[p] = i; });
  return [transpose(dy!, inv)];
});
registerGradient('Slice', ([dy], { inputs: [x] }, { begin, size }) =>
  [pad(dy!, x.shape.map((d, i) => [begin[i], d - begin[i] - size[i]] as [number, number]))]);
registerGradient('Pad', ([dy], { inputs: [x] }, { paddings }) =>
  [slice(dy!, paddings.map((p: number[]) => p[0]), x.shape)]);
registerGradient('BroadcastTo', ([dy], { inputs: [x] }) => [unbroadcast(dy!, x.shape)]);
registerGradient('Concat', ([dy], { inputs }, { axis }) => {
  let off = 0;
  return inputs.map((x) => {
    const begin = x.shape.map((_, i) => (i === axis ? off : 0));
    off += x.shape[axis];
    return slice(dy!, begin, x.shape);
  });
});
registerGradient('GatherRows', ([dy], { inputs: [x, idx] }) =>
  [engine.runKernel('ScatterAddRows', [dy!, idx], { numRows: x.shape[0] })[0], null]);
registerGradient('ScatterAddRows', ([dy], { inputs: [, idx] }) =>
  [engine.runKernel('GatherRows', [dy!, idx])[0], null]);

/** dy of a reduction, reshaped with the reduced axes kept, broadcast back over x. */
function expand(dy: Tensor, x: Tensor, axes: number[]): Tensor {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return broadcastTo(reshape(dy, kept), x.shape);
}
registerGradient('Sum', ([dy], { inputs: [x] }, { axes }) => [expand(dy!, x, axes)]);
// Max/Min: the gradient goes to every element equal to the extremum (ties share it fully).
const extremum = ([dy]: (Tensor | null)[], { inputs: [x], outputs: [y] }: { inputs: Tensor[]; outputs: Tensor[] }, { axes }: Record<string, any>) =>
  [mul(expand(dy!, x, axes), equal(x, expand(y, x, axes)))];
registerGradient('Max', extremum);
registerGradient('Min', extremum);
