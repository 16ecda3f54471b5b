// Pretrained starts (`fastrcnn train --init-from FILE`): the model's parameters that a safetensors
// file holds under the same names (conv1_1.weight, ..., fc6.weight, ...) take the file's values
// before training; the others keep their initialization. Every name and shape is checked before a
// value is copied, so a wrong file changes nothing. Bytes only here (browsers can use it).
import { decodeSafetensors } from '../../nn/safetensors.js';
import type { FastRcnnConfig } from './config.js';
import type { FastRCNN } from './fastRcnn.js';

export interface InitReport {
  source: string;
  /** Parameters set from the file, in the model's order. */
  loaded: string[];
  /** Parameters the file lacks: they keep their initialization. */
  left: string[];
  /** Tensors of the file the model has no parameter for. */
  ignored: string[];
  /** Loaded tensors the reader converted (e.g. 'conv1_1.weight (F16)'). */
  converted: string[];
  /** Warnings, e.g. a file made for another pixel normalization. */
  notes: string[];
}

/**
 * Copies the file's tensors into the parameters of the same names. Errors (naming `source`) on a
 * shape mismatch (the tensor and both shapes), a non-float or non-finite tensor, or a file that
 * matches no parameter at all (a wrong file would otherwise be a silent no-op).
 */
export function initFromBytes(model: FastRCNN, bytes: Uint8Array, opts: { source?: string; config?: FastRcnnConfig } = {}): InitReport {
  const source = opts.source ?? 'init-from';
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  const own = model.namedParameters();
  const names = new Set(own.map((p) => p.name));
  const loaded = own.filter((p) => tensors.has(p.name));
  const shapeOf = (s: readonly number[]) => `[${s.join(', ')}]`;
  const mismatched = loaded.filter((p) => {
    const s = tensors.get(p.name)!.shape;
    return s.length !== p.tensor.shape.length || s.some((d, i) => d !== p.tensor.shape[i]);
  });
  if (mismatched.length)
    throw new Error(
      `${source}: ${mismatched
        .slice(0, 3)
        .map((p) => `tensor '${p.name}' is ${shapeOf(tensors.get(p.name)!.shape)} in the file but ${shapeOf(p.tensor.shape)} in the model`)
        .join(
          '; ',
        )}${mismatched.length > 3 ? `; ${mismatched.length - 3} more` : ''} (the model's shape comes from the config: model.backbone.stages, model.fc, model.roiPoolSize, the class count)`,
    );
  for (const p of loaded) {
    const t = tensors.get(p.name)!;
    if (!(t.data instanceof Float32Array)) throw new Error(`${source}: tensor '${p.name}' holds integers; a parameter needs floats`);
    const bad = t.data.reduce((n, v) => n + (Number.isFinite(v) ? 0 : 1), 0);
    if (bad) throw new Error(`${source}: tensor '${p.name}' has ${bad} non-finite value(s) (NaN or Inf)`);
  }
  if (!loaded.length)
    throw new Error(
      `${source}: none of its ${tensors.size} tensor(s) (${[...tensors.keys()].slice(0, 4).join(', ') || 'none'}${tensors.size > 4 ? ', ...' : ''}) ` +
        `is a parameter of the model (${own
          .slice(0, 4)
          .map((p) => p.name)
          .join(', ')}, ...); convert it to these names (python/fastrcnn_torch converts a torchvision VGG16)`,
    );
  model.loadStateDict(new Map(loaded.map((p) => [p.name, tensors.get(p.name) as { shape: number[]; data: Float32Array }])), false);
  return {
    source,
    loaded: loaded.map((p) => p.name),
    left: own.filter((p) => !tensors.has(p.name)).map((p) => p.name),
    ignored: [...tensors.keys()].filter((n) => !names.has(n)),
    converted: loaded.flatMap((p) => {
      const from = tensors.get(p.name)!.convertedFrom;
      return from ? [`${p.name} (${from})`] : [];
    }),
    notes: opts.config ? normalizationNotes(metadata, opts.config) : [],
  };
}

/**
 * Weights learnt on inputs normalized otherwise see other numbers here: the file's pixelMeans and
 * pixelStds (metadata keys written by the converter, or a model file's config) against the run's.
 */
function normalizationNotes(metadata: Record<string, string>, cfg: FastRcnnConfig): string[] {
  let means: unknown, stds: unknown;
  try {
    const stored = metadata.config ? JSON.parse(metadata.config) : {};
    means = metadata.pixelMeans ? JSON.parse(metadata.pixelMeans) : stored.pixelMeans;
    stds = metadata.pixelStds ? JSON.parse(metadata.pixelStds) : stored.pixelStds;
  } catch {
    return ["the file metadata's pixelMeans/pixelStds/config is not JSON; the pixel normalization was not compared"];
  }
  const nums = (v: unknown): v is number[] => Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number');
  if (!nums(means) || !nums(stds)) return [];
  const same = (a: number[], b: readonly number[]) => a.every((x, i) => Math.abs(x - b[i]) <= 1e-3 * Math.max(1, Math.abs(x)));
  if (same(means, cfg.pixelMeans) && same(stds, cfg.pixelStds)) return [];
  const list = (v: readonly number[]) => `[${v.join(',')}]`;
  return [
    `the file's weights expect inputs normalized with pixelMeans ${list(means)} and pixelStds ${list(stds)}, this run uses ` +
      `${list(cfg.pixelMeans)} and ${list(cfg.pixelStds)} (to match: --set pixelMeans=${list(means)} --set pixelStds=${list(stds)})`,
  ];
}

/** The report as lines: what was loaded, what kept its initialization, what the file had beyond the model. */
export function formatInitReport(r: InitReport): string {
  const names = (v: string[]) =>
    v.length ? (v.length > 40 ? `${v.slice(0, 40).join(', ')}, ... ${v.length - 40} more` : v.join(', ')) : 'none';
  const count = (n: number) => `${n} tensor${n === 1 ? '' : 's'}`;
  return [
    `init-from ${r.source}:`,
    `  loaded (${count(r.loaded.length)}): ${names(r.loaded)}`,
    `  left at init (${count(r.left.length)}): ${names(r.left)}`,
    `  ignored from the file (${count(r.ignored.length)}): ${names(r.ignored)}`,
    ...(r.converted.length ? [`  converted to float32 on load: ${names(r.converted)}`] : []),
    ...r.notes.map((n) => `  note: ${n}`),
  ].join('\n');
}
