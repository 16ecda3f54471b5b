// Synthesizes a few images, reads them back through the VOC reader, draws the ground truth and writes
// a contact sheet. Usage: tsx examples/node/synth-preview.ts [outDir=/tmp/synth-preview] [images=8] [seed=1]
import { join } from 'node:path';
import { synthesize } from '../../src/app/data/synth.js';
import { readVoc, loadVocImage } from '../../src/app/data/voc.js';
import { writeImageFile } from '../../src/app/data/fs.js';
import { drawDetections } from '../../src/data/draw.js';
import { createRgbImage } from '../../src/data/types.js';

const outDir = process.argv[2] ?? '/tmp/synth-preview';
const n = Number(process.argv[3] ?? 8),
  seed = Number(process.argv[4] ?? 1);
const t0 = performance.now();
const summary = synthesize({ outDir, images: n, seed });
console.log(`synthesized ${n} images in ${(performance.now() - t0).toFixed(0)} ms`, summary.objects, `difficult ${summary.difficult}`);

const records = ['trainval', 'test'].flatMap((split) => readVoc(outDir, { split }).records).sort((a, b) => a.id.localeCompare(b.id));
const cols = 4,
  rows = Math.ceil(records.length / cols),
  W = 320,
  H = 240,
  pad = 4;
const sheet = createRgbImage(cols * (W + pad) + pad, rows * (H + pad) + pad, [255, 255, 255]);
records.forEach((r, k) => {
  const img = loadVocImage(r);
  drawDetections(
    img,
    r.objects.map((o) => ({ box: o.box, label: o.difficult ? `${o.name} d` : o.name, classIndex: summary.classes.indexOf(o.name) })),
  );
  const ox = pad + (k % cols) * (W + pad),
    oy = pad + Math.floor(k / cols) * (H + pad);
  for (let y = 0; y < img.height; y++)
    sheet.data.set(img.data.subarray(y * img.width * 3, (y + 1) * img.width * 3), ((oy + y) * sheet.width + ox) * 3);
});
const out = join(outDir, 'contact-sheet.png');
writeImageFile(out, sheet);
console.log(`wrote ${out}`);
