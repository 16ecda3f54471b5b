// Learning-rate schedules. The paper: step decay (×0.1 after 30k of 40k iterations on VOC07);
// a linear warm-up helps small nets trained from scratch (RECIPES.md).
export interface StepSchedule {
  baseLr: number;
  /** Iterations at which the LR is multiplied by gamma. */
  steps: number[];
  gamma?: number;
  /** Linear warm-up from warmupFactor·baseLr over this many iterations. */
  warmupIters?: number;
  warmupFactor?: number;
}

export function stepLr(s: StepSchedule, iter: number): number {
  let lr = s.baseLr;
  for (const st of s.steps) if (iter >= st) lr *= s.gamma ?? 0.1;
  const w = s.warmupIters ?? 0;
  if (iter < w) {
    const f = s.warmupFactor ?? 0.1;
    lr *= f + (1 - f) * (iter / w);
  }
  return lr;
}
