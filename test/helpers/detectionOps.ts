// The detector's tensor ops (roiPool, roiAlign, smoothL1) called with typed arrays, the way the
// tests in test/detection/ compare them with fixtures and float64 loops. Backward passes go through
// the ops' gradient rules: d/dx of sum(op(x) · gradOutput) is exactly the backward kernel applied to
// gradOutput (the sum's and the product's gradients multiply by 1).
import * as fr from '../../src/index.js';

export type Shape4 = [number, number, number, number];
export interface RoiOpts {
  spatialScale: number;
  pooledHeight: number;
  pooledWidth: number;
  samplingRatio?: number;
  aligned?: boolean;
}

const f32 = (a: ArrayLike<number>) => (a instanceof Float32Array ? a : Float32Array.from(a));
const roisTensor = (rois: ArrayLike<number>) => fr.tensor(f32(rois), [rois.length / 5, 5]);
const poolOpts = (o: RoiOpts) => ({ outputSize: [o.pooledHeight, o.pooledWidth] as [number, number], spatialScale: o.spatialScale });
const alignOpts = (o: RoiOpts) => ({ ...poolOpts(o), samplingRatio: o.samplingRatio ?? -1, aligned: !!o.aligned });

/** roiPoolWithArgmax on arrays. */
export function roiPoolForward(
  x: ArrayLike<number>,
  shape: Shape4,
  rois: ArrayLike<number>,
  o: RoiOpts,
): { output: Float32Array; argmax: Int32Array } {
  return fr.tidy(() => {
    const { output, argmax } = fr.roiPoolWithArgmax(fr.tensor(f32(x), shape), roisTensor(rois), poolOpts(o));
    return { output: output.dataSync() as Float32Array, argmax: argmax.dataSync() as Int32Array };
  });
}

/** The input gradient of roiPool at x for gradOutput (routed through the forward's switches). */
export function roiPoolBackward(
  gradOutput: ArrayLike<number>,
  x: ArrayLike<number>,
  shape: Shape4,
  rois: ArrayLike<number>,
  o: RoiOpts,
): Float32Array {
  return fr.tidy(() => {
    const r = roisTensor(rois),
      xt = fr.tensor(f32(x), shape);
    const g = fr.tensor(f32(gradOutput), [rois.length / 5, shape[1], o.pooledHeight, o.pooledWidth]);
    return fr
      .grad((t) => fr.sum(fr.mul(fr.roiPool(t, r, poolOpts(o)), g)))(xt)
      .dataSync() as Float32Array;
  });
}

export function roiAlignForward(x: ArrayLike<number>, shape: Shape4, rois: ArrayLike<number>, o: RoiOpts): Float32Array {
  return fr.tidy(() => fr.roiAlign(fr.tensor(f32(x), shape), roisTensor(rois), alignOpts(o)).dataSync() as Float32Array);
}

/** The input gradient of roiAlign for gradOutput (linear in x: taken at x = 0). */
export function roiAlignBackward(gradOutput: ArrayLike<number>, shape: Shape4, rois: ArrayLike<number>, o: RoiOpts): Float32Array {
  return fr.tidy(() => {
    const r = roisTensor(rois),
      xt = fr.zeros(shape);
    const g = fr.tensor(f32(gradOutput), [rois.length / 5, shape[1], o.pooledHeight, o.pooledWidth]);
    return fr
      .grad((t) => fr.sum(fr.mul(fr.roiAlign(t, r, alignOpts(o)), g)))(xt)
      .dataSync() as Float32Array;
  });
}

export interface SmoothL1Opts {
  beta?: number;
  reduction?: 'none' | 'sum' | 'mean';
}

/** smoothL1 on arrays: the elementwise losses for reduction 'none' (the default here), else the number. */
export function smoothL1Forward(
  input: ArrayLike<number>,
  target: ArrayLike<number>,
  o?: SmoothL1Opts & { reduction?: 'none' },
): Float32Array;
export function smoothL1Forward(
  input: ArrayLike<number>,
  target: ArrayLike<number>,
  o: SmoothL1Opts & { reduction: 'sum' | 'mean' },
): number;
export function smoothL1Forward(input: ArrayLike<number>, target: ArrayLike<number>, o: SmoothL1Opts = {}): Float32Array | number {
  const reduction = o.reduction ?? 'none';
  return fr.tidy(() => {
    const l = fr.smoothL1(fr.tensor(f32(input)), fr.tensor(f32(target)), { beta: o.beta, reduction });
    return reduction === 'none' ? (l.dataSync() as Float32Array) : l.item();
  });
}

/** d loss / d input of smoothL1Forward: gradOutput is an array for 'none', a number for 'sum' and 'mean'. */
export function smoothL1Backward(
  input: ArrayLike<number>,
  target: ArrayLike<number>,
  gradOutput: ArrayLike<number> | number,
  o: SmoothL1Opts = {},
): Float32Array {
  const reduction = o.reduction ?? 'none';
  return fr.tidy(() => {
    const t = fr.tensor(f32(target));
    const go = typeof gradOutput === 'number' ? gradOutput : fr.tensor(f32(gradOutput));
    const f = (x: fr.Tensor) => {
      const l = fr.smoothL1(x, t, { beta: o.beta, reduction });
      return typeof go === 'number' ? (go === 1 ? l : fr.mul(l, go)) : fr.sum(fr.mul(l, go));
    };
    return fr
      .grad(f)(fr.tensor(f32(input)))
      .dataSync() as Float32Array;
  });
}
