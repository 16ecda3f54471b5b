// Truncated SVD of fc6 / fc7 (the paper's §3.1): W [u×v] ≈ U_t Σ_t V_tᵀ, so one layer becomes two,
// <fc>_L with weights Σ_t V_tᵀ and no bias, then <fc>_U with weights U_t and the original bias:
// u·v parameters become t·(u + v). The SVD runs in float64 in WASM (kernels.truncatedSvd).
import { randomNormal } from '../../ops/creation.js';
import { matMul } from '../../ops/matmul.js';
import { engine } from '../../tensor/engine.js';
import { Rng } from '../../util/random.js';
import type { FastRcnnConfig } from './config.js';
import { truncatedSvd } from './wasm/svd.js';
import { type FastRCNN, createModel } from './fastRcnn.js';

/** The weights of an SVD-factorized Linear [u×v] at rank t: L [t×v] = Σ_t V_tᵀ, U [u×t]. */
export function factorizeLinear(weight: Float32Array, u: number, v: number, rank: number): { L: Float32Array; U: Float32Array } {
  const svd = truncatedSvd(weight, u, v, rank);
  const L = new Float32Array(rank * v),
    U = new Float32Array(u * rank);
  for (let t = 0; t < rank; t++) for (let j = 0; j < v; j++) L[t * v + j] = svd.S[t] * svd.V[j * rank + t];
  for (let i = 0; i < u; i++) for (let t = 0; t < rank; t++) U[i * rank + t] = svd.U[i * rank + t];
  return { L, U };
}

/** Dense weights of fc6 / fc7 ([out, in]) whether or not the layer is already factorized. */
function denseWeight(model: FastRCNN, name: 'fc6' | 'fc7'): { w: Float32Array; u: number; v: number; bias: Float32Array } {
  const layer = model[name];
  if ('L' in layer) {
    const L = layer.L.weight,
      U = layer.U.weight;
    const w = engine.noGrad(() => engine.tidy(() => matMul(U, L).dataSync() as Float32Array));
    return { w, u: U.shape[0], v: L.shape[1], bias: layer.U.bias!.dataSync() as Float32Array };
  }
  return {
    w: layer.weight.dataSync() as Float32Array,
    u: layer.weight.shape[0],
    v: layer.weight.shape[1],
    bias: layer.bias!.dataSync() as Float32Array,
  };
}

/**
 * A copy of the model with fc6 / fc7 replaced by their rank-t factorizations (0 keeps a layer as
 * it is). The target statistics (if not folded yet) are carried over.
 */
export function compressModel(model: FastRCNN, cfg: FastRcnnConfig, ranks: [number, number]): { model: FastRCNN; config: FastRcnnConfig } {
  const c = structuredClone(cfg);
  c.model = structuredClone(model.config);
  const old = model.config.svd ?? [0, 0];
  c.model.svd = [ranks[0] || old[0], ranks[1] || old[1]];
  const out = createModel(c, model.classes);
  const state = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const p of model.namedParameters()) state.set(p.name, { shape: p.tensor.shape.slice(), data: p.tensor.dataSync() as Float32Array });
  (['fc6', 'fc7'] as const).forEach((name, k) => {
    if (!ranks[k]) return;
    const { w, u, v, bias } = denseWeight(model, name);
    const rank = ranks[k];
    if (!Number.isInteger(rank) || rank < 1 || rank > Math.min(u, v))
      throw new Error(`compress: ${name} rank must be an integer in [1, ${Math.min(u, v)}], got ${rank}`);
    for (const key of [`${name}.weight`, `${name}.bias`, `${name}_L.weight`, `${name}_U.weight`, `${name}_U.bias`]) state.delete(key);
    const f = factorizeLinear(w, u, v, rank);
    state.set(`${name}_L.weight`, { shape: [rank, v], data: f.L });
    state.set(`${name}_U.weight`, { shape: [u, rank], data: f.U });
    state.set(`${name}_U.bias`, { shape: [u], data: Float32Array.from(bias) });
  });
  out.loadStateDict(state);
  out.bboxMeans = model.bboxMeans;
  out.bboxStds = model.bboxStds;
  out.eval();
  return { model: out, config: c };
}

/** Parameters of fc6 and fc7 (factorized or not). */
export function fcParameterCounts(model: FastRCNN): { fc6: number; fc7: number } {
  const c = model.parameterCounts();
  const sum = (n: string) => (c[n] ?? 0) + (c[`${n}_L`] ?? 0) + (c[`${n}_U`] ?? 0);
  return { fc6: sum('fc6'), fc7: sum('fc7') };
}

/**
 * Median seconds of the fc head (fc6, fc7, cls_score, bbox_pred) on `rois` pooled feature vectors,
 * after a warm-up pass, and of fc6 + fc7 alone.
 */
export function timeHead(model: FastRCNN, rois = 2000, reps = 5): { head: number; fc: number } {
  const inF = 'L' in model.fc6 ? model.fc6.L.inFeatures : model.fc6.inFeatures;
  const x = randomNormal([rois, inF], 0, 1, { rng: new Rng(1) });
  const was = model.training;
  model.eval();
  const head: number[] = [],
    fc: number[] = [];
  engine.noGrad(() => {
    for (let r = 0; r <= reps; r++) {
      const t0 = performance.now();
      const h7 = engine.tidy(() => model.fc7.forward(model.fc6.forward(x)));
      h7.dataSync();
      const t1 = performance.now();
      const o = model.head(x);
      o.clsScore.dataSync();
      const t2 = performance.now();
      h7.dispose();
      o.clsScore.dispose();
      o.bboxPred.dispose();
      if (r > 0) {
        fc.push((t1 - t0) / 1000);
        head.push((t2 - t1) / 1000);
      }
    }
  });
  model.train(was);
  x.dispose();
  const med = (a: number[]) => a.sort((p, q) => p - q)[Math.floor(a.length / 2)];
  return { head: med(head), fc: med(fc) };
}
