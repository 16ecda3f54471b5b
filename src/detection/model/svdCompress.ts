// Truncated SVD (the paper's §3.1) as public API: the factorization of a matrix, and the
// replacement of one Linear layer by two (Σ_t·V_tᵀ without bias, then U_t with the original bias).
import { Linear, Sequential } from '../../nn/layers.js';
import { engine } from '../../tensor/engine.js';
import type { Tensor } from '../../tensor/tensor.js';
import { shapeStr } from '../../core/types.js';
import { factorizeLinear } from './compress.js';
import * as k from './wasm/svd.js';

export interface SvdTensors {
  U: Tensor;
  S: Tensor;
  V: Tensor;
}

/** W[u,v] ≈ U[u,t]·diag(S[t])·V[v,t]ᵀ, computed in float64 in WASM (the Eckart–Young optimum). */
export function truncatedSvd(W: Tensor, rank: number): SvdTensors {
  W.assertAlive('truncatedSvd');
  if (W.rank !== 2) throw new Error(`truncatedSvd: W must be a matrix, got ${shapeStr(W.shape)}`);
  const [u, v] = W.shape;
  const r = k.truncatedSvd(W.dataSync(), u, v, rank);
  const t = (d: Float64Array, shape: number[]) => engine.makeTensor(Float32Array.from(d), shape, 'float32');
  return { U: t(r.U, [u, rank]), S: t(r.S, [rank]), V: t(r.V, [v, rank]) };
}

/**
 * Two Linear layers replacing `linear` (weight [u,v]) at rank t: u·v weights become t·(u+v).
 * The result is a Sequential with children `L` (v→t, no bias) and `U` (t→u, the original bias).
 */
export function svdCompressLinear(linear: Linear, rank: number): Sequential {
  const [u, v] = linear.weight.shape;
  const { L, U } = factorizeLinear(linear.weight.dataSync() as Float32Array, u, v, rank);
  const l1 = new Linear(v, rank, { bias: false });
  const l2 = new Linear(rank, u, { bias: !!linear.bias });
  const state = new Map([
    ['L.weight', { shape: [rank, v], data: L }],
    ['U.weight', { shape: [u, rank], data: U }],
  ]);
  if (linear.bias) state.set('U.bias', { shape: [u], data: linear.bias.dataSync() as Float32Array });
  const seq = new Sequential({ L: l1, U: l2 });
  seq.loadStateDict(state);
  return seq;
}
