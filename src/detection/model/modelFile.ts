// The detector as one safetensors file: the weights (bbox_pred with the target normalization folded
// in, so inference needs no training statistics) and metadata: format, class list and the full config
// (model shape and test settings). Bytes only here (browsers can use it); modelFileNode.ts reads and
// writes files.
import { decodeSafetensors, encodeSafetensors, type NamedArray } from '../../nn/safetensors.js';
import { type FastRcnnConfig, baseConfig, validateConfig } from './config.js';
import { mergeConfig } from './configOverrides.js';
import { type FastRCNN, createModel, parameterShapes } from './fastRcnn.js';
import { getLimits, overLimit } from '../../core/limits.js';
import { foldBboxStats } from './targets.js';

const MODEL_FORMAT = 'fastrcnn-model';
const MODEL_VERSION = '1';

/** Weights with the normalization folded into bbox_pred (when the model still has statistics). */
function foldedWeights(model: FastRCNN): Map<string, NamedArray> {
  const out = new Map<string, NamedArray>();
  for (const p of model.namedParameters()) out.set(p.name, { shape: p.tensor.shape.slice(), data: p.tensor.dataSync() as Float32Array });
  if (model.bboxMeans && model.bboxStds) {
    const w = out.get('bbox_pred.weight')!,
      b = out.get('bbox_pred.bias')!;
    const f = foldBboxStats(w.data as Float32Array, b.data as Float32Array, { means: model.bboxMeans, stds: model.bboxStds });
    out.set('bbox_pred.weight', { shape: w.shape, data: f.weight });
    out.set('bbox_pred.bias', { shape: b.shape, data: f.bias });
  }
  return out;
}

export function modelToBytes(model: FastRCNN, cfg: FastRcnnConfig, extra: Record<string, string> = {}): Uint8Array {
  const c = structuredClone(cfg);
  c.model = structuredClone(model.config);
  return encodeSafetensors(foldedWeights(model), {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    classes: JSON.stringify(model.classes),
    config: JSON.stringify(c),
    ...extra,
  });
}

export interface LoadedModel {
  model: FastRCNN;
  config: FastRcnnConfig;
  metadata: Record<string, string>;
}

/**
 * Rebuilds the detector from bytes. Every check gives an error naming `source`: not a model file,
 * unknown version, missing/odd metadata, weights of the wrong shape or missing. With `classes`, a
 * model trained for another class list is an error listing both.
 */
export function modelFromBytes(bytes: Uint8Array, opts: { source?: string; classes?: string[] } = {}): LoadedModel {
  const source = opts.source ?? 'model';
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  if (metadata.format !== MODEL_FORMAT) {
    const hint =
      metadata.format === 'fastrcnn-checkpoint' ? ' (this is a training checkpoint; train to the end or pass it to --resume)' : '';
    throw new Error(`${source}: not a Fast R-CNN model file (format '${metadata.format ?? 'none'}')${hint}`);
  }
  if (metadata.version !== MODEL_VERSION)
    throw new Error(
      `${source}: ${metadata.version === undefined ? 'no model file version' : `model file version ${JSON.stringify(metadata.version).slice(0, 20)}`}, this program reads ${MODEL_VERSION}`,
    );
  let classes: string[], cfg: FastRcnnConfig;
  try {
    if (typeof metadata.classes !== 'string' || typeof metadata.config !== 'string') throw new Error('classes and config are required');
    classes = JSON.parse(metadata.classes);
    if (!Array.isArray(classes) || !classes.every((c) => typeof c === 'string' && c !== ''))
      throw new Error('classes is not a list of names');
    checkClassNames(classes);
    cfg = validateConfig(mergeConfig(baseConfig(), inferenceSettings(JSON.parse(metadata.config))));
  } catch (e) {
    throw new Error(`${source}: bad metadata: ${(e as Error).message}`);
  }
  checkClasses(classes, opts.classes, source);
  // Everything the network will hold is checked against the file before a layer is allocated.
  const expected = parameterShapes(cfg.model, classes.length + 1);
  const names = new Set(expected.map(([n]) => n));
  for (const [name, shape] of expected) {
    const t = tensors.get(name);
    if (!t) throw new Error(`${source}: missing weight '${name}' (shape [${shape}]) that its config asks for`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
      throw new Error(`${source}: weight '${name}' is [${t.shape}], its config asks for [${shape}]`);
    if (!(t.data instanceof Float32Array)) throw new Error(`${source}: tensor '${name}' must be F32`);
    let bad = 0;
    for (let i = 0; i < t.data.length; i++) if (!Number.isFinite(t.data[i])) bad++;
    if (bad)
      throw new Error(`${source}: weight '${name}' has ${bad} non-finite value(s) (NaN or Inf); the file is corrupt or training diverged`);
  }
  const extra = [...tensors.keys()].filter((n) => !names.has(n));
  if (extra.length)
    throw new Error(`${source}: unexpected weight(s) ${extra.slice(0, 5).join(', ')} not in the model its config describes`);
  const model = createModel(cfg, classes);
  try {
    model.loadStateDict(new Map([...tensors].map(([k, v]) => [k, { shape: v.shape, data: v.data as Float32Array }])));
  } catch (e) {
    model.dispose();
    throw new Error(`${source}: ${(e as Error).message}`);
  }
  model.eval();
  return { model, config: cfg, metadata };
}

/**
 * The stored config without what inference never reads: `train` is dropped and unknown `test` keys
 * are ignored, so model files outlive renamed training settings. The network's shape (`model`) and
 * the pixel normalization stay strict: a mismatch there would give wrong detections silently.
 */
function inferenceSettings(stored: unknown): unknown {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return stored;
  const { train: _train, test, ...rest } = stored as Record<string, unknown>;
  const known = baseConfig().test as unknown as Record<string, unknown>;
  const keptTest =
    typeof test === 'object' && test !== null && !Array.isArray(test)
      ? Object.fromEntries(Object.entries(test).filter(([k]) => k in known))
      : test;
  return test === undefined ? rest : { ...rest, test: keptTest };
}

/** Class count and name lengths within the limits (a model file may not ask for millions of outputs). */
function checkClassNames(classes: string[]): void {
  const L = getLimits();
  if (classes.length > L.maxClasses) throw overLimit('classes', classes.length, 'maxClasses');
  const long = classes.find((c) => c.length > L.maxClassNameLength);
  if (long !== undefined) throw overLimit(`class name '${long.slice(0, 40)}...' of characters`, long.length, 'maxClassNameLength');
}

/** True when two class lists are the same names in the same order (the order is the output index). */
export function sameClasses(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

/** Errors when a model's classes and a dataset's differ (names and order matter: they are output indices). */
export function checkClasses(modelClasses: string[], dataClasses: string[] | undefined, source: string): void {
  if (!dataClasses || sameClasses(modelClasses, dataClasses)) return;
  const missing = dataClasses.filter((c) => !modelClasses.includes(c));
  throw new Error(
    `${source} was trained for ${modelClasses.length} classes [${modelClasses.join(', ')}] but the data has ` +
      `${dataClasses.length} [${dataClasses.join(', ')}]${missing.length ? `; unknown to the model: ${missing.join(', ')}` : ' (a different order)'}`,
  );
}
