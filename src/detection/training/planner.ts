// How long to train: the iteration count from the dataset size when nothing else is said, or a plan
// that fits a time budget (`--time 10m`), re-made as the run measures its own seconds per step.
// Pre-training gets `train.pretrain.ratio` steps per Fast R-CNN iteration either way, and the LR
// step stays at its fraction of the planned iterations until the run has passed it.

/** Parses `90s`, `10m`, `1.5h`, `1h30m`, `600` (seconds) into seconds; an error names the input. */
export function parseDuration(text: string): number {
  const s = text.trim().toLowerCase();
  const bad = () => new Error(`cannot read the time '${text}': use seconds, minutes or hours such as 90s, 10m, 1h or 1h30m`);
  if (/^\d+(\.\d+)?$/.test(s)) return +s;
  const re = /(\d+(?:\.\d+)?)\s*(h|min|m|s)/gy;
  let total = 0,
    end = 0;
  for (const m of s.matchAll(re)) {
    total += +m[1] * (m[2] === 'h' ? 3600 : m[2] === 's' ? 1 : 60);
    end = m.index + m[0].length;
  }
  if (!end || end !== s.length || !(total > 0)) throw bad();
  return total;
}

/** Fast R-CNN iterations when neither train.iterations nor a budget is given: 2000 + 5 per training image, at most 5000. */
export const ITERATION_RULE = '2000 + 5 per training image, at most 5000';
export function iterationsForDataset(images: number): number {
  return Math.min(5000, 2000 + 5 * Math.max(0, Math.round(images)));
}

/** Measured or estimated seconds of one pre-training step and one Fast R-CNN iteration. */
export interface StepCosts {
  pretrain: number;
  train: number;
}

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
 * Pre-training and Fast R-CNN counts that spend `seconds` from the current state. With a ratio, while
 * still pre-training (or before the first step), both counts are re-planned with P = ratio × T;
 * after it, or with ratio 0 (a fixed pre-training count), only T. Returns null when a plan made
 * before the first step cannot fit MIN_ITERATIONS.
 */
export function planToBudget(
  seconds: number,
  st: PlanState,
  ratio: number,
  cost: StepCosts,
): { pretrain: number; iterations: number } | null {
  const i = st.iteration;
  if (ratio > 0 && (i < st.pretrain || i === 0)) {
    // (ratio·T − i)·cp + T·ct = seconds  →  T = (seconds + i·cp) / (ratio·cp + ct)
    const T = Math.floor((seconds + i * cost.pretrain) / (ratio * cost.pretrain + cost.train));
    if (T < MIN_ITERATIONS) return null;
    return { pretrain: Math.max(i, Math.round(ratio * T)), iterations: T };
  }
  // Pre-training fixed (ratio 0, or already over): only T moves.
  const doneT = Math.max(0, i - st.pretrain),
    pLeft = Math.max(0, st.pretrain - i);
  const T = doneT + Math.floor(Math.max(0, seconds - pLeft * cost.pretrain) / cost.train);
  if (i === 0 && T < MIN_ITERATIONS) return null;
  return { pretrain: st.pretrain, iterations: Math.max(T, doneT + 1) };
}

/** Seconds a whole plan needs at these costs (for the "budget too small" message). */
function planSeconds(pretrain: number, iterations: number, cost: StepCosts): number {
  return pretrain * cost.pretrain + iterations * cost.train;
}

/** Seconds left in a plan from `iteration` on. */
export function remainingSeconds(st: PlanState, cost: StepCosts): number {
  const p = Math.max(0, st.pretrain - st.iteration),
    t = st.iterations - Math.max(0, st.iteration - st.pretrain);
  return p * cost.pretrain + Math.max(0, t) * cost.train;
}

/**
 * Step fractions that keep every LR step the run has already passed at its iteration when the plan
 * changes from `oldT` to `newT` Fast R-CNN iterations (the steps still ahead keep their fractions).
 */
export function keepPassedSteps(fractions: number[], oldT: number, newT: number, doneT: number): number[] {
  if (oldT <= 0) return fractions.slice();
  return fractions.map((f) => {
    const at = Math.round(f * oldT);
    return at < doneT ? at / newT : f; // the drop at `at` has been applied from iteration `at` on
  });
}

/** The counts a run trains for, as the Trainer reads them (train.pretrain.iterations, train.iterations, stepFractions). */
export interface PlannedCounts {
  pretrain: number;
  iterations: number;
  stepFractions: number[];
}

/**
 * A time budget's plan over a run: `clock()` gives the seconds spent so far in the budget, `reserve()`
 * the seconds still needed besides steps (validation, writing). Step costs start from a probe and
 * follow the measured steps (a running mean over the first 20 of a phase, then a moving average).
 */
export class BudgetPlanner {
  readonly cost: StepCosts;
  private seen = { pretrain: 0, train: 0 };
  private avg = { pretrain: 0, train: 0 };
  /** Pre-training steps when ratio is 0 (set by the first replan). */
  private fixedPretrain = 0;

  constructor(
    readonly budget: number,
    readonly ratio: number,
    probe: StepCosts,
    readonly clock: () => number,
    readonly reserve: () => number = () => 0,
  ) {
    this.cost = { ...probe };
  }

  /** Records one step's seconds (the first 4 of a phase are warm-up and only start the average). */
  observe(phase: 'pretrain' | 'train', seconds: number): void {
    const n = ++this.seen[phase];
    this.avg[phase] =
      n === 1 ? seconds : n < 20 ? this.avg[phase] + (seconds - this.avg[phase]) / n : 0.95 * this.avg[phase] + 0.05 * seconds;
    if (n >= 5) this.cost[phase] = this.avg[phase];
  }

  /** The seconds per step currently believed for a phase (for progress lines). */
  secondsPerStep(phase: 'pretrain' | 'train'): number {
    return this.seen[phase] ? this.avg[phase] : this.cost[phase];
  }

  /** Re-plans `c` in place from `iteration` on; false when not even MIN_ITERATIONS fit (c unchanged). */
  replan(iteration: number, c: PlannedCounts): boolean {
    if (iteration === 0) this.fixedPretrain = c.pretrain;
    const left = this.budget - this.clock() - this.reserve();
    const p = planToBudget(left, { iteration, pretrain: c.pretrain, iterations: c.iterations }, this.ratio, this.cost);
    if (!p) return false;
    c.stepFractions = keepPassedSteps(c.stepFractions, c.iterations, p.iterations, Math.max(0, iteration - c.pretrain));
    c.pretrain = p.pretrain;
    c.iterations = p.iterations;
    return true;
  }

  /** Seconds the smallest useful plan needs from now (for "the budget is too small"). */
  minimumSeconds(): number {
    return (
      this.clock() +
      this.reserve() +
      planSeconds(this.ratio > 0 ? Math.round(this.ratio * MIN_ITERATIONS) : this.fixedPretrain, MIN_ITERATIONS, this.cost)
    );
  }
}
