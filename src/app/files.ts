// Node file I/O for the detector: atomic writes (temp file + rename, so a crash never leaves a half
// model or checkpoint behind), and model files read with clear errors.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastRcnnConfig } from '../detection/model/config.js';
import type { FastRCNN } from '../detection/model/fastRcnn.js';
import { type LoadedModel, modelFromBytes, modelToBytes } from '../detection/model/modelFile.js';

/** Writes via `<path>.tmp-<pid>` and renames over `path` (atomic on one file system). */
export function atomicWrite(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw e;
  }
}

/** Reads a file, with a clear error for a missing path or a directory. */
export function readFileChecked(path: string, what: string): Uint8Array {
  if (!existsSync(path)) throw new Error(`${what} not found: ${path}`);
  if (statSync(path).isDirectory()) throw new Error(`${what} is a directory, expected a file: ${path}`);
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function saveModel(path: string, model: FastRCNN, cfg: FastRcnnConfig, extra: Record<string, string> = {}): void {
  atomicWrite(path, modelToBytes(model, cfg, extra));
}

/** Loads a model file; with `classes`, a model of another class list is an error. */
export function loadModel(path: string, classes?: string[]): LoadedModel {
  return modelFromBytes(readFileChecked(path, 'model file'), { source: path, classes });
}
