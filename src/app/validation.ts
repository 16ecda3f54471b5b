// Validation while training, in Node: src/detection/training/validation.ts with the split detected on
// two threads (src/app/threads/detectWorker.ts) when the validation set asks for two workers.
import type { FastRcnnConfig } from '../detection/model/config.js';
import type { FastRCNN } from '../detection/model/fastRcnn.js';
import type { ApTable } from '../detection/testing/evaluate.js';
import { type ValidationSet, validateWith } from '../detection/training/validation.js';
import { splitDetector } from './threads/detectWorker.js';

/** The AP table of `model` on a validation set (two threads when `v.workers` >= 2 and there are two images). */
export function validate(model: FastRCNN, cfg: FastRcnnConfig, v: ValidationSet): ApTable {
  return validateWith(model, cfg, v, splitDetector(v.workers, v.records.length));
}
