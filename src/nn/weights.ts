// Module weights <-> safetensors bytes (no file I/O here, so browsers can use it too).
import type { Module } from './module.js';
import { type DecodedSafetensors, decodeSafetensors, encodeSafetensors, type NamedArray } from './safetensors.js';

export function moduleToSafetensors(
  m: Module,
  metadata: Record<string, string> = {},
  extra: Map<string, NamedArray> = new Map(),
): Uint8Array {
  const t = new Map<string, NamedArray>();
  for (const p of m.namedParameters()) t.set(p.name, { shape: p.tensor.shape, data: p.tensor.dataSync() as Float32Array });
  for (const [k, v] of extra) t.set(k, v);
  return encodeSafetensors(t, metadata);
}

/** Loads weights into the module; returns the file's metadata and any extra tensors. */
export function loadModuleWeights(m: Module, bytes: Uint8Array, source = 'weights', strict = true): DecodedSafetensors {
  const d = decodeSafetensors(bytes, source);
  const names = new Set(m.namedParameters().map((p) => p.name));
  const own = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [k, v] of d.tensors) {
    if (!names.has(k)) continue;
    if (!(v.data instanceof Float32Array)) throw new Error(`${source}: parameter '${k}' must be F32`);
    own.set(k, v as { shape: number[]; data: Float32Array });
  }
  try {
    m.loadStateDict(own, strict);
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}`);
  }
  return d;
}
