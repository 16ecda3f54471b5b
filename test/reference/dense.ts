// Float64 reference loops for the dense kernels (assembly/gemm.ts, conv.ts, pool.ts): the oracles of
// test/assembly/*.test.ts. Written as the definitions read, with no blocking or reuse, so they are
// easy to check by eye. NCHW, row-major, zero padding.

/** op(A)·op(B) as an M×N array; A is M×K (lda) or, transposed, K×M; B is K×N (ldb) or N×K. */
export function gemmRef(
  M: number,
  N: number,
  K: number,
  a: ArrayLike<number>,
  lda: number,
  transA: boolean,
  b: ArrayLike<number>,
  ldb: number,
  transB: boolean,
): Float64Array {
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[transA ? k * lda + i : i * lda + k] * b[transB ? j * ldb + k : k * ldb + j];
      c[i * N + j] = s;
    }
  }
  return c;
}

export interface ConvShape {
  N: number;
  C: number;
  H: number;
  W: number;
  OC: number;
  KH: number;
  KW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
}

export function convOutSize(s: ConvShape): [number, number] {
  return [Math.floor((s.H + 2 * s.padH - s.KH) / s.strideH) + 1, Math.floor((s.W + 2 * s.padW - s.KW) / s.strideW) + 1];
}

// Visits every (output, input, weight) triple of the convolution that touches a real (unpadded) input.
function eachTap(s: ConvShape, f: (yi: number, xi: number, wi: number) => void): void {
  const [OH, OW] = convOutSize(s);
  for (let n = 0; n < s.N; n++)
    for (let oc = 0; oc < s.OC; oc++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const yi = ((n * s.OC + oc) * OH + oh) * OW + ow;
          for (let c = 0; c < s.C; c++)
            for (let kh = 0; kh < s.KH; kh++)
              for (let kw = 0; kw < s.KW; kw++) {
                const h = oh * s.strideH - s.padH + kh,
                  w = ow * s.strideW - s.padW + kw;
                if (h < 0 || h >= s.H || w < 0 || w >= s.W) continue;
                f(yi, ((n * s.C + c) * s.H + h) * s.W + w, ((oc * s.C + c) * s.KH + kh) * s.KW + kw);
              }
        }
}

/** y[N,OC,OH,OW] = conv(x, w) + bias. */
export function conv2dRef(s: ConvShape, x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number> | null): Float64Array {
  const [OH, OW] = convOutSize(s);
  const y = new Float64Array(s.N * s.OC * OH * OW);
  if (bias) for (let i = 0; i < y.length; i++) y[i] = bias[Math.floor(i / (OH * OW)) % s.OC];
  eachTap(s, (yi, xi, wi) => {
    y[yi] += x[xi] * w[wi];
  });
  return y;
}

/** dx = ∂(Σ y·dy)/∂x. */
export function conv2dBackwardInputRef(s: ConvShape, dy: ArrayLike<number>, w: ArrayLike<number>): Float64Array {
  const dx = new Float64Array(s.N * s.C * s.H * s.W);
  eachTap(s, (yi, xi, wi) => {
    dx[xi] += dy[yi] * w[wi];
  });
  return dx;
}

/** dw = ∂(Σ y·dy)/∂w, summed over the batch. */
export function conv2dBackwardFilterRef(s: ConvShape, x: ArrayLike<number>, dy: ArrayLike<number>): Float64Array {
  const dw = new Float64Array(s.OC * s.C * s.KH * s.KW);
  eachTap(s, (yi, xi, wi) => {
    dw[wi] += dy[yi] * x[xi];
  });
  return dw;
}

/** Central finite differences of f at x (float64), one coordinate at a time. */
export function numericalGradient(f: (x: Float64Array) => number, x: Float64Array, eps = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    x[i] = v + eps;
    const fp = f(x);
    x[i] = v - eps;
    const fm = f(x);
    x[i] = v;
    g[i] = (fp - fm) / (2 * eps);
  }
  return g;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export interface PoolShape {
  N: number;
  C: number;
  H: number;
  W: number;
  KH: number;
  KW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
}

export function poolOutSize(s: PoolShape): [number, number] {
  return [Math.floor((s.H + 2 * s.padH - s.KH) / s.strideH) + 1, Math.floor((s.W + 2 * s.padW - s.KW) / s.strideW) + 1];
}

/**
 * Max pooling: y and the flat in-plane index h*W+w of the window's maximum. The first maximum in
 * row-major window order wins ties, padding never wins, the first NaN wins (NaNs propagate), and an
 * empty window (padding only) gives y = 0, argmax = -1.
 */
export function maxPool2dRef(s: PoolShape, x: ArrayLike<number>): { y: Float64Array; argmax: Int32Array } {
  const [OH, OW] = poolOutSize(s);
  const y = new Float64Array(s.N * s.C * OH * OW);
  const argmax = new Int32Array(y.length);
  for (let p = 0; p < s.N * s.C; p++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++) {
        let best = 0,
          at = -1;
        for (let kh = 0; kh < s.KH; kh++)
          for (let kw = 0; kw < s.KW; kw++) {
            const h = oh * s.strideH - s.padH + kh,
              w = ow * s.strideW - s.padW + kw;
            if (h < 0 || h >= s.H || w < 0 || w >= s.W) continue;
            const v = x[p * s.H * s.W + h * s.W + w];
            const better = at < 0 || (Number.isNaN(v) ? !Number.isNaN(best) : v > best);
            if (better) {
              best = v;
              at = h * s.W + w;
            }
          }
        const o = (p * OH + oh) * OW + ow;
        y[o] = best;
        argmax[o] = at;
      }
  return { y, argmax };
}

/** dx of max pooling: each dy routed to the first maximum of its window (overlaps add). */
export function maxPool2dBackwardRef(s: PoolShape, x: ArrayLike<number>, dy: ArrayLike<number>): Float64Array {
  const [OH, OW] = poolOutSize(s);
  const { argmax } = maxPool2dRef(s, x);
  const dx = new Float64Array(s.N * s.C * s.H * s.W);
  for (let p = 0; p < s.N * s.C; p++)
    for (let o = 0; o < OH * OW; o++) {
      const at = argmax[p * OH * OW + o];
      if (at >= 0) dx[p * s.H * s.W + at] += dy[p * OH * OW + o];
    }
  return dx;
}
