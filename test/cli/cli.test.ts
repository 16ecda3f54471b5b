// The CLI end to end on a tiny dataset, in-process (runCli with captured output): synth, proposals,
// train (with a JSON config and --set), test, eval of the written results, detect, compress; plus
// help, usage errors and clear errors for bad paths.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import '../../src/index.js';
import '../helpers/backend.js';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../detection/helpers.js';

const test = suite('cli');

const root = tempDir('cli');
const data = join(root, 'data');
const model = join(root, 'model.safetensors');
const tinyJson = join(root, 'tiny.json');
writeFileSync(
  tinyJson,
  JSON.stringify({
    model: { backbone: { stages: [[4], [8]] }, fc: [16, 16], roiPoolSize: [3, 3] },
    train: { scales: [72], batchSize: 32, warmupIters: 2, maxProposals: 200 },
    test: { scales: [72], maxProposals: 200 },
  }),
);

test('help and usage errors', async () => {
  const h = await cli('--help');
  assert.is(h.code, 0);
  for (const c of ['demo', 'synth', 'proposals', 'train', 'detect', 'test', 'eval', 'compress'])
    assert.match(h.out, new RegExp(`\\b${c}\\b`));
  const u = await cli('frobnicate');
  assert.is(u.code, 2);
  assert.match(u.err, /unknown command 'frobnicate'/);
  const m = await cli('train', '--data', data);
  assert.is(m.code, 2);
  assert.match(m.err, /--out is required/);
  const f = await cli('train', '--bogus', '1');
  assert.is(f.code, 2);
  assert.match(f.err, /unknown option --bogus/);
  const th = await cli('train', '--help');
  assert.is(th.code, 0);
  assert.match(th.out, /--resume/);
});

test('synth -> proposals -> train -> test -> eval -> detect -> compress', async () => {
  const s = await cli('synth', '--out', data, '--images', '8', '--seed', '3', '--format', 'png');
  assert.is(s.code, 0, s.err);
  assert.ok(existsSync(join(data, 'ImageSets', 'Main', 'trainval.txt')));
  // small images keep Selective Search fast
  const p = await cli('proposals', '--data', data, '--split', 'trainval');
  assert.is(p.code, 0, p.err);
  assert.match(p.out, /recall@0\.5 \d+\.\d%/);
  const t = await cli(
    'train',
    '--data',
    data,
    '--out',
    model,
    '--config',
    tinyJson,
    '--set',
    'train.iterations=4',
    '--set',
    'train.seed=9',
  );
  assert.is(t.code, 0, t.err);
  assert.match(t.out, /4 iterations/);
  for (const f of ['model.safetensors', 'model.ckpt', 'model.loss.csv', 'model.loss.svg']) assert.ok(existsSync(join(root, f)), f);
  assert.match(readFileSync(join(root, 'model.loss.svg'), 'utf8'), /^<svg/);
  const te = await cli('test', '--model', model, '--data', data, '--split', 'test', '--results', join(root, 'results'));
  assert.is(te.code, 0, te.err);
  assert.match(te.out, /mAP\s+\d+\s+\d\.\d{4}\s+\d\.\d{4}/);
  const ev = await cli('eval', '--data', data, '--split', 'test', '--results', join(root, 'results'));
  assert.is(ev.code, 0, ev.err);
  const mapLine = (s: string) => s.split('\n').find((l) => l.startsWith('mAP'));
  assert.is(mapLine(ev.out), mapLine(te.out), 'eval of the written results reproduces test');
  // --json: the same table for scripts
  const evj = await cli('eval', '--data', data, '--split', 'test', '--results', join(root, 'results'), '--json');
  assert.is(evj.code, 0, evj.err);
  const tj = JSON.parse(evj.out);
  assert.is(tj.split, 'test');
  assert.is(tj.map07.toFixed(4), mapLine(te.out)!.split(/\s+/)[2]);
  assert.equal(
    tj.classes.map((c: { name: string }) => c.name),
    readFileSync(join(data, 'classes.txt'), 'utf8').trim().split('\n'),
  );
  const img = join(data, 'JPEGImages', readFileSync(join(data, 'ImageSets', 'Main', 'test.txt'), 'utf8').split('\n')[0] + '.png');
  const d = await cli('detect', '--model', model, '--image', img, '--out', join(root, 'det.png'), '--threshold', '0');
  assert.is(d.code, 0, d.err);
  assert.ok(existsSync(join(root, 'det.png')) && existsSync(join(root, 'det.json')));
  const js = JSON.parse(readFileSync(join(root, 'det.json'), 'utf8'));
  assert.ok(Array.isArray(js.detections));
  // a folder: every PNG/JPEG in it, pictures and JSON into --out; the same detections as one by one
  const many = await cli('detect', '--model', model, '--image', join(data, 'JPEGImages'), '--out', join(root, 'dets'), '--threshold', '0');
  assert.is(many.code, 0, many.err);
  const n = readdirSync(join(data, 'JPEGImages')).length;
  assert.match(many.out, new RegExp(`detect: ${n} images, \\d+ detection\\(s\\)`));
  const stem = basename(img, '.png');
  assert.equal(JSON.parse(readFileSync(join(root, 'dets', `${stem}.detections.json`), 'utf8')).detections, js.detections);
  assert.is((await cli('detect', '--model', model, '--image', img, '--image', img, '--json', 'x.json')).code, 2);
  const c = await cli('compress', '--model', model, '--fc6', '4', '--fc7', '4', '--out', join(root, 'small.safetensors'), '--rois', '50');
  assert.is(c.code, 0, c.err);
  assert.match(c.out, /parameters\s+fc6 [\d,]+ -> [\d,]+/);
  const te2 = await cli(
    'test',
    '--model',
    join(root, 'small.safetensors'),
    '--data',
    data,
    '--split',
    'test',
    '--results',
    join(root, 'results2'),
  );
  assert.is(te2.code, 0, te2.err);
});

test('clear errors for paths that do not exist', async () => {
  const a = await cli('train', '--data', join(root, 'nope'), '--out', model);
  assert.is(a.code, 1);
  assert.match(a.err, /VOC directory not found: .*nope/);
  const b = await cli('detect', '--model', join(root, 'nope.safetensors'), '--image', 'x.png');
  assert.is(b.code, 1);
  assert.match(b.err, /model file not found/);
  const c = await cli('eval', '--data', data, '--split', 'test', '--results', join(root, 'noresults'));
  assert.is(c.code, 1);
  assert.match(c.err, /results directory not found/);
  const d = await cli('train', '--data', data, '--out', model, '--config', join(root, 'nope.json'));
  assert.is(d.code, 2);
  assert.match(d.err, /config file not found/);
  const e = await cli('train', '--data', data, '--out', model, '--set', 'train.nosuch=1');
  assert.is(e.code, 2);
  assert.match(e.err, /unknown key 'train.nosuch'/);
});

test.run();
