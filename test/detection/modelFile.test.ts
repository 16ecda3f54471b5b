// Model files outlive changes to the training settings: a stored config with training keys this
// version does not know (renamed or removed) and unknown test keys still loads, with the weights and
// the known test settings intact; the network's shape stays strict.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import '../helpers/backend.js';
import { baseConfig } from '../../src/detection/model/config.js';
import { createModel } from '../../src/detection/model/fastRcnn.js';
import { modelFromBytes, modelToBytes } from '../../src/detection/model/modelFile.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/nn/safetensors.js';

const test = suite('detection: model file compatibility');

function smallConfig() {
  const cfg = baseConfig();
  cfg.model.backbone.stages = [[4], [8]];
  cfg.model.fc = [16, 16];
  cfg.model.roiPoolSize = [2, 2];
  cfg.test.nms = 0.4;
  return cfg;
}

/** The model's bytes with its stored config edited by `edit`. */
function withStoredConfig(bytes: Uint8Array, edit: (c: Record<string, any>) => void): Uint8Array {
  const { tensors, metadata } = decodeSafetensors(bytes);
  const c = JSON.parse(metadata.config);
  edit(c);
  return encodeSafetensors(tensors, { ...metadata, config: JSON.stringify(c) });
}

test('unknown train.* and test.* keys are ignored; weights and known test settings load', () => {
  const cfg = smallConfig();
  const model = createModel(cfg, ['a', 'b']);
  const bytes = withStoredConfig(modelToBytes(model, cfg), (c) => {
    c.train.someRenamedSetting = 7;
    c.train.pretrain.oldKnob = true;
    c.test.futureOption = 'x';
  });
  const { model: loaded, config } = modelFromBytes(bytes);
  assert.is(config.test.nms, 0.4);
  assert.equal(config.model.backbone.stages, [[4], [8]]);
  assert.not.ok('futureOption' in config.test);
  const a = model.fc6 as any,
    b = loaded.fc6 as any;
  assert.equal(Array.from(b.weight.dataSync()), Array.from(a.weight.dataSync()));
  model.dispose();
  loaded.dispose();
});

test('an unknown key in the network shape is still an error naming it', () => {
  const cfg = smallConfig();
  const model = createModel(cfg, ['a']);
  const bytes = withStoredConfig(modelToBytes(model, cfg), (c) => {
    c.model.attention = 1;
  });
  assert.throws(
    () => modelFromBytes(bytes, { source: 'm.safetensors' }),
    (e: Error) => /m\.safetensors: bad metadata.*model\.attention/.test(e.message),
  );
  model.dispose();
});

test.run();
