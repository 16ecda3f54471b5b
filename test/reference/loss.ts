// Fast R-CNN multi-task loss (paper eq. 1-3) and its softmax cross-entropy term in float64, with
// their gradients: the oracle of the tensor ops fr.fastRcnnLoss and fr.softmaxCrossEntropy
// (test/detection/loss.test.ts checks it against the numpy fixtures first).

function fail(fn: string, msg: string): never {
  throw new Error(`${fn}: ${msg}`);
}
function checkPositiveInt(fn: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) fail(fn, `${name} must be a positive integer, got ${v}`);
}
function checkLength(fn: string, name: string, a: ArrayLike<number>, n: number, what: string): void {
  if (a.length !== n) fail(fn, `${name} has ${a.length} values, expected ${n} (${what})`);
}
function checkBeta(fn: string, beta: number): void {
  if (!Number.isFinite(beta) || beta < 0) fail(fn, `beta must be a finite number >= 0, got ${beta}`);
}

// Fast R-CNN multi-task loss (paper eq. 1-3), fused over plain arrays in float64

function checkLabels(fn: string, labels: ArrayLike<number>, R: number, K1: number): void {
  checkLength(fn, 'labels', labels, R, 'one per RoI');
  for (let i = 0; i < R; i++) {
    const u = labels[i];
    if (!Number.isInteger(u) || u < 0 || u >= K1) fail(fn, `labels[${i}] = ${u} is outside [0, ${K1})`);
  }
}

export interface SoftmaxCrossEntropyResult {
  /** per-row -log p_label [R] */
  losses: Float64Array;
  /** the reduced loss ('mean' or 'sum' of losses) */
  loss: number;
  /** softmax [R, K+1] */
  probs: Float32Array;
  /** d loss / d logits [R, K+1] for the reduced loss (× gradOutput) */
  gradLogits: Float32Array;
}

/** Log-softmax cross-entropy of logits [R, K+1] against labels [R] (0 = background). */
export function softmaxCrossEntropy(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
  reduction: 'mean' | 'sum' = 'mean',
  gradOutput = 1,
): SoftmaxCrossEntropyResult {
  const fn = 'softmaxCrossEntropy';
  checkPositiveInt(fn, 'numClasses', numClasses);
  if (logits.length % numClasses !== 0) fail(fn, `logits must be [R, ${numClasses}], got ${logits.length} values`);
  const R = logits.length / numClasses,
    K1 = numClasses;
  checkLabels(fn, labels, R, K1);
  const losses = new Float64Array(R),
    probs = new Float32Array(R * K1),
    grad = new Float32Array(R * K1);
  const g = R === 0 ? 0 : reduction === 'mean' ? gradOutput / R : gradOutput;
  let total = 0;
  for (let i = 0; i < R; i++) {
    const o = i * K1;
    let mx = -Infinity;
    for (let k = 0; k < K1; k++) mx = Math.max(mx, logits[o + k]);
    let z = 0;
    for (let k = 0; k < K1; k++) z += Math.exp(logits[o + k] - mx);
    const logZ = Math.log(z) + mx;
    const u = labels[i];
    losses[i] = logZ - logits[o + u];
    total += losses[i];
    for (let k = 0; k < K1; k++) {
      const p = Math.exp(logits[o + k] - logZ);
      probs[o + k] = p;
      grad[o + k] = g * (p - (k === u ? 1 : 0));
    }
  }
  const loss = reduction === 'mean' ? (R === 0 ? 0 : total / R) : total;
  return { losses, loss, probs, gradLogits: grad };
}

export interface FastRcnnLossOptions {
  /** Weight of the localization term (paper: 1). */
  lambda?: number;
  /** Smooth-L1 beta (paper: 1). */
  beta?: number;
}

export interface FastRcnnLossResult {
  lossCls: number;
  lossLoc: number;
  /** lossCls + lambda·lossLoc */
  loss: number;
  gradClsScore: Float32Array;
  gradBboxPred: Float32Array;
}

/**
 * L = mean_i(-log p_{u_i}) + lambda·(1/R)·Σ_{i: u_i >= 1} Σ_k smoothL1(bboxPred[i, 4u_i + k] - t_ik),
 * with its gradients. clsScore [R, K+1], labels [R], bboxPred [R, 4(K+1)], bboxTargets [R, 4].
 */
export function fastRcnnLoss(
  clsScore: ArrayLike<number>,
  labels: ArrayLike<number>,
  bboxPred: ArrayLike<number>,
  bboxTargets: ArrayLike<number>,
  opts: FastRcnnLossOptions = {},
): FastRcnnLossResult {
  const fn = 'fastRcnnLoss';
  const R = labels.length;
  if (R === 0) fail(fn, 'needs at least one RoI');
  if (clsScore.length % R !== 0) fail(fn, `clsScore has ${clsScore.length} values, not [R, K+1] for R = ${R}`);
  const K1 = clsScore.length / R;
  checkLength(fn, 'bboxPred', bboxPred, R * 4 * K1, `[R, 4(K+1)] = [${R}, ${4 * K1}]`);
  checkLength(fn, 'bboxTargets', bboxTargets, R * 4, `[R, 4] = [${R}, 4]`);
  checkLabels(fn, labels, R, K1);
  const lambda = opts.lambda ?? 1,
    beta = opts.beta ?? 1;
  if (!Number.isFinite(lambda) || lambda < 0) fail(fn, `lambda must be finite and >= 0, got ${lambda}`);
  checkBeta(fn, beta);
  const ce = softmaxCrossEntropy(clsScore, labels, K1, 'mean');
  const gradBbox = new Float32Array(R * 4 * K1);
  let loc = 0;
  for (let i = 0; i < R; i++) {
    const u = labels[i];
    if (u < 1) continue;
    for (let k = 0; k < 4; k++) {
      const j = i * 4 * K1 + 4 * u + k;
      const d = bboxPred[j] - bboxTargets[i * 4 + k];
      const ad = Math.abs(d);
      if (beta > 0 && ad < beta) {
        loc += (0.5 * d * d) / beta;
        gradBbox[j] = (lambda / R) * (d / beta);
      } else {
        loc += ad - 0.5 * beta;
        gradBbox[j] = (lambda / R) * Math.sign(d);
      }
    }
  }
  const lossLoc = loc / R;
  return { lossCls: ce.loss, lossLoc, loss: ce.loss + lambda * lossLoc, gradClsScore: ce.gradLogits, gradBboxPred: gradBbox };
}
