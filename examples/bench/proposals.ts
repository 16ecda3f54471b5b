// Selective Search benchmark: time per image, boxes per image and recall at IoU 0.5 / 0.7 for the
// fast, paper and single modes, on the project's synthetic VOC-style scenes (the demo's data) at
// 320×240 and 500×375. With a VOC folder of real photographs (--voc DIR, or the environment variable
// FASTRCNN_SS_VOC), also the recall curve there, ours against OpenCV's fast mode when /usr/bin/python3
// has cv2.ximgproc (examples/bench/ss-recall.ts: recall at 100, 300, 500, 1000 and all boxes per image,
// one thread each).
// Usage: node --import tsx examples/bench/proposals.ts [--n 20] [--seed 1] [--voc DIR] [--voc-split test] [--voc-limit N]
import { existsSync } from 'node:fs';
import { imageRng, renderScene } from '../../src/app/data/synth.js';
import { datasetRecall } from '../../src/proposals/recall.js';
import { selectiveSearch, type SelectiveSearchOptions } from '../../src/proposals/selectiveSearch.js';
import { formatCurves, groundTruth, haveOpenCv, type MethodResult, runOpenCv, runOurs, vocRecords } from './ss-recall.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

function strArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const n = arg('n', 20),
  seed = arg('seed', 1);
const sizes: [number, number][] = [
  [320, 240],
  [500, 375],
];
const modes: SelectiveSearchOptions['mode'][] = ['fast', 'paper', 'single'];

function median(a: number[]): number {
  const s = a.slice().sort((x, y) => x - y);
  return s[s.length >> 1];
}

console.log(
  `Selective Search, ${n} synthetic scenes per size (seed ${seed}); one thread; wall time per image (and the\n` +
    `process CPU time, steadier on a shared machine) includes the WASM calls and the ranking`,
);
console.log('size     mode    ms/img (median)  cpu ms/img  boxes/img  recall@0.5  recall@0.7  ABO    objects');
for (const [w, h] of sizes) {
  const scenes = Array.from({ length: n }, (_, i) => renderScene(imageRng(seed, i), { width: w, height: h }));
  const gts = scenes.map((s) => Float32Array.from(s.objects.filter((o) => !o.difficult).flatMap((o) => o.box)));
  for (const mode of modes) {
    selectiveSearch(scenes[0].image, { mode }); // warm-up: V8 tiers the WASM up on the first long calls
    const times: number[] = [];
    const cpu0 = process.cpuUsage();
    const items = scenes.map((s, i) => {
      const t0 = performance.now();
      const proposals = selectiveSearch(s.image, { mode, seed: i });
      times.push(performance.now() - t0);
      return { proposals, gt: gts[i] };
    });
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000 / n;
    const r = datasetRecall(items);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    console.log(
      `${`${w}x${h}`.padEnd(9)}${mode!.padEnd(8)}${mean.toFixed(1).padStart(6)} (${median(times).toFixed(1).padStart(6)})${cpuMs.toFixed(1).padStart(12)}` +
        `${r.meanBoxesPerImage.toFixed(0).padStart(12)}${r.recall[0].toFixed(3).padStart(12)}${r.recall[1].toFixed(3).padStart(12)}` +
        `${r.averageBestOverlap.toFixed(3).padStart(7)}${String(r.groundTruth).padStart(9)}`,
    );
  }
}

// The recall curve on real photographs, when a VOC folder is given
const voc = strArg('voc') ?? process.env.FASTRCNN_SS_VOC;
if (!voc) {
  console.log('\n(no real-photo recall curve: pass --voc DIR or set FASTRCNN_SS_VOC to a VOC-format folder)');
} else if (!existsSync(voc)) {
  console.log(`\n(no real-photo recall curve: ${voc} not found)`);
} else {
  try {
    const split = strArg('voc-split') ?? 'test';
    const records = vocRecords(voc, split, arg('voc-limit', 0));
    const gts = records.map(groundTruth);
    const methods: MethodResult[] = [runOurs(records, { mode: 'fast' }, 'ours fast'), runOurs(records, { mode: 'paper' }, 'ours paper')];
    const cv = haveOpenCv() ? runOpenCv(voc, records) : null;
    if (cv) methods.push(cv);
    console.log(
      `\nSelective Search recall curve on ${voc} (${split}): ${records.length} images, ${gts.reduce((a, g) => a + g.length / 4, 0)} objects; ` +
        `first N boxes of each ranked list; one thread each${cv ? ' (OpenCV: cv2.setNumThreads(1))' : ''}`,
    );
    console.log(formatCurves(methods, gts));
    if (!cv) console.log('(OpenCV not measured: /usr/bin/python3 with cv2.ximgproc not available)');
  } catch (e) {
    console.log(`(real-photo recall curve failed: ${(e as Error).message})`);
  }
}
