// VOC results files (Node): comp4_det_<split>_<class>.txt, one line per detection,
// `image_id score x1 y1 x2 y2` with 1-based pixel coordinates like the devkit's.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClassDetections } from '../detection/testing/evaluate.js';
import { atomicWrite } from './files.js';

function resultsFileName(split: string, cls: string): string {
  return `comp4_det_${split}_${cls}.txt`;
}

/** Writes one results file per class; returns their paths. Coordinates are written 1-based. */
export function writeResultsFiles(dir: string, split: string, classes: string[], per: ClassDetections[]): string[] {
  return classes.map((cls, k) => {
    const c = per[k];
    const lines = c.scores.map((s, i) => {
      const b = c.boxes.slice(4 * i, 4 * i + 4).map((v) => (v + 1).toFixed(1));
      return `${c.imageIds[i]} ${s.toFixed(6)} ${b.join(' ')}`;
    });
    const path = join(dir, resultsFileName(split, cls));
    atomicWrite(path, lines.join('\n') + (lines.length ? '\n' : ''));
    return path;
  });
}

/**
 * Reads comp4_det_<split>_<class>.txt for each class (0-based boxes again). A missing file is an
 * error naming it; a malformed line is an error with its line number.
 */
export function readResultsFiles(dir: string, split: string, classes: string[]): ClassDetections[] {
  if (!existsSync(dir)) throw new Error(`results directory not found: ${dir}`);
  return classes.map((cls) => {
    const path = join(dir, resultsFileName(split, cls));
    if (!existsSync(path)) throw new Error(`results file missing for class '${cls}': ${path}`);
    const out: ClassDetections = { imageIds: [], scores: [], boxes: [] };
    readFileSync(path, 'utf8')
      .split(/\r?\n/)
      .forEach((line, i) => {
        if (!line.trim()) return;
        const f = line.trim().split(/\s+/);
        const v = f.slice(1).map(Number);
        if (f.length !== 6 || !v.every(Number.isFinite))
          throw new Error(`${path}:${i + 1}: expected 'image_id score x1 y1 x2 y2', got '${line}'`);
        out.imageIds.push(f[0]);
        out.scores.push(v[0]);
        out.boxes.push(v[1] - 1, v[2] - 1, v[3] - 1, v[4] - 1);
      });
    return out;
  });
}
