// fastrcnn export: the ONNX file it writes runs in ONNX Runtime with the model's outputs; what it
// prints; clear errors for a missing flag, a missing or unreadable model and an unwritable output.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import '../../src/index.js';
import '../helpers/backend.js';
import { cli } from '../helpers/cli.js';
import { tempDir, tinyConfig } from '../detection/helpers.js';
import { createModel } from '../../src/detection/model/fastRcnn.js';
import { modelToBytes } from '../../src/detection/model/modelFile.js';

const test = suite('cli export');
const root = tempDir('cli-export');
const model = join(root, 'model.safetensors');
const m = createModel(tinyConfig(), ['a', 'b'], 3);
writeFileSync(model, modelToBytes(m, tinyConfig()));
m.dispose();

test('writes an ONNX file that ONNX Runtime runs, and says what it wrote', async () => {
  const out = join(root, 'sub', 'model.onnx');
  const r = await cli('export', '--model', model, '--onnx', out);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /export: .*model\.safetensors -> .*model\.onnx \(ONNX opset 13, \d+\.\d\d MiB\)/);
  assert.match(r.out, /inputs +image \[1, 3, height, width\]/);
  assert.match(r.out, /rois \[num_rois, 5\]/);
  assert.match(r.out, /outputs +cls_prob \[num_rois, 3\]/);
  assert.match(r.out, /bbox_pred \[num_rois, 12\]/);
  assert.match(r.out, /preprocessing: RGB, short side 72 .*pixel means \[122\.7717,115\.9465,102\.9801\]/);
  const s = await ort.InferenceSession.create(new Uint8Array(readFileSync(out)));
  const res = await s.run({
    image: new ort.Tensor('float32', new Float32Array(3 * 40 * 30), [1, 3, 30, 40]),
    rois: new ort.Tensor('float32', Float32Array.of(0, 1, 2, 20, 25), [1, 5]),
  });
  const p = res.cls_prob.data as Float32Array;
  assert.ok(Math.abs(p[0] + p[1] + p[2] - 1) < 1e-5, 'softmax rows sum to 1');
  await s.release();
});

test('clear errors: flags, model, output', async () => {
  const a = await cli('export', '--model', model);
  assert.is(a.code, 2);
  assert.match(a.err, /--onnx is required/);
  const b = await cli('export', '--onnx', join(root, 'x.onnx'));
  assert.is(b.code, 2);
  assert.match(b.err, /--model is required/);
  const c = await cli('export', '--model', join(root, 'nope.safetensors'), '--onnx', join(root, 'x.onnx'));
  assert.is(c.code, 1);
  assert.match(c.err, /model file not found: .*nope\.safetensors/);
  const junk = join(root, 'junk.safetensors');
  writeFileSync(junk, 'not a model');
  const d = await cli('export', '--model', junk, '--onnx', join(root, 'x.onnx'));
  assert.is(d.code, 1);
  assert.match(d.err, /junk\.safetensors/);
  const e = await cli('export', '--model', model, '--onnx', join(junk, 'x.onnx'));
  assert.is(e.code, 1);
  assert.match(e.err, /cannot write .*junk\.safetensors\/x\.onnx/);
  const g = await cli('export', '--model', join(root, 'sub', 'model.onnx'), '--onnx', join(root, 'y.onnx'));
  assert.is(g.code, 1);
  assert.match(g.err, /--model takes a fastrcnn model file, not an ONNX file/);
  mkdirSync(join(root, 'adir'));
  const f = await cli('export', '--model', model, '--onnx', join(root, 'adir'));
  assert.is(f.code, 2);
  assert.match(f.err, /is a directory/);
  const h = await cli('--help');
  assert.match(h.out, /\bexport\b.*ONNX/);
});

test.run();
