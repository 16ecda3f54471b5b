// Smooth L1 in float64, written from its definition (torch `smooth_l1_loss` with beta; beta = 0 is L1).

export function smoothL1Ref(d: number, beta: number): number {
  const ad = Math.abs(d);
  if (beta === 0) return ad;
  return ad < beta ? (0.5 * d * d) / beta : ad - 0.5 * beta;
}

export function smoothL1GradRef(d: number, beta: number): number {
  if (beta === 0) return Math.sign(d);
  return d < -beta ? -1 : d > beta ? 1 : d / beta;
}
