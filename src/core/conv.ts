// Output sizes of windowed kernels (convolution, max pooling), the one place they are computed: the
// ops check them, the backends size their outputs with them.

/** Positions of a window of size k with stride s over n inputs padded by p on both sides. */
export function convOutSize(n: number, k: number, s: number, p: number): number {
  return Math.floor((n + 2 * p - k) / s) + 1;
}

/** [OH, OW] of an NCHW input [.., .., H, W] under a kh×kw window, stride and padding per axis. */
export function convOutHW(
  inputShape: readonly number[],
  kernel: readonly number[],
  stride: readonly number[],
  pad: readonly number[],
): [number, number] {
  return [convOutSize(inputShape[2], kernel[0], stride[0], pad[0]), convOutSize(inputShape[3], kernel[1], stride[1], pad[1])];
}
