// The library behind the CLI, in a few calls: synthesize a small VOC dataset, train a detector on it
// (quick settings: a couple of minutes), test it on the held-out split, and detect objects in one
// image. Usage: npx tsx examples/node/detect-library.ts [outDir=/tmp/fastrcnn-example]
// It imports the package's two entries from the sources: `fastrcnn` (src/index.ts: the engine and the
// detector, browser-safe) and `fastrcnn/node` (src/node.ts: the steps that need files and threads).
import { join } from 'node:path';
import { detect, formatApTable, presetConfig, selectiveSearch } from '../../src/index.js';
import { loadModel, proposalsStep, readImageFile, readVoc, synthesize, testStep, trainDetector } from '../../src/node.js';

const out = process.argv[2] ?? '/tmp/fastrcnn-example';
const data = join(out, 'data');

// 1. A VOC-format dataset (any VOC directory works the same way).
const s = synthesize({ outDir: data, images: 300, seed: 4, width: 160, height: 120, testFraction: 0.3 });

// 2. Selective Search proposals, cached as <data>/proposals/<id>.json (worker threads).
for (const split of ['trainval', 'test']) {
  const p = await proposalsStep({ data, split, log: () => {} });
  console.log(`${split}: ${p.images} images, recall@0.5 ${(p.recall.recall[0] * 100).toFixed(1)}%`);
}

// 3. Training: the demo's settings with a shorter schedule.
const cfg = presetConfig('shapes');
cfg.train.pretrain.iterations = 300;
cfg.train.iterations = 600;
const modelPath = join(out, 'model.safetensors');
const trained = await trainDetector({ data, out: modelPath, config: cfg });
trained.model.dispose();

// 4. Testing on the held-out split: VOC results files and the AP table.
const t = testStep({ model: modelPath, data, split: 'test', log: () => {} });
console.log(formatApTable(t.table));

// 5. One image, from the saved model file (normalization folded into bbox_pred).
const { model, config } = loadModel(modelPath);
const image = readImageFile(readVoc(data, { split: 'test' }).records.find((r) => r.id === s.splits.test[0])!.imagePath);
const { detections } = detect(model, image, selectiveSearch(image, { mode: 'fast', maxBoxes: 2000 }), config);
for (const d of detections.filter((x) => x.score >= 0.5))
  console.log(`${d.className} ${d.score.toFixed(2)} [${d.box.map((v) => v.toFixed(0)).join(', ')}]`);
model.dispose();
