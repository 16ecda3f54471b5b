// Testing over a split (the original tools/test_net.py): detections for every image, then per-class
// AP and mAP, VOC07 11-point and VOC2010 all-point (resultsFiles.ts writes and reads the VOC results
// files). No file I/O here, so browsers can use it.
import type { RgbImage } from '../../data/types.js';
import type { VocRecord } from '../../data/types.js';
import { vocAp } from '../../eval/vocAp.js';
import type { FastRcnnConfig, TestConfig } from '../model/config.js';
import { type Detection, detect } from '../model/detect.js';
import type { FastRCNN } from '../model/fastRcnn.js';

/** One class's detections over a split. */
export interface ClassDetections {
  imageIds: string[];
  scores: number[];
  boxes: number[];
}

export interface SplitDetections {
  classes: string[];
  /** Index k = class k+1. */
  perClass: ClassDetections[];
  images: number;
  /** Mean seconds per image (network, post-processing) and proposals per image. */
  netSeconds: number;
  postSeconds: number;
  proposalsPerImage: number;
}

function emptyDetections(classes: string[]): ClassDetections[] {
  return classes.map(() => ({ imageIds: [], scores: [], boxes: [] }));
}

function addDetections(per: ClassDetections[], imageId: string, dets: Detection[]): void {
  for (const d of dets) {
    const c = per[d.classIndex - 1];
    c.imageIds.push(imageId);
    c.scores.push(d.score);
    c.boxes.push(...d.box);
  }
}

/** One image to run: its record's index, pixels and proposals. */
export interface ImageJob {
  index: number;
  image: RgbImage;
  proposals: ArrayLike<number>;
}
/** One image's detections, seconds in the network and in post-processing, and proposals used. */
export interface ImageResult {
  detections: Detection[];
  net: number;
  post: number;
  proposals: number;
}

/** The records that can run: a missing image is skipped with a warning, no proposals is warned of. */
function imageJobs(
  records: VocRecord[],
  image: (r: VocRecord) => RgbImage | undefined,
  proposals: Map<string, ArrayLike<number>>,
  warnings?: string[],
): ImageJob[] {
  const jobs: ImageJob[] = [];
  records.forEach((r, index) => {
    const img = image(r);
    if (!img) {
      warnings?.push(`${r.id}: no image, skipped`);
      return;
    }
    const p = proposals.get(r.id);
    if (!p || p.length === 0) warnings?.push(`${r.id}: no proposals, no detections`);
    jobs.push({ index, image: img, proposals: p ?? [] });
  });
  return jobs;
}

/** How detectSplit (and its threaded version) are told what to run with and what to report. */
export interface SplitOptions {
  test?: TestConfig;
  warnings?: string[];
  onImage?: (done: number, total: number) => void;
}

/**
 * The jobs of a split (imageJobs) and the progress tick to call after each: records skipped for a
 * missing image count as done at once, so `onImage` always ends at the number of records.
 */
export function splitJobs(
  records: VocRecord[],
  image: (r: VocRecord) => RgbImage | undefined,
  proposals: Map<string, ArrayLike<number>>,
  opts: SplitOptions,
): { jobs: ImageJob[]; tick: () => void } {
  const jobs = imageJobs(records, image, proposals, opts.warnings);
  let done = records.length - jobs.length;
  if (done) opts.onImage?.(done, records.length);
  return { jobs, tick: () => opts.onImage?.(++done, records.length) };
}

export function runImageJob(model: FastRCNN, cfg: FastRcnnConfig, test: TestConfig, j: ImageJob): ImageResult {
  const res = detect(model, j.image, j.proposals, cfg, test);
  return { detections: res.detections, net: res.netSeconds, post: res.postSeconds, proposals: res.numProposals };
}

/** Per-record results (missing = skipped) gathered in record order, with the mean timings. */
export function collectSplit(classes: string[], records: VocRecord[], results: readonly (ImageResult | undefined)[]): SplitDetections {
  const per = emptyDetections(classes);
  let net = 0,
    post = 0,
    props = 0,
    n = 0;
  records.forEach((r, i) => {
    const res = results[i];
    if (!res) return;
    addDetections(per, r.id, res.detections);
    net += res.net;
    post += res.post;
    props += res.proposals;
    n++;
  });
  return {
    classes: classes.slice(),
    perClass: per,
    images: n,
    netSeconds: n ? net / n : 0,
    postSeconds: n ? post / n : 0,
    proposalsPerImage: n ? props / n : 0,
  };
}

/** Runs the detector on every record (images and proposals by id); a missing image is skipped with a warning. */
export function detectSplit(
  model: FastRCNN,
  cfg: FastRcnnConfig,
  records: VocRecord[],
  image: (r: VocRecord) => RgbImage | undefined,
  proposals: Map<string, ArrayLike<number>>,
  opts: SplitOptions = {},
): SplitDetections {
  const { jobs, tick } = splitJobs(records, image, proposals, opts);
  const results: ImageResult[] = [];
  for (const j of jobs) {
    results[j.index] = runImageJob(model, cfg, opts.test ?? cfg.test, j);
    tick();
  }
  return collectSplit(model.classes, records, results);
}

export interface ApTable {
  classes: string[];
  /** Non-difficult ground-truth boxes per class. */
  npos: number[];
  ap07: number[];
  apAll: number[];
  map07: number;
  mapAll: number;
}

/** AP per class against the records' ground truth (difficult boxes ignored), and the means. */
export function evaluateDetections(per: ClassDetections[], records: VocRecord[], classes: string[]): ApTable {
  const ids = new Set(records.map((r) => r.id));
  const ap07: number[] = [],
    apAll: number[] = [],
    npos: number[] = [];
  classes.forEach((cls, k) => {
    const gtIds: string[] = [],
      gtBoxes: number[] = [],
      diff: boolean[] = [];
    for (const r of records)
      for (const o of r.objects)
        if (o.name === cls) {
          gtIds.push(r.id);
          gtBoxes.push(...o.box);
          diff.push(o.difficult);
        }
    // Detections on images outside the split are not counted (a results file of a bigger set).
    const d = per[k];
    const keep = d.imageIds.map((id, i) => (ids.has(id) ? i : -1)).filter((i) => i >= 0);
    const res = vocAp(
      {
        imageIds: keep.map((i) => d.imageIds[i]),
        scores: keep.map((i) => d.scores[i]),
        boxes: keep.flatMap((i) => d.boxes.slice(4 * i, 4 * i + 4)),
      },
      { imageIds: gtIds, boxes: gtBoxes, difficult: diff },
    );
    // A class without ground truth has no defined AP; report 0 as the devkit's NaN-free ports do.
    ap07.push(res.npos ? res.ap07 : 0);
    apAll.push(res.npos ? res.apAllPoint : 0);
    npos.push(res.npos);
  });
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / Math.max(a.length, 1);
  return { classes: classes.slice(), npos, ap07, apAll, map07: mean(ap07), mapAll: mean(apAll) };
}

/** The AP table as text (like test_net.py's output, both metrics). */
export function formatApTable(t: ApTable): string {
  const w = Math.max(8, ...t.classes.map((c) => c.length));
  const lines = [`${'class'.padEnd(w)}  ${'#gt'.padStart(5)}  ${'AP (VOC07 11-pt)'.padStart(16)}  ${'AP (VOC10 all-pt)'.padStart(17)}`];
  t.classes.forEach((c, i) =>
    lines.push(
      `${c.padEnd(w)}  ${String(t.npos[i]).padStart(5)}  ${t.ap07[i].toFixed(4).padStart(16)}  ${t.apAll[i].toFixed(4).padStart(17)}`,
    ),
  );
  lines.push(
    `${'mAP'.padEnd(w)}  ${String(t.npos.reduce((a, b) => a + b, 0)).padStart(5)}  ${t.map07.toFixed(4).padStart(16)}  ${t.mapAll.toFixed(4).padStart(17)}`,
  );
  return lines.join('\n');
}
