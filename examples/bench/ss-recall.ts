// Selective Search recall curve on a VOC-format folder of real photographs, ours against OpenCV's fast
// mode (opencv-contrib ximgproc, run by examples/bench/ss_opencv.py under the Debian /usr/bin/python3):
// recall at IoU 0.5 and 0.7 over the first 100, 300, 500, 1000 and all boxes of each image's ranked
// list, mean boxes per image, and time per image. Both lists are scored by the same code
// (src/proposals/recall.ts) against the same ground truth (readVoc: 0-based, pixel-inclusive; OpenCV's
// Rect x, y, w, h becomes x, y, x+w-1, y+h-1). Both read the same JPEG files. Timing: ours is the wall
// time of selectiveSearch() per image, one thread (after one untimed warm-up call); OpenCV's the wall
// time of setBaseImage + switchToSelectiveSearchFast + process(), with cv2.setNumThreads(1).
//
// Usage: node --import ./scripts/relaxed-simd.mjs --import tsx examples/bench/ss-recall.ts --voc DIR
//   [--split test|trainval|all] [--limit N] [--no-opencv] [--opts '{"mode":"paper"}'] [--json OUT]
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadVocImage, readVoc, type VocRecord } from '../../src/app/data/voc.js';
import { datasetRecall } from '../../src/proposals/recall.js';
import { selectiveSearch, type SelectiveSearchOptions } from '../../src/proposals/selectiveSearch.js';

export const BOX_COUNTS = [100, 300, 500, 1000, 0]; // 0 = all
export const PYTHON = '/usr/bin/python3';
const here = fileURLToPath(new URL('.', import.meta.url));

export interface MethodResult {
  name: string;
  /** Per image: the ranked boxes (flat, 0-based inclusive) and the milliseconds it took. */
  boxes: Float32Array[];
  ms: number[];
}

export interface CurveRow {
  /** Boxes per image kept (0 = all). */
  n: number;
  recall50: number;
  recall70: number;
  meanBoxes: number;
}

/** The records of a VOC split ('all' = trainval + test, each id once). */
export function vocRecords(dir: string, split: string, limit = 0): VocRecord[] {
  let records: VocRecord[];
  if (split === 'all') {
    const seen = new Set<string>();
    records = [];
    for (const s of ['trainval', 'test']) {
      if (!existsSync(join(dir, 'ImageSets', 'Main', `${s}.txt`))) continue;
      for (const r of readVoc(dir, { split: s, checkImages: 'none' }).records) if (!seen.has(r.id) && seen.add(r.id)) records.push(r);
    }
  } else records = readVoc(dir, { split, checkImages: 'none' }).records;
  return limit > 0 ? records.slice(0, limit) : records;
}

export function groundTruth(r: VocRecord): Float32Array {
  return Float32Array.from(r.objects.filter((o) => !o.difficult).flatMap((o) => o.box));
}

/** Runs our Selective Search on every record (decoding is not timed). */
export function runOurs(records: VocRecord[], options: SelectiveSearchOptions, name = 'ours'): MethodResult {
  const opts = { ...options, maxBoxes: 0 };
  const boxes: Float32Array[] = [],
    ms: number[] = [];
  records.forEach((r, i) => {
    const image = loadVocImage(r);
    if (i === 0) selectiveSearch(image, opts); // warm-up: V8 tiers the WASM up on the first long calls
    const t0 = performance.now();
    boxes.push(selectiveSearch(image, opts));
    ms.push(performance.now() - t0);
  });
  return { name, boxes, ms };
}

/** True when /usr/bin/python3 can import cv2 with ximgproc (python3-opencv with contrib). */
export function haveOpenCv(): boolean {
  if (!existsSync(PYTHON)) return false;
  const r = spawnSync(PYTHON, ['-c', 'import cv2; cv2.ximgproc.segmentation.createSelectiveSearchSegmentation()'], {
    stdio: 'ignore',
  });
  return r.status === 0;
}

/** Runs ss_opencv.py on the split (ids in the records' order); null when OpenCV is unavailable or fails. */
export function runOpenCv(dir: string, records: VocRecord[], saveTo?: string): MethodResult | null {
  if (!haveOpenCv()) return null;
  const tmp = mkdtempSync(join(tmpdir(), 'ss-opencv-'));
  try {
    const ids = join(tmp, 'ids.txt'),
      out = join(tmp, 'out.json');
    writeFileSync(ids, records.map((r) => r.id).join('\n'));
    const r = spawnSync(PYTHON, [join(here, 'ss_opencv.py'), dir, 'ids:' + ids, out], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0 || !existsSync(out)) return null;
    if (saveTo) copyFileSync(out, saveTo);
    const json = JSON.parse(readFileSync(out, 'utf8')) as { images: Record<string, { ms: number; boxes: number[] }>; opencv: string };
    const boxes: Float32Array[] = [],
      ms: number[] = [];
    for (const rec of records) {
      const im = json.images[rec.id];
      if (!im) return null;
      boxes.push(Float32Array.from(im.boxes));
      ms.push(im.ms);
    }
    return { name: `OpenCV ${json.opencv} fast`, boxes, ms };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export function recallCurve(res: MethodResult, gts: Float32Array[], counts = BOX_COUNTS): CurveRow[] {
  const items = res.boxes.map((proposals, i) => ({ proposals, gt: gts[i] }));
  return counts.map((n) => {
    const r = datasetRecall(items, [0.5, 0.7], n > 0 ? n : undefined);
    return { n, recall50: r.recall[0], recall70: r.recall[1], meanBoxes: r.meanBoxesPerImage };
  });
}

const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / Math.max(1, a.length);
const median = (a: number[]) => a.slice().sort((x, y) => x - y)[a.length >> 1] ?? 0;

/** The table: one line per method, recall@0.5 / recall@0.7 at each box count, boxes/img, ms/img. */
export function formatCurves(methods: MethodResult[], gts: Float32Array[], counts = BOX_COUNTS): string {
  const head = counts.map((n) => (n ? `@${n}` : '@all').padStart(12)).join('');
  const lines = [`${'method'.padEnd(22)}${head}   boxes/img   ms/img (median)`];
  lines.push(`${''.padEnd(22)}${counts.map(() => 'IoU.5/IoU.7'.padStart(12)).join('')}`);
  for (const m of methods) {
    const curve = recallCurve(m, gts, counts);
    const cells = curve.map((c) => `${(100 * c.recall50).toFixed(1)}/${(100 * c.recall70).toFixed(1)}`.padStart(12)).join('');
    const all = curve[curve.length - 1].meanBoxes;
    lines.push(
      `${m.name.padEnd(22)}${cells}${all.toFixed(0).padStart(12)}${mean(m.ms).toFixed(1).padStart(9)} (${median(m.ms).toFixed(1)})`,
    );
  }
  return lines.join('\n');
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const dir = arg('voc');
  if (!dir) throw new Error('usage: ss-recall.ts --voc DIR [--split test] [--limit N] [--no-opencv] [--opts JSON] [--json OUT]');
  const split = arg('split') ?? 'test';
  const records = vocRecords(dir, split, Number(arg('limit') ?? 0));
  const gts = records.map(groundTruth);
  const opts = JSON.parse(arg('opts') ?? '{}') as SelectiveSearchOptions;
  const methods: MethodResult[] = [];
  const label = arg('opts') ? `ours ${arg('opts')}` : 'ours (default fast)';
  methods.push(runOurs(records, opts, label.slice(0, 21)));
  if (!process.argv.includes('--no-opencv')) {
    // --opencv-json FILE: reuse OpenCV's boxes from FILE when it exists, else measure and save them there
    const cached = arg('opencv-json');
    let cv: MethodResult | null = null;
    if (cached && existsSync(cached)) {
      const json = JSON.parse(readFileSync(cached, 'utf8'));
      cv = {
        name: `OpenCV ${json.opencv} fast`,
        boxes: records.map((r) => Float32Array.from(json.images[r.id].boxes)),
        ms: records.map((r) => json.images[r.id].ms),
      };
    } else cv = runOpenCv(dir, records, cached);
    if (cv) methods.push(cv);
    else console.log('(OpenCV not measured: /usr/bin/python3 with cv2.ximgproc not available)');
  }
  console.log(`${dir} (${split}): ${records.length} images, ${gts.reduce((s, g) => s + g.length / 4, 0)} objects`);
  console.log(formatCurves(methods, gts));
  const out = arg('json');
  if (out) {
    writeFileSync(out, JSON.stringify(methods.map((m) => ({ name: m.name, ms: m.ms, curve: recallCurve(m, gts) }))));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
