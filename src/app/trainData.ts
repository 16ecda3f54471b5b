// What `fastrcnn train` reads before it trains (Node): the training split and a validation split
// (named, or held out of the training split), the decoded images, the proposals (computed on worker
// threads where missing), the scales the config leaves to the data, and the roidb; and the run state
// a checkpoint carries beside its weights.
import type { RgbImage } from '../data/types.js';
import type { VocRecord } from './data/voc.js';
import { decodeSafetensors } from '../nn/safetensors.js';
import { type FastRcnnConfig, validateConfig } from '../detection/model/config.js';
import { datasetStats, resolveScales } from '../detection/model/dataScales.js';
import { DEFAULT_SS_OPTIONS, decodeImages, defaultProposalsDir, proposalsFor, readSplit } from './dataset.js';
import { readFileChecked } from './files.js';
import { buildRoidb, type Roidb } from '../detection/training/minibatch.js';
import { computeProposalsParallel } from './threads/parallel.js';
import { holdOut, overlap } from '../detection/training/validation.js';

/** The options of trainDetector this step reads (see TrainOptions in train.ts). */
interface DataOptions {
  data: string;
  classes?: string[];
  proposalsDir?: string;
  valSplit?: string;
}

export interface TrainingData {
  classes: string[];
  /** Training records with decoded images, and the validation part (null without one). */
  records: VocRecord[];
  images: Map<string, RgbImage>;
  val: { records: VocRecord[]; images: Map<string, RgbImage> } | null;
  valProposals: Map<string, Float32Array>;
  roidb: Roidb;
  /** The config with the scales resolved from the data. */
  config: FastRcnnConfig;
  warnings: string[];
}

export type Log = (msg: string) => void;

/** Records of the training and validation parts (a named split, or `auto` held out of the training split). */
function splitRecords(opts: DataOptions, split: string, classes: string[] | undefined, seed: number, log: Log) {
  const ds = readSplit(opts.data, split, classes);
  let train = ds.records,
    val: VocRecord[] = [];
  const warnings = [...ds.warnings];
  if (opts.valSplit === 'auto') {
    ({ train, val } = holdOut(ds.records, seed));
    log(
      `train: --val-split auto holds out ${val.length} of the ${ds.records.length} '${split}' images for validation (seed ${seed}; they are not trained on)`,
    );
  } else if (opts.valSplit) {
    if (opts.valSplit === split) throw new Error(`--val-split ${opts.valSplit} is the training split; name another split or use auto`);
    const v = readSplit(opts.data, opts.valSplit, ds.classes);
    const both = overlap(train, v.records);
    if (both.length)
      throw new Error(
        `--val-split ${opts.valSplit} shares ${both.length} image(s) with '${split}' (e.g. ${both.slice(0, 3).join(', ')}); validation images must not be trained on`,
      );
    val = v.records;
    warnings.push(...v.warnings.map((w) => `${opts.valSplit}: ${w}`));
  }
  return { classes: ds.classes, train, val, warnings };
}

/** The checkpoint's config and the run state stored beside it (plan, budget, best validation). */
export function readCheckpointMeta(path: string): { config: FastRcnnConfig; run: RunMeta } {
  const { metadata } = decodeSafetensors(readFileChecked(path, 'checkpoint'), path);
  if (metadata.format !== 'fastrcnn-checkpoint')
    throw new Error(`${path}: not a training checkpoint (format '${metadata.format ?? 'none'}')`);
  const config = validateConfig(JSON.parse(metadata.config));
  const run = metadata.run ? (JSON.parse(metadata.run) as RunMeta) : { spent: 0, budget: 0, best: -1, valSplit: null };
  return { config, run };
}

export interface RunMeta {
  /** Seconds spent training in earlier calls, and the total budget (0 = none). */
  spent: number;
  budget: number;
  /** Best validation mAP so far (-1 = none) and the validation split it was measured on. */
  best: number;
  valSplit: string | null;
  /** The training split (absent in checkpoints written before it was recorded). */
  split?: string;
}

/** Reads everything training needs, computing missing proposals on `workers` threads; logs one line a step. */
export async function readTrainingData(
  opts: DataOptions,
  split: string,
  cfg: FastRcnnConfig,
  workers: number,
  log: Log,
): Promise<TrainingData> {
  const { classes, train: trainRecords, val: valRecords, warnings } = splitRecords(opts, split, opts.classes, cfg.train.seed, log);
  const { records, images } = decodeImages(trainRecords, warnings);
  if (!records.length) throw new Error(`no usable images in split '${split}' of ${opts.data}`);
  const val = valRecords.length ? decodeImages(valRecords, warnings) : null;
  const propDir = opts.proposalsDir ?? defaultProposalsDir(opts.data);
  const tp = performance.now();
  const all = [...records, ...(val?.records ?? [])];
  const par = await computeProposalsParallel(
    all.map((r) => ({ id: r.id, imagePath: r.imagePath })),
    propDir,
    DEFAULT_SS_OPTIONS,
    { workers },
  );
  if (par.computed) log(`train: computed the proposals of ${par.computed} image(s) on ${workers} thread(s) into ${propDir}`);
  warnings.push(...par.errors);
  const proposals = proposalsFor(records, (r) => images.get(r.id)!, { dir: propDir }, warnings);
  const valProposals = val ? proposalsFor(val.records, (r) => val.images.get(r.id)!, { dir: propDir }, warnings) : new Map();
  const propSecs = (performance.now() - tp) / 1000;

  // Scales from the data where the config leaves them open; the pixels an iteration costs follow.
  const scales = resolveScales(cfg, datasetStats(records));
  if (scales.why) log(`train: ${scales.why}`);

  const roidb = buildRoidb(records, proposals, classes, scales.config);
  warnings.push(...roidb.warnings);
  const nFg = roidb.entries.reduce((n, e) => n + e.numGt, 0);
  log(
    `train: ${records.length} images of '${split}' (${roidb.entries.length} with flips), ${classes.length} classes [${classes.join(', ')}], ` +
      `${nFg} ground-truth boxes, proposals from ${propDir} (${propSecs.toFixed(1)} s)`,
  );
  if (warnings.length)
    log(
      `train: ${warnings.length} warning(s):\n  ${warnings.slice(0, 10).join('\n  ')}${warnings.length > 10 ? `\n  ... ${warnings.length - 10} more` : ''}`,
    );
  return { classes, records, images, val, valProposals, roidb, config: scales.config, warnings };
}
