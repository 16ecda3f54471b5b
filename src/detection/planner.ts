// How long to train: the iteration count from the dataset size when nothing else is said, or a plan
// that fits a time budget (`--time 10m`), re-made as the run measures its own seconds per step.
// Pre-training gets `train.pretrain.ratio` steps per Fast R-CNN iteration either way, and the LR
// step stays at its fraction of the planned iterations until the run has passed it.

/** Parses `90s`, `10m`, `1.5h`, `1h30m`, `600` (seconds) into seconds; an error names the input. */
export function parseDuration(text: string): number {
  const s = text.trim().toLowerCase();
  const bad = () => new Error(`cannot read the time '${text}': use seconds, minutes or hours such as 90s, 10m, 1h or 1h30m`);
  if (/^\d+(\.\d+)?$/.test(s)) return +s;
  const re = /(\d+(?:\.\d+)?)\s*(h|m|s|min)/gy;
  let total = 0, end = 0, m: RegExpExecArray | null;
  while ((m = re.exec(s))) { total += +m[1] * (m[2] === 'h' ? 3600 : m[2] === 's' ? 1 : 60); end = re.lastIndex; }
  if (!end || end !== s.length || !(total > 0)) throw bad();
  return total;
}

/** Fast R-CNN iterations when neither train.iterations nor a budget is given: 2000 + 5 per training image, at most 5000. */
export const ITERATION_RULE = '2000 + 5 per training image, at most 5000';
export function iterationsForDataset(images: number): number {
  return Math.min(5000, 2000 + 5 * Math.max(0, Math.round(images)));
}

/** Measured or estimated seconds of one pre-training step and one Fast R-CNN iteration. */
export interface StepCosts { pretrain: number; train: number }

export interface PlanState {
  /** Steps done so far (pre-training and Fast R-CNN together), as Trainer.iteration counts them. */
  iteration: number;
  /** Planned pre-training steps (fixed once the run has left pre-training). */
  pretrain: number;
  /** Planned Fast R-CNN iterations. */
  iterations: number;
}

/** The smallest plan worth running: fewer iterations than this cannot train a detector. */
export const MIN_ITERATIONS = 200;

/**
 * Pre-training and Fast R-CNN counts that spend `seconds` from the current state. While still
 * pre-training (or before the first step), both counts are re-planned with P = ratio × T; after it,
 * only T. Returns null when even MIN_ITERATIONS do not fit.
 */
export function planToBudget(seconds: number, st: PlanState, ratio: number, cost: StepCosts): { pretrain: number; iterations: number } | null {
  const i = st.iteration;
  if (i < st.pretrain || i === 0) {
    // (ratio·T − i)·cp + T·ct = seconds  →  T = (seconds + i·cp) / (ratio·cp + ct)
    const T = Math.floor((seconds + i * cost.pretrain) / (ratio * cost.pretrain + cost.train));
    if (T < MIN_ITERATIONS) return null;
    return { pretrain: Math.max(i, Math.round(ratio * T)), iterations: T };
  }
  const doneT = i - st.pretrain;
  const T = doneT + Math.floor(Math.max(0, seconds) / cost.train);
  return { pretrain: st.pretrain, iterations: Math.max(T, doneT + 1) };
}

/** Seconds a whole plan needs at these costs (for the "budget too small" message). */
export function planSeconds(pretrain: number, iterations: number, cost: StepCosts): number {
  return pretrain * cost.pretrain + iterations * cost.train;
}

/** Seconds left in a plan from `iteration` on. */
export function remainingSeconds(st: PlanState, cost: StepCosts): number {
  const p = Math.max(0, st.pretrain - st.iteration), t = st.iterations - Math.max(0, st.iteration - st.pretrain);
  return p * cost.pretrain + Math.max(0, t) * cost.train;
}

/**
 * Step fractions that keep every LR step the run has already passed at its iteration when the plan
 * changes from `oldT` to `newT` Fast R-CNN iterations (the steps still ahead keep their fractions).
 */
export function keepPassedSteps(fractions: number[], oldT: number, newT: number, doneT: number): number[] {
  return fractions.map((f) => {
    const at = Math.round(f * oldT);
    return at <= doneT ? at / newT : f;
  });
}
