// What the Python suite (python/tests/) compares the PyTorch twin with, made here at test time (nothing
// is committed): two tiny detectors trained for a few iterations on synthetic scenes (a plain one, and
// one with instance norm and SVD-compressed fc layers), images as raw RGB, proposals (fractional,
// duplicate, inverted and out-of-image boxes included) and our raw outputs and detections under
// several test settings (single scale, a pyramid with flip and a capped long side, no box
// regression). Also the other direction: detections of a model file the twin saved; and conv5_3
// features of a VGG16 loaded through --init-from's loader.
//
//   node --import ./scripts/relaxed-simd.mjs --import tsx test/python/twinFixtures.ts make DIR
//   ... twinFixtures.ts detect MODEL DIR MODELKEY OUT.json   (the runs of DIR/manifest.json made with MODELKEY)
//   ... twinFixtures.ts features INIT.safetensors INPUT.f32 H W OUT.f32
import '../../src/index.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { trainDetector } from '../../src/app/train.js';
import { readImageFile } from '../../src/app/data/fs.js';
import { readSplit } from '../../src/app/dataset.js';
import type { RgbImage } from '../../src/data/types.js';
import { compressModel } from '../../src/detection/model/compress.js';
import { type FastRcnnConfig, type TestConfig, baseConfig, validateConfig, vgg16Backbone } from '../../src/detection/model/config.js';
import { imDetect, postprocess } from '../../src/detection/model/detect.js';
import { createModel } from '../../src/detection/model/fastRcnn.js';
import { formatInitReport, initFromBytes } from '../../src/detection/model/initFrom.js';
import { modelFromBytes, modelToBytes } from '../../src/detection/model/modelFile.js';
import { engine } from '../../src/tensor/engine.js';
import { Rng } from '../../src/util/random.js';
import { tinyDataset } from '../detection/helpers.js';

interface TwinResult {
  image: number;
  rois: number[];
  scores: number[];
  boxes: number[];
  detections: { classIndex: number; className: string; score: number; box: number[] }[];
}
export interface TwinRun {
  model: string;
  name: string;
  test: TestConfig;
  results: TwinResult[];
}
export interface Manifest {
  images: { file: string; width: number; height: number; proposals: number[] }[];
  models: Record<string, string>;
  runs: TwinRun[];
}

function tinyTwinConfig(norm: 'none' | 'instance', iterations: number): FastRcnnConfig {
  const c = baseConfig();
  c.model.backbone = { stages: [[4], [8], [16]], trainFrom: 'conv1_1', norm };
  c.model.fc = [24, 24];
  c.model.roiPoolSize = [3, 3];
  Object.assign(c.train, { scales: [72], iterations, warmupIters: 2, batchSize: 32, maxProposals: 200 });
  c.train.pretrain = { ...c.train.pretrain, iterations: 0, ratio: 0 };
  c.test.scales = [72];
  c.test.maxProposals = 200;
  return validateConfig(c);
}

/** Proposals that exercise cleanProposals and the RoI dedup: fractional, duplicate (by feature cell), inverted, outside. */
function proposals(rng: Rng, W: number, H: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 50; i++) {
    const w = rng.uniform(4, W * 0.6),
      h = rng.uniform(4, H * 0.6);
    const x1 = rng.uniform(-4, W - w + 4),
      y1 = rng.uniform(-4, H - h + 4);
    out.push(x1, y1, x1 + w, y1 + h);
  }
  for (let i = 0; i < 8; i++) out.push(...out.slice(8 * i, 8 * i + 4).map((v) => Math.round(v) + 0.25)); // near-duplicates
  out.push(30, 20, 10, 40, 5, 50, 40, 10); // inverted: dropped
  out.push(W + 3, 2, W + 20, 30, -9, -9, -1, -2); // outside: clipped to a line of pixels
  return out;
}

/** Raw outputs and detections of one model file on the given images under one test setting. */
function runOne(modelBytes: Uint8Array, images: RgbImage[], props: number[][], test: TestConfig): TwinResult[] {
  const { model, config } = modelFromBytes(modelBytes);
  const results = images.map((img, i) => {
    const raw = imDetect(model, img, props[i], config, test);
    const detections = postprocess(raw, model.classes, test).map((d) => ({
      classIndex: d.classIndex,
      className: d.className,
      score: d.score,
      box: [...d.box],
    }));
    return { image: i, rois: Array.from(raw.rois), scores: Array.from(raw.scores), boxes: Array.from(raw.boxes), detections };
  });
  model.dispose();
  return results;
}

/** The test settings each model is compared under. */
function settings(base: TestConfig): Record<string, TestConfig> {
  return {
    default: { ...base },
    pyramid_flip: { ...base, scales: [60, 90], pyramidArea: 24, maxSize: 100, flip: true, chunk: 7 },
    no_bbox_reg: { ...base, bboxReg: false, scoreThresh: 0.08, nms: 0.5, maxPerImage: 5, maxProposals: 25 },
  };
}

export async function makeFixtures(dir: string, iterations = 40): Promise<Manifest> {
  const data = tinyDataset(6, 21, join(dir, 'data'));
  const train = (name: string, cfg: FastRcnnConfig) =>
    trainDetector({ data, out: join(dir, name), config: cfg, workers: 1, log: null, progress: 'none' });
  const plain = await train('plain.safetensors', tinyTwinConfig('none', iterations));
  plain.model.dispose();
  const normed = await train('normed.safetensors', tinyTwinConfig('instance', Math.max(2, iterations >> 1)));
  const compact = compressModel(normed.model, normed.config, [6, 5]);
  writeFileSync(join(dir, 'compact.safetensors'), modelToBytes(compact.model, compact.config));
  normed.model.dispose();
  compact.model.dispose();

  const images = readSplit(data, 'test')
    .records.slice(0, 3)
    .map((r) => readImageFile(r.imagePath));
  // a portrait crop: the short side is the width, and the capped pyramid level scales by the height
  const src = images[0],
    cw = 40,
    ch = 60;
  const crop = new Uint8Array(cw * ch * 3);
  for (let y = 0; y < ch; y++) crop.set(src.data.subarray(((y + 5) * src.width + 30) * 3, ((y + 5) * src.width + 30 + cw) * 3), y * cw * 3);
  images.push({ width: cw, height: ch, data: crop });
  const rng = new Rng(5);
  const props = images.map((im) => proposals(rng, im.width, im.height));
  const manifest: Manifest = { images: [], models: { plain: 'plain.safetensors', compact: 'compact.safetensors' }, runs: [] };
  images.forEach((im, i) => {
    writeFileSync(join(dir, `image${i}.rgb`), im.data);
    manifest.images.push({ file: `image${i}.rgb`, width: im.width, height: im.height, proposals: props[i] });
  });
  for (const [key, file] of Object.entries(manifest.models)) {
    const bytes = new Uint8Array(readFileSync(join(dir, file)));
    const base = modelFromBytes(bytes).config.test;
    const which = key === 'plain' ? settings(base) : { default: base };
    for (const [name, test] of Object.entries(which))
      manifest.runs.push({ model: key, name, test, results: runOne(bytes, images, props, test) });
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return manifest;
}

/** The runs of `manifest` made with `modelKey`, redone with another model file (one the twin saved). */
export function detectRuns(modelPath: string, dir: string, modelKey: string): TwinRun[] {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const bytes = new Uint8Array(readFileSync(modelPath));
  const images = manifest.images.map((m) => ({ width: m.width, height: m.height, data: new Uint8Array(readFileSync(join(dir, m.file))) }));
  const props = manifest.images.map((m) => m.proposals);
  return manifest.runs
    .filter((r) => r.model === modelKey)
    .map((r) => ({ model: modelKey, name: r.name, test: r.test, results: runOne(bytes, images, props, r.test) }));
}

/** conv5_3 of vgg16Backbone() with the weights of `initBytes` (loaded as --init-from does) on a [1,3,H,W] input. */
export function vgg16Features(initBytes: Uint8Array, input: Float32Array, H: number, W: number, source = 'init') {
  const cfg = baseConfig();
  cfg.model.backbone = vgg16Backbone();
  cfg.model.fc = [16, 16];
  cfg.model.roiPoolSize = [2, 2];
  // torchvision's ImageNet normalization, as the converter records it: no note in the report
  cfg.pixelMeans = [123.675, 116.28, 103.53];
  cfg.pixelStds = [58.395, 57.12, 57.375];
  const model = createModel(validateConfig(cfg), ['object']);
  const report = initFromBytes(model, initBytes, { source, config: cfg });
  const out = engine.noGrad(() =>
    engine.tidy(() => {
      const f = model.forward(engine.makeTensor(input, [1, 3, H, W], 'float32'));
      return { data: Float32Array.from(f.dataSync()), shape: f.shape.slice() };
    }),
  );
  model.dispose();
  return { report, ...out };
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...a] = argv;
  if (cmd === 'make' && a.length === 1) await makeFixtures(a[0]);
  else if (cmd === 'detect' && a.length === 4) writeFileSync(a[3], JSON.stringify(detectRuns(a[0], a[1], a[2])));
  else if (cmd === 'features' && a.length === 5) {
    const raw = readFileSync(a[1]);
    const input = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const f = vgg16Features(new Uint8Array(readFileSync(a[0])), input, +a[2], +a[3], a[0]);
    writeFileSync(a[4], new Uint8Array(f.data.buffer));
    console.log(formatInitReport(f.report));
    console.log(JSON.stringify({ shape: f.shape }));
  } else
    throw new Error(
      `usage: twinFixtures.ts make DIR | detect MODEL DIR MODELKEY OUT | features INIT INPUT H W OUT (got ${argv.join(' ')})`,
    );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
