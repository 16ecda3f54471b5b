// Pretrained starts (initFromBytes, behind `fastrcnn train --init-from`): the parameters a file holds
// under the model's names take its values, the rest keep their initialization, and the report says
// which; a shape mismatch names the tensor and both shapes and changes nothing; a file that matches
// no parameter, holds integers or non-finite values is refused.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import '../../src/index.js';
import '../helpers/backend.js';
import { createModel } from '../../src/detection/model/fastRcnn.js';
import { formatInitReport, initFromBytes } from '../../src/detection/model/initFrom.js';
import { encodeSafetensors, type NamedArray } from '../../src/nn/safetensors.js';
import { tinyConfig } from './helpers.js';

const test = suite('detection: init-from (pretrained starts)');
const classes = ['a', 'b'];

function weights(names: string[], seed: number): Map<string, NamedArray> {
  const src = createModel(tinyConfig(), classes, seed);
  const out = new Map<string, NamedArray>();
  for (const p of src.namedParameters())
    if (names.includes(p.name)) out.set(p.name, { shape: p.tensor.shape.slice(), data: Float32Array.from(p.tensor.dataSync()) });
  src.dispose();
  return out;
}

const values = (m: ReturnType<typeof createModel>, name: string) =>
  Array.from(
    m
      .namedParameters()
      .find((p) => p.name === name)!
      .tensor.dataSync(),
  );

test('loads the named tensors, keeps the others, reports all three lists', () => {
  const convs = ['conv1_1.weight', 'conv1_1.bias', 'conv2_1.weight', 'conv2_1.bias'];
  const file = weights(convs, 7);
  file.set('classifier.6.weight', { shape: [2, 2], data: new Float32Array(4) });
  const model = createModel(tinyConfig(), classes, 1);
  const fc6Before = values(model, 'fc6.weight');
  const r = initFromBytes(model, encodeSafetensors(file), { source: 'vgg.safetensors' });
  assert.equal(r.loaded, convs);
  assert.equal(r.ignored, ['classifier.6.weight']);
  assert.equal(r.left, [
    'fc6.weight',
    'fc6.bias',
    'fc7.weight',
    'fc7.bias',
    'cls_score.weight',
    'cls_score.bias',
    'bbox_pred.weight',
    'bbox_pred.bias',
  ]);
  for (const n of convs) assert.equal(values(model, n), Array.from(file.get(n)!.data), n);
  assert.equal(values(model, 'fc6.weight'), fc6Before);
  const text = formatInitReport(r);
  assert.match(
    text,
    /^init-from vgg\.safetensors:\n {2}loaded \(4 tensors\): conv1_1\.weight, conv1_1\.bias, conv2_1\.weight, conv2_1\.bias\n/,
  );
  assert.match(text, /\n {2}left at init \(8 tensors\): fc6\.weight, fc6\.bias, .*bbox_pred\.bias\n/);
  assert.match(text, /\n {2}ignored from the file \(1 tensor\): classifier\.6\.weight$/);
  model.dispose();
});

test('a shape mismatch names the tensor and both shapes, and nothing is loaded', () => {
  const file = weights(['conv1_1.weight', 'conv1_1.bias'], 7);
  file.set('fc6.weight', { shape: [16, 99], data: new Float32Array(16 * 99) });
  const model = createModel(tinyConfig(), classes, 1);
  const before = values(model, 'conv1_1.weight');
  assert.throws(
    () => initFromBytes(model, encodeSafetensors(file), { source: 'x.safetensors' }),
    /x\.safetensors: tensor 'fc6\.weight' is \[16, 99\] in the file but \[16, 72\] in the model \(the model's shape comes from the config/,
  );
  assert.equal(values(model, 'conv1_1.weight'), before);
  model.dispose();
});

test('a file matching no parameter, integer tensors and non-finite values are refused', () => {
  const model = createModel(tinyConfig(), classes, 1);
  const other = new Map<string, NamedArray>([['features.0.weight', { shape: [4, 3, 3, 3], data: new Float32Array(108) }]]);
  assert.throws(
    () => initFromBytes(model, encodeSafetensors(other), { source: 'tv.pth.safetensors' }),
    /tv\.pth\.safetensors: none of its 1 tensor\(s\) \(features\.0\.weight\) is a parameter of the model \(conv1_1\.weight, .*python\/fastrcnn_torch converts a torchvision VGG16/,
  );
  const ints = new Map<string, NamedArray>([['conv1_1.bias', { shape: [4], data: new Int32Array(4) }]]);
  assert.throws(() => initFromBytes(model, encodeSafetensors(ints)), /tensor 'conv1_1\.bias' holds integers; a parameter needs floats/);
  const nan = new Map<string, NamedArray>([['conv1_1.bias', { shape: [4], data: new Float32Array([0, Number.NaN, Infinity, 1]) }]]);
  assert.throws(() => initFromBytes(model, encodeSafetensors(nan)), /tensor 'conv1_1\.bias' has 2 non-finite value\(s\)/);
  model.dispose();
});

test('another pixel normalization in the file is noted with the settings that match it', () => {
  const cfg = tinyConfig();
  const model = createModel(cfg, classes, 1);
  const file = encodeSafetensors(weights(['conv1_1.weight'], 7), {
    pixelMeans: '[123.675,116.28,103.53]',
    pixelStds: '[58.395,57.12,57.375]',
  });
  const r = initFromBytes(model, file, { source: 'vgg16.safetensors', config: cfg });
  assert.is(r.notes.length, 1);
  assert.match(
    formatInitReport(r),
    /note: the file's weights expect inputs normalized with pixelMeans \[123\.675,116\.28,103\.53\] and pixelStds \[58\.395,57\.12,57\.375\], this run uses \[122\.7717,115\.9465,102\.9801\] and \[58\.4,57\.1,57\.4\] \(to match: --set pixelMeans=\[123\.675,116\.28,103\.53\] --set pixelStds=\[58\.395,57\.12,57\.375\]\)/,
  );
  cfg.pixelMeans = [123.675, 116.28, 103.53];
  cfg.pixelStds = [58.395, 57.12, 57.375];
  assert.equal(initFromBytes(model, file, { config: cfg }).notes, []);
  model.dispose();
});

test.run();
