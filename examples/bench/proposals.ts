// Selective Search benchmark: time per image, boxes per image and recall at IoU 0.5 / 0.7 for the
// fast and single modes, on the project's synthetic VOC-style scenes (the demo's data) at 320×240 and
// 500×375. Usage: node --import tsx examples/bench/proposals.ts [--n 20] [--seed 1]
import { imageRng, renderScene } from '../../src/app/data/synth.js';
import { datasetRecall } from '../../src/proposals/recall.js';
import { selectiveSearch, type SelectiveSearchOptions } from '../../src/proposals/selectiveSearch.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const n = arg('n', 20),
  seed = arg('seed', 1);
const sizes: [number, number][] = [
  [320, 240],
  [500, 375],
];
const modes: SelectiveSearchOptions['mode'][] = ['fast', 'single'];

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
