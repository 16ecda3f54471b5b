// The Node pipeline steps behind the CLI commands (the CLI only parses flags and prints): proposals
// for a split with recall, testing a model on a split (results files + AP table), scoring results
// files (detecting in image files is detectStep.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readVoc, type VocDataset } from './data/voc.js';
import { readClassesFile } from './data/voc.js';
import { datasetRecall, type RecallReport } from '../proposals/recall.js';
import { parseProposals } from '../proposals/proposalFiles.js';
import type { SelectiveSearchOptions } from '../proposals/selectiveSearch.js';
import type { FastRcnnConfig } from '../detection/model/config.js';
import { DEFAULT_SS_OPTIONS, decodeImages, defaultProposalsDir, proposalsFor } from './dataset.js';
import { type ApTable, evaluateDetections } from '../detection/testing/evaluate.js';
import { splitDetector } from './threads/detectWorker.js';
import { readResultsFiles, writeResultsFiles } from './resultsFiles.js';
import { loadModel } from './files.js';
import { sameClasses } from '../detection/model/modelFile.js';
import { computeProposalsParallel, defaultWorkers } from './threads/parallel.js';
import type { FastRCNN } from '../detection/model/fastRcnn.js';

type Log = (msg: string) => void;

function summarizeWarnings(log: Log, where: string, warnings: string[], max = 8): void {
  if (!warnings.length) return;
  log(
    `${where}: ${warnings.length} warning(s):\n  ${warnings.slice(0, max).join('\n  ')}${warnings.length > max ? `\n  ... ${warnings.length - max} more` : ''}`,
  );
}

/** Line-by-line progress every ~10% (or a TTY bar). */
function progressReporter(label: string, log: Log, tty = false): (done: number, total: number) => void {
  const t0 = performance.now();
  let nextPct = 10;
  return (done, total) => {
    const s = (performance.now() - t0) / 1000,
      eta = done ? (s / done) * (total - done) : 0;
    if (tty) {
      process.stderr.write(`\r${label}: ${done}/${total} ${s.toFixed(1)} s, ETA ${eta.toFixed(0)} s\x1b[K${done === total ? '\n' : ''}`);
      return;
    }
    const pct = (100 * done) / total;
    if (pct >= nextPct || done === total) {
      log(`${label}: ${done}/${total} (${s.toFixed(1)} s, ETA ${eta.toFixed(0)} s)`);
      while (nextPct <= pct) nextPct += 10;
    }
  };
}

/**
 * The dataset's class list checked against the model's: a classes.txt must match exactly; without one,
 * every class named in the split's annotations must be known to the model.
 */
function readSplitForModel(dataDir: string, split: string, model: FastRCNN, source: string): VocDataset {
  const ds = readVoc(dataDir, { split });
  const file = join(dataDir, 'classes.txt');
  const dataClasses = existsSync(file) ? readClassesFile(file) : null;
  if (dataClasses && !sameClasses(dataClasses, model.classes)) {
    throw new Error(`${source} was trained for classes [${model.classes.join(', ')}] but ${file} lists [${dataClasses.join(', ')}]`);
  }
  const unknown = ds.classes.filter((c) => !model.classes.includes(c));
  if (unknown.length) {
    throw new Error(
      `${source} was trained for classes [${model.classes.join(', ')}]; the ${split} split has objects of other classes: ${unknown.join(', ')}`,
    );
  }
  return { ...ds, classes: model.classes.slice() };
}

export interface ProposalsStepOptions {
  data: string;
  split: string;
  /** Cache directory (default <data>/proposals). */
  dir?: string;
  ss?: SelectiveSearchOptions;
  /** Worker threads for Selective Search (default: the machine's cores). */
  workers?: number;
  log?: Log;
  tty?: boolean;
}

export interface ProposalsStepResult {
  dir: string;
  images: number;
  computed: number;
  seconds: number;
  recall: RecallReport;
  warnings: string[];
}

/**
 * Computes (on worker threads) and caches the proposals of a split, and measures their recall of the
 * non-difficult ground truth.
 */
export async function proposalsStep(o: ProposalsStepOptions): Promise<ProposalsStepResult> {
  const log = o.log ?? console.log;
  const t0 = performance.now();
  const ds = readVoc(o.data, { split: o.split });
  const warnings = [...ds.warnings];
  const { records, images } = decodeImages(ds.records, warnings);
  const dir = o.dir ?? defaultProposalsDir(o.data);
  const ss = o.ss ?? DEFAULT_SS_OPTIONS;
  const par = await computeProposalsParallel(
    records.map((r) => ({ id: r.id, imagePath: r.imagePath })),
    dir,
    ss,
    { workers: o.workers, onProgress: progressReporter(`proposals ${o.split}`, log, o.tty) },
  );
  warnings.push(...par.errors);
  const computed = par.computed;
  const props = proposalsFor(records, (r) => images.get(r.id)!, { dir, ss }, warnings);
  const recall = datasetRecall(
    records.map((r) => ({
      proposals: props.get(r.id) ?? [],
      gt: r.objects.filter((x) => !x.difficult).flatMap((x) => x.box),
    })),
  );
  summarizeWarnings(log, 'proposals', warnings);
  return { dir, images: records.length, computed, seconds: (performance.now() - t0) / 1000, recall, warnings };
}

export interface TestStepOptions {
  /** A model file path, or a loaded model with its config. */
  model: string | { model: FastRCNN; config: FastRcnnConfig };
  data: string;
  split: string;
  /** Results folder (default <data>/results). */
  results?: string;
  proposalsDir?: string;
  /** Test settings overriding the model file's. */
  test?: Partial<FastRcnnConfig['test']>;
  log?: Log;
  tty?: boolean;
  /** Threads running the detector (1 = this one; 2 = this one and a worker on every other image; default 2 where the machine has 2 or more cores). */
  workers?: number;
}

export interface TestStepResult {
  table: ApTable;
  resultsDir: string;
  files: string[];
  images: number;
  seconds: number;
  netSecondsPerImage: number;
  proposalsPerImage: number;
  warnings: string[];
}

export function testStep(o: TestStepOptions): TestStepResult {
  const log = o.log ?? console.log;
  const t0 = performance.now();
  const source = typeof o.model === 'string' ? o.model : 'the model';
  const { model, config } = typeof o.model === 'string' ? loadModel(o.model) : o.model;
  const cfg: FastRcnnConfig = { ...config, test: { ...config.test, ...(o.test ?? {}) } };
  const ds = readSplitForModel(o.data, o.split, model, source);
  const warnings = [...ds.warnings];
  const { records, images } = decodeImages(ds.records, warnings);
  if (!records.length) throw new Error(`no usable images in split '${o.split}' of ${o.data}`);
  const dir = o.proposalsDir ?? defaultProposalsDir(o.data);
  const props = proposalsFor(records, (r) => images.get(r.id)!, { dir }, warnings);
  const split = splitDetector(o.workers ?? defaultWorkers(2), records.length);
  const det = split(model, cfg, records, (r) => images.get(r.id), props, {
    warnings,
    onImage: progressReporter(`test ${o.split}`, log, o.tty),
  });
  const resultsDir = o.results ?? join(o.data, 'results');
  const files = writeResultsFiles(resultsDir, o.split, model.classes, det.perClass);
  const table = evaluateDetections(det.perClass, records, model.classes);
  summarizeWarnings(log, 'test', warnings);
  return {
    table,
    resultsDir,
    files,
    images: records.length,
    seconds: (performance.now() - t0) / 1000,
    netSecondsPerImage: det.netSeconds,
    proposalsPerImage: det.proposalsPerImage,
    warnings,
  };
}

/** Scores existing results files (comp4_det_<split>_<class>.txt) against a split's annotations. */
export function evalStep(o: { data: string; split: string; results: string; classes?: string[] }): { table: ApTable; warnings: string[] } {
  const ds = readVoc(o.data, { split: o.split, classes: o.classes });
  return { table: evaluateDetections(readResultsFiles(o.results, o.split, ds.classes), ds.records, ds.classes), warnings: ds.warnings };
}

/** A proposals JSON file of the proposal-file format, read by its own path. */
export function loadProposalsFile(path: string): Float32Array {
  if (!existsSync(path)) throw new Error(`proposals file not found: ${path}`);
  return parseProposals(readFileSync(path, 'utf8'), path).boxes;
}
