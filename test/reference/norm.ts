// Instance normalization in float64, written from its definition: per (n, c) plane of M = H·W values,
// y = (x − mean) / sqrt(var + eps) · gamma[c] + beta[c] with the biased variance (two-pass).

export interface InstanceNormRef {
  y: Float64Array;
  mean: Float64Array;
  inv: Float64Array;
}

export function instanceNormRef(
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  shape: number[],
  eps = 1e-5,
): InstanceNormRef {
  const [N, C, H, W] = shape,
    M = H * W;
  const y = new Float64Array(N * C * M),
    mean = new Float64Array(N * C),
    inv = new Float64Array(N * C);
  for (let p = 0; p < N * C; p++) {
    const c = p % C,
      o = p * M;
    let s = 0;
    for (let i = 0; i < M; i++) s += x[o + i];
    const m = s / M;
    let v = 0;
    for (let i = 0; i < M; i++) v += (x[o + i] - m) ** 2;
    const iv = 1 / Math.sqrt(v / M + eps);
    mean[p] = m;
    inv[p] = iv;
    for (let i = 0; i < M; i++) y[o + i] = (x[o + i] - m) * iv * gamma[c] + beta[c];
  }
  return { y, mean, inv };
}
