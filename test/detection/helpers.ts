// Shared fixtures for the detection pipeline tests: a tiny synthetic VOC dataset (small images, so
// Selective Search and training take a fraction of a second per image) and a tiny model config.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize } from '../../src/app/data/synth.js';
import { type FastRcnnConfig, baseConfig } from '../../src/detection/model/config.js';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `fastrcnn-${prefix}-`));
}

/** n images of 96×72 with 1-3 objects, written as VOC; returns the directory. */
export function tinyDataset(n = 8, seed = 5, dir = tempDir('tiny')): string {
  synthesize({ outDir: dir, images: n, seed, width: 96, height: 72, minObjects: 1, maxObjects: 3, format: 'png', testFraction: 0.5 });
  return dir;
}

/** A model small enough that an iteration takes milliseconds. */
export function tinyConfig(iterations = 6): FastRcnnConfig {
  const c = baseConfig();
  c.model.backbone.stages = [[4], [8]];
  c.model.fc = [16, 16];
  c.model.roiPoolSize = [3, 3];
  c.train.scales = [72];
  c.test.scales = [72];
  c.train.iterations = iterations;
  c.train.warmupIters = 2;
  c.train.batchSize = 32;
  c.train.maxProposals = 200;
  c.test.maxProposals = 200;
  return c;
}
