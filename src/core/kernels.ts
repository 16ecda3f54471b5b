// The kernel contract: every kernel's name, its inputs (in order), its attrs and its outputs, in one
// place (as TensorFlow.js's kernel_names.ts). The op that runs a kernel (src/ops/), each backend's
// implementation (src/backends/*/kernels/) and the gradient rule (src/gradients/) import the name
// and the attrs type from here, so a search for one symbol finds all of them and the compiler checks
// the attrs on every side. Inputs and outputs are named tuples of slots; KernelInputs<K, Tensor> or
// KernelInputs<K, TensorInfo> turns them into what each side holds.
import type { DType } from './types.js';

/** A tensor slot in a kernel's input or output list. */
interface Slot {
  readonly __slot: true;
}
/** [height, width] (kernel sizes, strides, paddings, bins). */
export type Pair = [number, number];

// ---- elementwise ---------------------------------------------------------------------------------

export const Neg = 'Neg';
export const Exp = 'Exp';
export const Log = 'Log';
export const Sqrt = 'Sqrt';
export const Relu = 'Relu';
/** 1 where x > 0 else 0 (the derivative of relu). */
export const Step = 'Step';
export const Abs = 'Abs';
export const Sign = 'Sign';
export const Square = 'Square';
export const Reciprocal = 'Reciprocal';
/** x·scale + shift in one pass. */
export const Affine = 'Affine';
export interface AffineAttrs {
  scale: number;
  shift: number;
}
/** x ** exponent for a scalar exponent. */
export const PowScalar = 'PowScalar';
export interface PowScalarAttrs {
  exponent: number;
}

export const Add = 'Add';
export const Sub = 'Sub';
export const Mul = 'Mul';
export const Div = 'Div';
export const Maximum = 'Maximum';
export const Minimum = 'Minimum';
export const Greater = 'Greater';
export const GreaterEqual = 'GreaterEqual';
export const Equal = 'Equal';
export const Less = 'Less';

/** cond ? a : b, all three of one shape (the op broadcasts first); cond is nonzero-is-true. */
export const Where = 'Where';
export const Cast = 'Cast';
interface CastAttrs {
  dtype: DType;
}

/** The unary kernels without attrs and the two with, then the binary ones (NumPy broadcasting). */
export const UNARY_KERNELS = [Neg, Exp, Log, Sqrt, Relu, Step, Abs, Sign, Square, Reciprocal, Affine, PowScalar] as const;
export const BINARY_KERNELS = [Add, Sub, Mul, Div, Maximum, Minimum, Greater, GreaterEqual, Equal, Less] as const;
export type UnaryKernel = (typeof UNARY_KERNELS)[number];
export type BinaryKernel = (typeof BINARY_KERNELS)[number];

// ---- reductions and softmax (last axis) --------------------------------------------------------------

export const Sum = 'Sum';
export const Max = 'Max';
export const Min = 'Min';
interface ReduceAttrs {
  axes: number[];
  keepDims: boolean;
}
export const ArgMax = 'ArgMax';
interface ArgMaxAttrs {
  axis: number;
}
export const Softmax = 'Softmax';
export const LogSoftmax = 'LogSoftmax';

// ---- data movement -------------------------------------------------------------------------------

/** Shares the bytes: a new reference, no copy. */
export const Reshape = 'Reshape';
interface ReshapeAttrs {
  shape: number[];
}
export const Transpose = 'Transpose';
interface TransposeAttrs {
  perm: number[];
}
export const Slice = 'Slice';
interface SliceAttrs {
  begin: number[];
  size: number[];
}
export const BroadcastTo = 'BroadcastTo';
interface BroadcastToAttrs {
  shape: number[];
}
/** Zero padding: paddings[i] = [before, after]. */
export const Pad = 'Pad';
interface PadAttrs {
  paddings: Pair[];
}
export const Concat = 'Concat';
interface ConcatAttrs {
  axis: number;
}
/** Rows of x (axis 0) by int32 index, indices checked by the op. */
export const GatherRows = 'GatherRows';
/** y[numRows, ...] zeroed, then y[indices[i]] += x[i] (the gradient of GatherRows). */
export const ScatterAddRows = 'ScatterAddRows';
interface ScatterAddRowsAttrs {
  numRows: number;
}

// ---- dense ---------------------------------------------------------------------------------------

/** op(a)·op(b) for 2-D a, b. */
export const MatMul = 'MatMul';
interface MatMulAttrs {
  transA: boolean;
  transB: boolean;
}
/** NCHW correlation with zero padding (+ bias[OC]); output size from convOutSize (./conv.ts). */
export const Conv2D = 'Conv2D';
interface Conv2DAttrs {
  stride: Pair;
  pad: Pair;
}
export const Conv2DBackpropInput = 'Conv2DBackpropInput';
interface Conv2DBackpropInputAttrs extends Conv2DAttrs {
  inputShape: number[];
}
export const Conv2DBackpropFilter = 'Conv2DBackpropFilter';
interface Conv2DBackpropFilterAttrs extends Conv2DAttrs {
  filterShape: number[];
}
/** Max pooling; also returns the argmax switches (int32, flat h·W+w in the plane, −1: padding only). */
export const MaxPool2D = 'MaxPool2D';
export interface MaxPool2DAttrs {
  kernel: Pair;
  stride: Pair;
  pad: Pair;
}
/** dx from dy and the switches, with the forward's window geometry. */
export const MaxPool2DGrad = 'MaxPool2DGrad';
interface MaxPool2DGradAttrs extends MaxPool2DAttrs {
  inputShape: number[];
}
/** Per (n, c) over H×W; also returns the mean and 1/sqrt(var + eps) the gradient reuses. */
export const InstanceNorm = 'InstanceNorm';
interface InstanceNormAttrs {
  eps: number;
}
/** [dx, dgamma, dbeta], or [dgamma, dbeta] when needDx is false. */
export const InstanceNormGrad = 'InstanceNormGrad';
interface InstanceNormGradAttrs {
  needDx: boolean;
}

// ---- the detector's kernels (WASM only: other backends fall back to it) ------------------------------

/** RoI max pooling (Caffe/torchvision roi_pool); also returns the argmax switches. */
export const RoiPool = 'RoiPool';
interface RoiPoolAttrs {
  outputSize: Pair;
  spatialScale: number;
}
/** Routes dy through the switches (paper eq. 4). */
export const RoiPoolGrad = 'RoiPoolGrad';
interface RoiPoolGradAttrs {
  inputShape: number[];
}
export const RoiAlign = 'RoiAlign';
export interface RoiAlignAttrs extends RoiPoolAttrs {
  samplingRatio: number;
  aligned: boolean;
}
export const RoiAlignGrad = 'RoiAlignGrad';
interface RoiAlignGradAttrs extends RoiAlignAttrs {
  inputShape: number[];
}
/** Elementwise smooth-L1 of input − target (paper eq. 3). */
export const SmoothL1 = 'SmoothL1';
interface SmoothL1Attrs {
  beta: number;
}
/** d loss / d input (the target's gradient is its negation). */
export const SmoothL1Grad = 'SmoothL1Grad';

// ---- the table -----------------------------------------------------------------------------------

type NoAttrs = Record<string, never>;
type S = Slot;
interface Spec<I extends readonly (S | undefined)[], A, O extends readonly S[] = [y: S]> {
  inputs: I;
  attrs: A;
  outputs: O;
}
type Unary<A = NoAttrs> = Spec<[x: S], A>;
type Binary = Spec<[a: S, b: S], NoAttrs>;

/** Inputs, attrs and outputs of every kernel, by name. */
export interface KernelSpecs {
  [Neg]: Unary;
  [Exp]: Unary;
  [Log]: Unary;
  [Sqrt]: Unary;
  [Relu]: Unary;
  [Step]: Unary;
  [Abs]: Unary;
  [Sign]: Unary;
  [Square]: Unary;
  [Reciprocal]: Unary;
  [Affine]: Unary<AffineAttrs>;
  [PowScalar]: Unary<PowScalarAttrs>;
  [Add]: Binary;
  [Sub]: Binary;
  [Mul]: Binary;
  [Div]: Binary;
  [Maximum]: Binary;
  [Minimum]: Binary;
  [Greater]: Binary;
  [GreaterEqual]: Binary;
  [Equal]: Binary;
  [Less]: Binary;
  [Where]: Spec<[cond: S, a: S, b: S], NoAttrs>;
  [Cast]: Unary<CastAttrs>;
  [Sum]: Unary<ReduceAttrs>;
  [Max]: Unary<ReduceAttrs>;
  [Min]: Unary<ReduceAttrs>;
  [ArgMax]: Unary<ArgMaxAttrs>;
  [Softmax]: Unary;
  [LogSoftmax]: Unary;
  [Reshape]: Unary<ReshapeAttrs>;
  [Transpose]: Unary<TransposeAttrs>;
  [Slice]: Unary<SliceAttrs>;
  [BroadcastTo]: Unary<BroadcastToAttrs>;
  [Pad]: Unary<PadAttrs>;
  [Concat]: Spec<S[], ConcatAttrs>;
  [GatherRows]: Spec<[x: S, indices: S], NoAttrs>;
  [ScatterAddRows]: Spec<[x: S, indices: S], ScatterAddRowsAttrs>;
  [MatMul]: Spec<[a: S, b: S], MatMulAttrs>;
  [Conv2D]: Spec<[x: S, w: S, bias?: S], Conv2DAttrs>;
  [Conv2DBackpropInput]: Spec<[dy: S, w: S], Conv2DBackpropInputAttrs, [dx: S]>;
  [Conv2DBackpropFilter]: Spec<[x: S, dy: S], Conv2DBackpropFilterAttrs, [dw: S]>;
  [MaxPool2D]: Spec<[x: S], MaxPool2DAttrs, [y: S, argmax: S]>;
  [MaxPool2DGrad]: Spec<[dy: S, argmax: S], MaxPool2DGradAttrs, [dx: S]>;
  [InstanceNorm]: Spec<[x: S, gamma: S, beta: S], InstanceNormAttrs, [y: S, mean: S, invStd: S]>;
  [InstanceNormGrad]: Spec<[dy: S, x: S, gamma: S, mean: S, invStd: S], InstanceNormGradAttrs, S[]>;
  [RoiPool]: Spec<[x: S, rois: S], RoiPoolAttrs, [y: S, argmax: S]>;
  [RoiPoolGrad]: Spec<[dy: S, argmax: S, rois: S], RoiPoolGradAttrs, [dx: S]>;
  [RoiAlign]: Spec<[x: S, rois: S], RoiAlignAttrs>;
  [RoiAlignGrad]: Spec<[dy: S, rois: S], RoiAlignGradAttrs, [dx: S]>;
  [SmoothL1]: Spec<[input: S, target: S], SmoothL1Attrs>;
  [SmoothL1Grad]: Spec<[dy: S, input: S, target: S], SmoothL1Attrs, [dx: S]>;
}

export type KernelName = keyof KernelSpecs;
type Fill<Slots, T> = { [I in keyof Slots]: T };
/** The kernel's inputs as T (Tensor for ops and gradient rules, TensorInfo for backends). */
export type KernelInputs<K extends KernelName, T> = Fill<KernelSpecs[K]['inputs'], T>;
/** The kernel's outputs as T. */
export type KernelOutputs<K extends KernelName, T> = Fill<KernelSpecs[K]['outputs'], T>;
export type KernelAttrs<K extends KernelName> = KernelSpecs[K]['attrs'];
/** The attrs argument: optional for kernels without attrs. */
export type AttrsArg<K extends KernelName> = NoAttrs extends KernelAttrs<K> ? [attrs?: KernelAttrs<K>] : [attrs: KernelAttrs<K>];
