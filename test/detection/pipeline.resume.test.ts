// Checkpoints: an interrupted run resumed from its checkpoint ends with exactly the bytes of an
// uninterrupted run (weights, momentum, generators and data order all restored); a NaN/Inf loss
// stops training with a clear message and keeps the last good checkpoint.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../src/index.js';
import '../helpers/backend.js';
import { trainDetector } from '../../src/app/train.js';
import { decodeSafetensors } from '../../src/nn/safetensors.js';
import { parseLossCsv } from '../../src/detection/training/lossPlot.js';
import { rejects } from '../helpers/rejects.js';
import { tempDir, tinyConfig, tinyDataset } from './helpers.js';

const test = suite('detection: checkpoints and resume');
const data = tinyDataset(8, 11);
const quiet = { log: null, progress: 'none' as const, workers: 1 };

test('resume continues bit-identically (model bytes and loss log)', async () => {
  const cfg = tinyConfig(6);
  const a = tempDir('straight'),
    b = tempDir('resumed');
  const straight = await trainDetector({ data, out: join(a, 'm.safetensors'), config: cfg, ...quiet });
  straight.model.dispose();
  const first = await trainDetector({ data, out: join(b, 'm.safetensors'), config: cfg, stopAfter: 3, ...quiet });
  assert.is(first.modelPath, null);
  assert.ok(existsSync(first.checkpoint));
  first.model.dispose();
  const second = await trainDetector({ data, out: join(b, 'm.safetensors'), config: cfg, resume: true, ...quiet });
  assert.is(second.iterations, 3);
  second.model.dispose();
  const x = readFileSync(join(a, 'm.safetensors')),
    y = readFileSync(join(b, 'm.safetensors'));
  assert.ok(x.equals(y), 'model files differ');
  const la = parseLossCsv(readFileSync(straight.lossCsv, 'utf8')),
    lb = parseLossCsv(readFileSync(second.lossCsv, 'utf8'));
  assert.equal(
    lb.map((l) => [l.iteration, l.loss, l.lossCls, l.lossLoc]),
    la.map((l) => [l.iteration, l.loss, l.lossCls, l.lossLoc]),
  );
  // And the run is not trivially constant: weights moved.
  const ck = decodeSafetensors(new Uint8Array(readFileSync(second.checkpoint)));
  assert.ok(
    [...ck.tensors.keys()].some((k) => k.startsWith('__velocity__.')),
    'momentum is in the checkpoint',
  );
});

test('resume across the pre-training / training boundary is bit-identical too', async () => {
  const cfg = tinyConfig(4);
  cfg.train.pretrain.iterations = 3;
  cfg.train.pretrain.batch = 8;
  cfg.train.pretrain.cropSize = 16;
  const a = tempDir('pre-straight'),
    b = tempDir('pre-resumed');
  (await trainDetector({ data, out: join(a, 'm.safetensors'), config: cfg, ...quiet })).model.dispose();
  (await trainDetector({ data, out: join(b, 'm.safetensors'), config: cfg, stopAfter: 2, ...quiet })).model.dispose();
  (await trainDetector({ data, out: join(b, 'm.safetensors'), config: cfg, resume: true, stopAfter: 2, ...quiet })).model.dispose();
  const last = await trainDetector({ data, out: join(b, 'm.safetensors'), config: cfg, resume: true, ...quiet });
  last.model.dispose();
  assert.is(last.iterations, 3);
  assert.ok(readFileSync(join(a, 'm.safetensors')).equals(readFileSync(join(b, 'm.safetensors'))), 'model files differ');
  const logs = parseLossCsv(readFileSync(last.lossCsv, 'utf8'));
  assert.equal(
    logs.map((l) => l.phase),
    ['pretrain', 'pretrain', 'pretrain', 'train', 'train', 'train', 'train'],
  );
});

test('resume without a checkpoint, on other data or another split, is a clear error', async () => {
  const d = tempDir('nockpt');
  await rejects(
    () => trainDetector({ data, out: join(d, 'm.safetensors'), config: tinyConfig(4), resume: true, ...quiet }),
    /no checkpoint at/,
  );
  const cfg = tinyConfig(4);
  const r = await trainDetector({ data, out: join(d, 'm.safetensors'), config: cfg, stopAfter: 1, ...quiet });
  r.model.dispose();
  const other = tinyDataset(6, 12);
  await rejects(
    () => trainDetector({ data: other, out: join(d, 'm.safetensors'), config: cfg, resume: true, ...quiet }),
    /other training data|classes/,
  );
  await rejects(
    () => trainDetector({ data, split: 'test', out: join(d, 'm.safetensors'), config: cfg, resume: true, ...quiet }),
    /--resume: the checkpoint was trained with --split trainval, this call asks for test; give the same/,
  );
  await rejects(
    () => trainDetector({ data, valSplit: 'auto', out: join(d, 'm.safetensors'), config: cfg, resume: true, ...quiet }),
    /--resume: the checkpoint was trained with --val-split \(none\), this call asks for auto/,
  );
});

test('a NaN/Inf loss stops training with a clear message and keeps the last good checkpoint', async () => {
  const d = tempDir('nan');
  const cfg = tinyConfig(40);
  cfg.train.lr = 1e12;
  cfg.train.warmupIters = 0;
  cfg.train.snapshotIters = 1;
  let err: Error | null = null;
  try {
    (await trainDetector({ data, out: join(d, 'm.safetensors'), config: cfg, ...quiet })).model.dispose();
  } catch (e) {
    err = e as Error;
  }
  assert.ok(err, 'training should have stopped');
  assert.match(err!.message, /diverged|not finite/);
  assert.not.ok(existsSync(join(d, 'm.safetensors')), 'no model file is written');
  const ckpt = join(d, 'm.ckpt');
  assert.ok(existsSync(ckpt), 'a checkpoint from before the divergence exists');
  const { tensors, metadata } = decodeSafetensors(new Uint8Array(readFileSync(ckpt)));
  for (const [k, v] of tensors) assert.ok(v.data.every(Number.isFinite), `checkpoint tensor ${k} is finite`);
  assert.ok(JSON.parse(metadata.state).iteration >= 1);
  assert.match(err!.message, /last good checkpoint is .*m\.ckpt/);
});

test.run();
