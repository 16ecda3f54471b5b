// Node file I/O for the detector: atomic writes (temp file + rename, so a crash never leaves a half
// model or checkpoint behind), and model files read with clear errors.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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

/**
 * Removes the `<path>.tmp-<pid>` files atomicWrite left when its process was killed mid-write (a
 * temp file of a process still running is left alone). Returns the files removed.
 */
export function removeOrphanTemps(path: string): string[] {
  const dir = dirname(path),
    stem = `${basename(path)}.tmp-`;
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const f of readdirSync(dir)) {
    if (!f.startsWith(stem)) continue;
    const pid = Number(f.slice(stem.length));
    if (!Number.isInteger(pid) || pid <= 0 || (pid !== process.pid && alive(pid))) continue;
    try {
      unlinkSync(join(dir, f));
      removed.push(join(dir, f));
    } catch {
      /* gone or not ours to remove */
    }
  }
  return removed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, another user's
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
