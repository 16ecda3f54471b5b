// Smooth L1 loss (Fast R-CNN eq. 3, torch `smooth_l1_loss` with beta): for d = input - target,
//   loss = 0.5·d²/beta  if |d| < beta,  |d| - 0.5·beta  otherwise;  beta = 0 is plain L1.
// Elementwise in float32 (SIMD), with the same operation order as torch.

@inline function lossVec(d: v128, beta: v128, halfBeta: v128, half: v128): v128 {
  const ad = f32x4.abs(d);
  const quad = f32x4.div(f32x4.mul(f32x4.mul(half, d), d), beta);
  return v128.bitselect(quad, f32x4.sub(ad, halfBeta), f32x4.lt(ad, beta));
}

@inline function lossScalar(d: f32, beta: f32): f32 {
  const ad = Mathf.abs(d);
  if (beta == 0) return ad;
  return ad < beta ? <f32>0.5 * d * d / beta : ad - <f32>0.5 * beta;
}

// d loss / d input. torch: d <= -beta → -1, d >= beta → 1, else d/beta (NaN stays NaN); beta = 0
// is sign(d) with sign(0) = 0, so the quadratic branch never divides by zero.
@inline function gradScalar(d: f32, beta: f32): f32 {
  if (beta == 0) return d > 0 ? <f32>1 : (d < 0 ? <f32>-1 : d * <f32>0);
  return d < -beta ? <f32>-1 : (d > beta ? <f32>1 : d / beta);
}

/**
 * Elementwise loss of n pairs. Writes loss[i] when `loss` is non-zero and returns the sum
 * (accumulated in float64) for the 'sum'/'mean' reductions.
 */
export function smoothL1Forward(input: usize, target: usize, n: i32, beta: f32, loss: usize): f64 {
  let sum: f64 = 0;
  let i = 0;
  if (beta > 0) {
    const vb = f32x4.splat(beta), vhb = f32x4.splat(<f32>0.5 * beta), vh = f32x4.splat(0.5);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const l = lossVec(f32x4.sub(v128.load(input + o), v128.load(target + o)), vb, vhb, vh);
      if (loss) v128.store(loss + o, l);
      sum += <f64>f32x4.extract_lane(l, 0) + <f64>f32x4.extract_lane(l, 1) +
        <f64>f32x4.extract_lane(l, 2) + <f64>f32x4.extract_lane(l, 3);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const l = lossScalar(load<f32>(input + o) - load<f32>(target + o), beta);
    if (loss) store<f32>(loss + o, l);
    sum += <f64>l;
  }
  return sum;
}

/**
 * gradInput[i] = d loss_i / d input_i × (gradOutput ? gradOutput[i] : scale). Use gradOutput for
 * reduction 'none', scale = g for 'sum' and g/n for 'mean'. The gradient w.r.t. target is its negation.
 */
export function smoothL1Backward(input: usize, target: usize, n: i32, beta: f32, gradOutput: usize, scale: f32, gradInput: usize): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const g = gradScalar(load<f32>(input + o) - load<f32>(target + o), beta);
    store<f32>(gradInput + o, g * (gradOutput ? load<f32>(gradOutput + o) : scale));
  }
}
