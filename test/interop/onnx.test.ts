// ONNX export against ONNX Runtime (onnxruntime-node, CPU): the exported graph's cls_prob and
// bbox_pred equal our forward (backbone, roiPool, head, softmax) within 1e-4 on real and random
// images and on RoI sets that probe MaxRoiPool's conventions (borders, tiny, inverted, half-way
// rounding, partly and wholly outside). Models: the trained example, random ones (instance norm,
// unfolded target statistics, a non-square pooling grid) and SVD-compressed ones. With Python's
// onnx module present, each file passes onnx.checker (full_check).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import '../../src/index.js';
import '../helpers/backend.js';
import { readImageFile } from '../../src/app/data/fs.js';
import { create, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { ONNX_OPSET, exportOnnx } from '../../src/app/onnx/exportOnnx.js';
import { readOnnxMetadata } from '../../src/app/onnx/onnxMetadata.js';
import { clipBoxes, decodeBoxes } from '../../src/detection/model/boxes.js';
import { detect, postprocess } from '../../src/detection/model/detect.js';
import type { RgbImage } from '../../src/data/types.js';
import { compressModel } from '../../src/detection/model/compress.js';
import { type FastRcnnConfig, baseConfig } from '../../src/detection/model/config.js';
import { type FastRCNN, createModel } from '../../src/detection/model/fastRcnn.js';
import { cleanProposals, imageBlob } from '../../src/detection/model/input.js';
import { modelFromBytes, modelToBytes } from '../../src/detection/model/modelFile.js';
import { unnormalizeDeltas } from '../../src/detection/model/targets.js';
import { softmax } from '../../src/ops/nn.js';
import { engine } from '../../src/tensor/engine.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { Rng } from '../../src/util/random.js';
import { tempDir } from '../detection/helpers.js';

const test = suite('onnx export');
const TOL = 1e-4;
const root = new URL('../../', import.meta.url).pathname;
const dir = tempDir('onnx');
// Debian's python3-onnx serves the system Python, which a pyenv or venv `python3` on PATH may hide.
const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0);
const worst = { plain: 0, compressed: 0 };

interface Blob {
  data: Float32Array;
  width: number;
  height: number;
}

/** Our cls_prob and bbox_pred (raw deltas) for one blob and its RoIs, as detect.ts computes them. */
function ours(model: FastRCNN, blob: Blob, rois: Float32Array): { prob: Float32Array; deltas: Float32Array } {
  model.eval();
  const [p, d] = engine.noGrad(() =>
    engine.tidy(() => {
      const feats = model.forward(engine.makeTensor(blob.data, [1, 3, blob.height, blob.width], 'float32'));
      const out = model.head(model.pool(feats, engine.makeTensor(rois, [rois.length / 5, 5], 'float32')));
      return [softmax(out.clsScore), out.bboxPred] as Tensor[];
    }),
  );
  const prob = Float32Array.from(p.dataSync() as Float32Array),
    deltas = Float32Array.from(d.dataSync() as Float32Array);
  p.dispose();
  d.dispose();
  if (model.bboxMeans && model.bboxStds) unnormalizeDeltas(deltas, { means: model.bboxMeans, stds: model.bboxStds });
  return { prob, deltas };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.is(a.length, b.length, 'output sizes');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * RoIs (0, x1, y1, x2, y2) in blob pixels that probe the pooling conventions: random boxes with
 * fractional corners, the whole blob, corners and edges, 1-pixel and sub-cell boxes, corners exactly
 * half-way between feature cells (rounding), inverted boxes, boxes partly and wholly outside.
 */
function roiSet(w: number, h: number, stride: number, rng: Rng, extra: number[][] = []): Float32Array {
  const boxes: number[][] = [...extra];
  for (let i = 0; i < 24; i++) {
    const x1 = rng.uniform(0, w - 1),
      y1 = rng.uniform(0, h - 1);
    boxes.push([x1, y1, rng.uniform(x1, w - 1), rng.uniform(y1, h - 1)]);
  }
  const half = stride / 2;
  boxes.push(
    [0, 0, w - 1, h - 1],
    [0, 0, stride - 1, stride - 1],
    [w - stride, h - stride, w - 1, h - 1],
    [0, 0, 0, h - 1],
    [w - 1, 0, w - 1, h - 1],
    [5, 7, 5, 7],
    [w / 2, h / 2, w / 2 + 1, h / 2 + 0.5],
    [half, half, 3 * half, 5 * half],
    [stride + half, half, 5 * stride + half, 3 * stride + half],
    [-half, -half, w - 1 + half, h - 1 + half],
    [30, 20, 10, 5],
    [-40, -30, 20, 15],
    [w - 12, h - 9, w + 60, h + 45],
    [w + 10, h + 10, w + 40, h + 30],
    [-50, -50, -10, -20],
  );
  const out = new Float32Array(5 * boxes.length);
  boxes.forEach((b, i) => out.set([0, ...b], 5 * i));
  return out;
}

function randomBlob(w: number, h: number, rng: Rng): Blob {
  const data = new Float32Array(3 * w * h);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal(0, 1);
  return { data, width: w, height: h };
}

/** Runs the exported model on each (blob, RoIs) case; returns the largest difference of either output. */
async function compare(label: string, model: FastRCNN, cfg: FastRcnnConfig, cases: [Blob, Float32Array][]): Promise<number> {
  const bytes = exportOnnx(model, cfg);
  const file = join(dir, `${label.replace(/\W+/g, '_')}.onnx`);
  writeFileSync(file, bytes);
  if (python) {
    const r = spawnSync(python, ['-c', 'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', file], {
      encoding: 'utf8',
    });
    assert.is(r.status, 0, `onnx.checker on ${label}: ${r.stderr}`);
  }
  const session = await ort.InferenceSession.create(bytes);
  assert.equal(session.inputNames, ['image', 'rois']);
  assert.equal(session.outputNames, ['cls_prob', 'bbox_pred']);
  let m = 0;
  for (const [blob, rois] of cases) {
    const R = rois.length / 5;
    const res = await session.run({
      image: new ort.Tensor('float32', blob.data, [1, 3, blob.height, blob.width]),
      rois: new ort.Tensor('float32', rois, [R, 5]),
    });
    const K1 = model.numClasses;
    assert.equal(res.cls_prob.dims, [R, K1]);
    assert.equal(res.bbox_pred.dims, [R, 4 * K1]);
    const ref = ours(model, blob, rois);
    const dp = maxAbsDiff(res.cls_prob.data as Float32Array, ref.prob),
      dd = maxAbsDiff(res.bbox_pred.data as Float32Array, ref.deltas);
    assert.ok(dp <= TOL, `${label} ${blob.width}x${blob.height}: cls_prob differs by ${dp}`);
    assert.ok(dd <= TOL, `${label} ${blob.width}x${blob.height}: bbox_pred differs by ${dd}`);
    m = Math.max(m, dp, dd);
  }
  await session.release();
  console.log(
    `  ${label}: max |ONNX Runtime - ours| = ${m.toExponential(2)} over ${cases.length} images (${(bytes.length / 1024).toFixed(0)} KiB)`,
  );
  return m;
}

const sampleNames = ['000025', '000044', '000091'];
const samples = sampleNames.map((n): RgbImage => readImageFile(join(root, 'examples/browser/samples', `${n}.png`)));
const sampleBoxes: Record<string, number[][]> = Object.fromEntries(
  JSON.parse(readFileSync(join(root, 'examples/browser/samples/samples.json'), 'utf8')).map(
    (s: { name: string; objects: { box: number[] }[] }) => [s.name, s.objects.map((o) => o.box)],
  ),
);

/** Blobs of the sample pictures at a short side (one mirrored) with RoIs, ground truth among them. */
function sampleCases(model: FastRCNN, cfg: FastRcnnConfig, shortSide: number, seed: number): [Blob, Float32Array][] {
  const rng = new Rng(seed);
  return samples.map((img, i) => {
    const b = imageBlob(img, shortSide, cfg.test.maxSize, cfg, i === 1);
    const gt = i === 1 ? [] : (sampleBoxes[sampleNames[i]] ?? []).map((bx) => bx.map((v) => v * b.scale));
    return [b, roiSet(b.width, b.height, model.stride, rng, gt)];
  });
}

function randomConfig(norm: 'none' | 'instance', roiPoolSize: [number, number]): FastRcnnConfig {
  const c = baseConfig();
  c.model.backbone = { stages: [[8], [12, 16], [16]], trainFrom: 'conv1_1', norm };
  c.model.roiPoolSize = roiPoolSize;
  c.model.fc = [40, 24];
  return c;
}

/** A random model whose weights are large enough that pooled maxima and class scores vary. */
function randomModel(cfg: FastRcnnConfig, classes: string[], seed: number, stats: boolean): FastRCNN {
  const m = createModel(cfg, classes, seed);
  const rng = new Rng(seed + 100);
  const state = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const p of m.namedParameters()) {
    const d = Float32Array.from(p.tensor.dataSync() as Float32Array);
    const fanIn = p.tensor.rank > 1 ? p.tensor.size / p.tensor.shape[0] : 1;
    if (p.name.endsWith('.bias') || p.name.endsWith('_norm.weight'))
      for (let i = 0; i < d.length; i++) d[i] = (p.name.endsWith('_norm.weight') ? 1 : 0) + rng.normal(0, 0.3);
    else for (let i = 0; i < d.length; i++) d[i] = rng.normal(0, 1.5 / Math.sqrt(fanIn));
    state.set(p.name, { shape: p.tensor.shape.slice(), data: d });
  }
  m.loadStateDict(state);
  if (stats) {
    // Unfolded target statistics (as while training): the export folds them into bbox_pred.
    const K1 = m.numClasses;
    m.bboxMeans = Float32Array.from({ length: 4 * K1 }, (_, i) => 0.05 * ((i % 7) - 3));
    m.bboxStds = Float32Array.from({ length: 4 * K1 }, (_, i) => [0.1, 0.1, 0.2, 0.2][i % 4] * (1 + 0.1 * (i % 3)));
  }
  m.eval();
  return m;
}

test(`the graph: opset ${ONNX_OPSET}, dynamic sizes, ONNX Runtime runs it`, async () => {
  assert.ok(ONNX_OPSET >= 13);
  const { model, config } = modelFromBytes(new Uint8Array(readFileSync(join(root, 'examples/browser/model.safetensors'))));
  const session = await ort.InferenceSession.create(exportOnnx(model, config));
  // Two image sizes and RoI counts through one session: H, W and R are dynamic.
  for (const [w, h, r] of [
    [64, 48, 1],
    [101, 77, 9],
  ]) {
    const res = await session.run({
      image: new ort.Tensor('float32', new Float32Array(3 * w * h), [1, 3, h, w]),
      rois: new ort.Tensor('float32', roiSet(w, h, model.stride, new Rng(1)).subarray(0, 5 * r), [r, 5]),
    });
    assert.equal(res.cls_prob.dims, [r, model.numClasses]);
  }
  await session.release();
  model.dispose();
  console.log(
    python
      ? `  onnx.checker (full_check) runs on every exported file (${python})`
      : '  onnx.checker skipped: Python module onnx not found (apt-get install python3-onnx)',
  );
});

test('the trained example model (SVD fc layers) on the sample pictures', async () => {
  const { model, config } = modelFromBytes(new Uint8Array(readFileSync(join(root, 'examples/browser/model.safetensors'))));
  worst.compressed = Math.max(worst.compressed, await compare('example model', model, config, sampleCases(model, config, 240, 1)));
  model.dispose();
});

test('random models: plain and instance norm, odd sizes, unfolded statistics, a 2x3 grid', async () => {
  const rng = new Rng(7);
  const a = randomConfig('none', [3, 3]);
  const ma = randomModel(a, ['a', 'b', 'c'], 1, false);
  const oddCases: [Blob, Float32Array][] = [
    [randomBlob(53, 37, rng), roiSet(53, 37, ma.stride, rng)],
    [randomBlob(4, 4, rng), roiSet(4, 4, ma.stride, rng)],
    [randomBlob(130, 71, rng), roiSet(130, 71, ma.stride, rng)],
  ];
  worst.plain = Math.max(worst.plain, await compare('random, no norm', ma, a, [...oddCases, ...sampleCases(ma, a, 96, 3)]));

  const b = randomConfig('instance', [2, 3]);
  const mb = randomModel(b, ['a', 'b', 'c', 'd', 'e'], 2, true);
  worst.plain = Math.max(
    worst.plain,
    await compare('random, instance norm, statistics', mb, b, [...oddCases, ...sampleCases(mb, b, 120, 4)]),
  );
  // The same network through a model file (statistics folded there): the same graph outputs.
  const loaded = modelFromBytes(modelToBytes(mb, b));
  worst.plain = Math.max(worst.plain, await compare('random, instance norm, model file', loaded.model, loaded.config, oddCases));

  const c = compressModel(mb, b, [6, 0]);
  worst.compressed = Math.max(
    worst.compressed,
    await compare('random, fc6 rank 6', c.model, c.config, [...oddCases, ...sampleCases(mb, b, 120, 5)]),
  );
  const d = compressModel(ma, a, [0, 5]);
  worst.compressed = Math.max(worst.compressed, await compare('random, fc7 rank 5', d.model, d.config, oddCases));
  for (const m of [ma, mb, loaded.model, c.model, d.model]) m.dispose();
  console.log(`  largest difference: plain ${worst.plain.toExponential(2)}, compressed ${worst.compressed.toExponential(2)}`);
});

test('metadata: the class list and the inference config, read back; other files refused', async () => {
  const cfg = randomConfig('none', [3, 3]);
  cfg.test.nms = 0.45;
  const m = randomModel(cfg, ['cat', 'dog'], 3, false);
  const bytes = exportOnnx(m, cfg, { metadata: { source: 'x.safetensors' } });
  const meta = readOnnxMetadata(bytes);
  assert.equal(meta.classes, ['cat', 'dog']);
  assert.equal(meta.config.model, m.config);
  assert.equal(meta.config.pixelMeans, cfg.pixelMeans);
  assert.equal(meta.config.pixelStds, cfg.pixelStds);
  assert.equal(meta.config.test, cfg.test);
  assert.not.ok(new TextDecoder('latin1').decode(bytes).includes('"train"'), 'no training settings in the file');
  assert.throws(() => readOnnxMetadata(modelToBytes(m, cfg), 'm.safetensors'), /m\.safetensors: not an ONNX model/);
  assert.throws(() => readOnnxMetadata(new Uint8Array([0xff, 0xff, 0xff]), 'junk'), /junk: not an ONNX model/);
  const foreign = toBinary(
    ModelProtoSchema,
    create(ModelProtoSchema, { irVersion: BigInt(7), opsetImport: [{ domain: '', version: BigInt(13) }], graph: { name: 'g' } }),
  );
  assert.throws(() => readOnnxMetadata(foreign, 'other.onnx'), /other\.onnx: an ONNX model, but not one fastrcnn exported/);
  m.dispose();
});

test("docs/onnx.md: ONNX Runtime + decodeBoxes, clipBoxes, postprocess give detect()'s detections", async () => {
  const { model, config } = modelFromBytes(new Uint8Array(readFileSync(join(root, 'examples/browser/model.safetensors'))));
  const bytes = exportOnnx(model, config);
  const { classes, config: c } = readOnnxMetadata(bytes);
  const session = await ort.InferenceSession.create(bytes);
  let compared = 0;
  for (const [i, img] of samples.entries()) {
    // Proposals: ground truth jittered and random boxes, some outside the picture (cleaned below).
    const rng = new Rng(10 + i);
    const props: number[] = [];
    for (const b of sampleBoxes[sampleNames[i]] ?? []) for (let k = 0; k < 6; k++) props.push(...b.map((v) => v + rng.uniform(-8, 8)));
    for (let k = 0; k < 60; k++) {
      const x1 = rng.uniform(-20, img.width),
        y1 = rng.uniform(-20, img.height);
      props.push(x1, y1, x1 + rng.uniform(4, 160), y1 + rng.uniform(4, 120));
    }
    const rois = cleanProposals(props, img.width, img.height, c.test.maxProposals);
    const blob = imageBlob(img, c.test.scales[0], c.test.maxSize, c, false);
    const R = rois.length / 4;
    const r5 = new Float32Array(5 * R);
    for (let r = 0; r < R; r++) for (let j = 0; j < 4; j++) r5[5 * r + 1 + j] = rois[4 * r + j] * blob.scale;
    const out = await session.run({
      image: new ort.Tensor('float32', blob.data, [1, 3, blob.height, blob.width]),
      rois: new ort.Tensor('float32', r5, [R, 5]),
    });
    const scores = out.cls_prob.data as Float32Array;
    const boxes = clipBoxes(decodeBoxes(rois, out.bbox_pred.data as Float32Array), img.height, img.width) as Float32Array;
    const viaOnnx = postprocess({ rois, scores, boxes }, classes, c.test);
    const ref = detect(model, img, props, config).detections;
    assert.is(viaOnnx.length, ref.length, `sample ${i}: detection count`);
    viaOnnx.forEach((d, k) => {
      assert.is(d.className, ref[k].className);
      assert.ok(Math.abs(d.score - ref[k].score) < TOL, `score ${d.score} vs ${ref[k].score}`);
      d.box.forEach((v, j) => assert.ok(Math.abs(v - ref[k].box[j]) < 1e-3, `box ${d.box} vs ${ref[k].box}`));
    });
    compared += ref.length;
  }
  assert.ok(compared > 3, `${compared} detections compared`);
  await session.release();
  model.dispose();
});

test('refusals: a backbone norm without an export, non-finite weights', () => {
  const cfg = randomConfig('none', [3, 3]);
  const m = randomModel(cfg, ['a'], 4, false);
  (m.config.backbone as { norm: string }).norm = 'batch';
  assert.throws(() => exportOnnx(m, cfg), /backbone norm 'batch' has no ONNX export/);
  m.config.backbone.norm = 'none';
  const w = m.namedParameters().find((p) => p.name === 'fc7.weight')!;
  const bad = Float32Array.from(w.tensor.dataSync() as Float32Array);
  bad[3] = Number.NaN;
  m.loadStateDict(new Map([['fc7.weight', { shape: w.tensor.shape.slice(), data: bad }]]), false);
  assert.throws(() => exportOnnx(m, cfg), /weight 'fc7.weight' has 1 non-finite value/);
  m.dispose();
});

test.run();
