// Smooth L1 (paper eq. 3) on typed arrays: wraps assembly/smooth_l1.ts. The fused Fast R-CNN loss
// (./loss.ts) shares its beta check.
import { checkLength, fail } from './checks.js';
import { run } from './scope.js';

// Smooth L1 (paper eq. 3)

export type Reduction = 'none' | 'sum' | 'mean';

export interface SmoothL1Options {
  /** Quadratic zone half-width; 1 in the paper. 0 is plain L1. */
  beta?: number;
  reduction?: Reduction;
}

export function checkBeta(fn: string, beta: number): void {
  if (!Number.isFinite(beta) || beta < 0) fail(fn, `beta must be a finite number >= 0, got ${beta}`);
}

/**
 * Smooth L1 of input - target: 0.5·d²/beta for |d| < beta, |d| - 0.5·beta otherwise.
 * reduction 'none' (default) returns the elementwise losses; 'sum' / 'mean' return a number.
 */
export function smoothL1Forward(input: ArrayLike<number>, target: ArrayLike<number>, opts?: SmoothL1Options & { reduction?: 'none' }): Float32Array;
export function smoothL1Forward(input: ArrayLike<number>, target: ArrayLike<number>, opts: SmoothL1Options & { reduction: 'sum' | 'mean' }): number;
export function smoothL1Forward(input: ArrayLike<number>, target: ArrayLike<number>, opts: SmoothL1Options = {}): Float32Array | number {
  const fn = 'smoothL1Forward';
  const beta = opts.beta ?? 1, reduction = opts.reduction ?? 'none';
  checkBeta(fn, beta);
  checkLength(fn, 'target', target, input.length, 'same length as input');
  const n = input.length;
  return run((s) => {
    const pi = s.f32In(input), pt = s.f32In(target);
    const out = reduction === 'none' ? s.alloc(n * 4) : 0;
    const sum: number = s.m.exports.smoothL1Forward(pi, pt, n, Math.fround(beta), out);
    if (reduction === 'none') return s.f32Out(out, n);
    return reduction === 'sum' ? sum : sum / n;
  });
}

/**
 * d loss / d input of smoothL1Forward with the same options. gradOutput is the upstream gradient:
 * an array for reduction 'none', a number (default 1) for 'sum' and 'mean'.
 * (d loss / d target is the negation.)
 */
export function smoothL1Backward(input: ArrayLike<number>, target: ArrayLike<number>, gradOutput: ArrayLike<number> | number = 1,
  opts: SmoothL1Options = {}): Float32Array {
  const fn = 'smoothL1Backward';
  const beta = opts.beta ?? 1, reduction = opts.reduction ?? 'none';
  checkBeta(fn, beta);
  const n = input.length;
  checkLength(fn, 'target', target, n, 'same length as input');
  if (reduction === 'none') {
    if (typeof gradOutput === 'number') fail(fn, `reduction 'none' needs a gradOutput array of ${n} values, got a number`);
    checkLength(fn, 'gradOutput', gradOutput, n, 'same length as input');
  } else if (typeof gradOutput !== 'number') {
    fail(fn, `reduction '${reduction}' needs a scalar gradOutput, got ${gradOutput.length} values`);
  }
  return run((s) => {
    const pi = s.f32In(input), pt = s.f32In(target);
    const pg = typeof gradOutput === 'number' ? 0 : s.f32In(gradOutput);
    const scale = typeof gradOutput === 'number' ? (reduction === 'mean' ? gradOutput / n : gradOutput) : 0;
    const out = s.alloc(n * 4);
    s.m.exports.smoothL1Backward(pi, pt, n, Math.fround(beta), pg, Math.fround(scale), out);
    return s.f32Out(out, n);
  });
}
