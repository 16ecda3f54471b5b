// Validation while training: which images to validate on (a named split that must not overlap the
// training split, or `auto`: a seeded part held out of the training split), and the VOC07 mAP of the
// model on them, computed exactly as `fastrcnn test` computes it from the model file: the weights go
// through the model file's bytes (target normalization folded), then the same detection and scoring.
// Browser-safe: the detection of the split is a parameter; src/app/validation.ts passes the two-thread
// one (a worker thread) when the set asks for two threads.
import type { RgbImage, VocRecord } from '../../data/types.js';
import { Rng } from '../../util/random.js';
import type { FastRcnnConfig } from '../model/config.js';
import { type ApTable, detectSplit, evaluateDetections } from '../testing/evaluate.js';
import type { FastRCNN } from '../model/fastRcnn.js';
import { modelFromBytes, modelToBytes } from '../model/modelFile.js';

/** Images held out by `--val-split auto`: 15% of the training split, at least 10, at most 100 (and at most a third). */
export function autoValidationCount(n: number): number {
  return Math.min(Math.floor(n / 3), Math.max(10, Math.min(100, Math.round(0.15 * n))));
}

/** Splits records into training and validation parts, seeded; the parts keep the records' order. */
export function holdOut<T extends { id: string }>(records: T[], seed: number): { train: T[]; val: T[] } {
  const k = autoValidationCount(records.length);
  if (k < 1) throw new Error(`--val-split auto: the training split has ${records.length} images, too few to hold any out`);
  const pick = new Set(new Rng(seed ^ 0x7a11d).shuffle(records.map((_, i) => i)).slice(0, k));
  return { train: records.filter((_, i) => !pick.has(i)), val: records.filter((_, i) => pick.has(i)) };
}

/** Ids that are in both lists (a validation split must not share images with the training split). */
export function overlap(a: { id: string }[], b: { id: string }[]): string[] {
  const ids = new Set(a.map((r) => r.id));
  return b.filter((r) => ids.has(r.id)).map((r) => r.id);
}

export interface ValidationSet {
  records: VocRecord[];
  image: (r: VocRecord) => RgbImage | undefined;
  proposals: Map<string, ArrayLike<number>>;
  /** Threads detecting (1 or 2). */
  workers: number;
}

/**
 * The AP table of `model` on a validation set, through the model file's bytes as `fastrcnn test` reads
 * them; `run` detects the split (detectSplit by default, the same signature as its threaded version).
 */
export function validateWith(model: FastRCNN, cfg: FastRcnnConfig, v: ValidationSet, run: typeof detectSplit = detectSplit): ApTable {
  const loaded = modelFromBytes(modelToBytes(model, cfg));
  try {
    const det = run(loaded.model, loaded.config, v.records, v.image, v.proposals);
    return evaluateDetections(det.perClass, v.records, loaded.model.classes);
  } finally {
    loaded.model.dispose();
  }
}
