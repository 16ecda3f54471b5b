// Hostile and careless input (issue 12): a small file may not ask for gigabytes, bad weights or config
// may not load, a failed load frees what it built, and a VOC folder cannot reach outside itself. Each
// case is one that an attacker's run found; each must fail fast with an Error a user can act on.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import '../helpers/backend.js';
import { decodeImageSync, encodeJpeg, encodePng } from '../../src/app/data/image-node.js';
import { readVoc } from '../../src/app/data/voc.js';
import { removeOrphanTemps } from '../../src/app/files.js';
import { cli } from '../helpers/cli.js';
import { DEFAULT_LIMITS, getLimits, setLimits } from '../../src/core/limits.js';
import { decodeImage } from '../../src/data/image.js';
import { baseConfig } from '../../src/detection/model/config.js';
import { createModel, parameterShapes } from '../../src/detection/model/fastRcnn.js';
import { modelFromBytes, modelToBytes } from '../../src/detection/model/modelFile.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/nn/safetensors.js';
import { engine } from '../../src/tensor/engine.js';
import { rejects } from '../helpers/rejects.js';

const test = suite('hostile input: limits, loaders, VOC');

const gray = (w: number, h: number) => ({ width: w, height: h, data: new Uint8Array(w * h * 3).fill(90) });

/** PNG bytes whose IHDR claims w x h (the pixel data stays that of a 2x2 image). */
function pngClaiming(w: number, h: number): Uint8Array {
  const b = encodePng(gray(2, 2)).slice();
  new DataView(b.buffer).setUint32(16, w);
  new DataView(b.buffer).setUint32(20, h);
  return b;
}

/** JPEG bytes whose SOF0 claims w x h. */
function jpegClaiming(w: number, h: number): Uint8Array {
  const b = encodeJpeg(gray(8, 8)).slice();
  for (let i = 2; i < b.length - 8; i++)
    if (b[i] === 0xff && b[i + 1] === 0xc0) {
      b[i + 5] = h >> 8;
      b[i + 6] = h & 255;
      b[i + 7] = w >> 8;
      b[i + 8] = w & 255;
      return b;
    }
  throw new Error('no SOF0');
}

test('images: the header size is checked against maxImagePixels before decoding', async () => {
  const t0 = performance.now();
  assert.throws(
    () => decodeImageSync(pngClaiming(60000, 3072)),
    /60000x3072 pixels: 184,320,000 is over the limit of 50,000,000 .*maxImagePixels/,
  );
  assert.throws(() => decodeImageSync(jpegClaiming(65000, 65000)), /65000x65000 pixels.*over the limit/);
  await rejects(() => decodeImage(pngClaiming(20000, 20000)), /over the limit of 50,000,000/);
  assert.ok(performance.now() - t0 < 2000, 'refused without decoding');
  assert.throws(() => decodeImageSync(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])), /corrupt PNG header/);
  assert.throws(() => decodeImageSync(new TextEncoder().encode('GIF89a....')), /not a PNG or JPEG image/);
  // The limit is the user's to move: 100 pixels refuses a 20x20 image, the default takes it again.
  const prev = setLimits({ maxImagePixels: 100 });
  try {
    assert.throws(() => decodeImageSync(encodePng(gray(20, 20))), /20x20 pixels: 400 is over the limit of 100/);
  } finally {
    setLimits(prev);
  }
  assert.is(decodeImageSync(encodePng(gray(20, 20))).width, 20);
});

test('setLimits: unknown names and non-positive values are errors; it returns what it replaced', () => {
  assert.throws(() => setLimits({ maxPixels: 5 } as never), /unknown limit 'maxPixels'/);
  assert.throws(() => setLimits({ maxObjects: 0 }), /maxObjects must be a positive integer, got 0/);
  assert.throws(() => setLimits({ maxObjects: 1.5 }), /positive integer/);
  const prev = setLimits({ maxObjects: 7 });
  assert.is(getLimits().maxObjects, 7);
  setLimits(prev);
  assert.equal({ ...getLimits() }, { ...DEFAULT_LIMITS });
});

function smallConfig() {
  const cfg = baseConfig();
  cfg.model.backbone.stages = [[4], [8]];
  cfg.model.fc = [16, 16];
  cfg.model.roiPoolSize = [2, 2];
  return cfg;
}

/** A small model's file, with its metadata and tensors edited. */
function edited(
  edit: (m: Record<string, string>, t: Map<string, { shape: number[]; data: Float32Array | Int32Array }>) => void,
): Uint8Array {
  const cfg = smallConfig();
  const model = createModel(cfg, ['a', 'b']);
  const { tensors, metadata } = decodeSafetensors(modelToBytes(model, cfg));
  model.dispose();
  edit(metadata, tensors);
  return encodeSafetensors(tensors, metadata);
}
const storedConfig = (f: (c: Record<string, any>) => void) =>
  edited((m) => {
    const c = JSON.parse(m.config);
    f(c);
    m.config = JSON.stringify(c);
  });

test('model files: the config is checked against the tensors before any layer is built', () => {
  const before = engine.memory().numTensors;
  const t0 = performance.now();
  const cases: [Uint8Array, RegExp][] = [
    // fc 30000x30000 took 83 s and 7.1 GB before a shape error
    [
      storedConfig((c) => (c.model.fc = [30000, 30000])),
      /m: bad metadata: config 'model\.fc': must be an integer in \[1, 16384\], got 30000/,
    ],
    [storedConfig((c) => (c.model.fc = [8000, 8000])), /m: weight 'fc6\.weight' is \[16,32\], its config asks for \[8000,32\]/],
    [storedConfig((c) => (c.test.scales = [20000])), /'test\.scales': must be an integer in \[1, 2048\], got 20000/],
    [storedConfig((c) => (c.test.scoreThresh = 2)), /'test\.scoreThresh': must be in \[0, 1\], got 2/],
    [storedConfig((c) => (c.test.maxSize = 0)), /'test\.maxSize': must be an integer in \[1, 2048\], got 0/],
    [storedConfig((c) => (c.pixelMeans = ['1', '2', '3'])), /'pixelMeans\[0\]': expected number, got "1"/],
    [
      edited((m) => (m.classes = JSON.stringify(Array.from({ length: 2000 }, (_, i) => `c${i}`)))),
      /classes: 2,000 is over the limit of 1,000/,
    ],
    [edited((m) => (m.classes = JSON.stringify(['a', 'x'.repeat(500)]))), /characters: 500 is over the limit of 100/],
    [edited((m) => (m.classes = '[1, 2]')), /bad metadata: classes is not a list of names/],
    [edited((m) => delete m.config), /bad metadata: classes and config are required/],
    [edited((_, t) => t.get('fc7.bias')!.data.fill(Number.NaN)), /m: weight 'fc7\.bias' has 16 non-finite value\(s\)/],
    [edited((_, t) => (t.get('conv1_1.weight')!.data[3] = Number.POSITIVE_INFINITY)), /weight 'conv1_1\.weight' has 1 non-finite/],
    [edited((_, t) => t.delete('cls_score.bias')), /missing weight 'cls_score\.bias' \(shape \[3\]\)/],
    [edited((_, t) => t.set('extra.weight', { shape: [1], data: new Float32Array(1) })), /unexpected weight\(s\) extra\.weight/],
  ];
  for (const [bytes, re] of cases) assert.throws(() => modelFromBytes(bytes, { source: 'm' }), re);
  assert.ok(performance.now() - t0 < 3000, `refused fast (${(performance.now() - t0).toFixed(0)} ms)`);
  assert.is(engine.memory().numTensors, before, 'failed loads leave no tensors');
});

test('safetensors: __metadata__ must be an object of strings; the header is bounded', () => {
  const header = (h: unknown) => {
    const j = new TextEncoder().encode(JSON.stringify(h));
    const b = new Uint8Array(8 + j.length);
    new DataView(b.buffer).setUint32(0, j.length, true);
    b.set(j, 8);
    return b;
  };
  assert.throws(
    () => decodeSafetensors(header({ __metadata__: null }), 'f'),
    /f: not a valid safetensors file: __metadata__ must be an object of strings/,
  );
  assert.throws(() => decodeSafetensors(header({ __metadata__: { a: 1 } }), 'f'), /__metadata__ must be an object of strings/);
  const prev = setLimits({ maxHeaderBytes: 10 });
  try {
    assert.throws(() => decodeSafetensors(header({ __metadata__: { a: 'b' } }), 'f'), /exceeds 10 bytes \(maxHeaderBytes/);
  } finally {
    setLimits(prev);
  }
});

test('parameterShapes equals the built model for every layout', () => {
  const layouts: [string, (c: ReturnType<typeof baseConfig>) => void][] = [
    ['base', () => {}],
    ['instance norm', (c) => (c.model.backbone.norm = 'instance')],
    ['no norm, two convs a stage', (c) => (c.model.backbone.stages = [[4, 4], [8], [8, 8]])],
    ['SVD pairs', (c) => (c.model.svd = [4, 3])],
  ];
  for (const [name, f] of layouts) {
    const cfg = smallConfig();
    f(cfg);
    const m = createModel(cfg, ['a', 'b', 'c']);
    assert.equal(
      parameterShapes(cfg.model, 4),
      m.namedParameters().map((p) => [p.name, p.tensor.shape.slice()]),
      name,
    );
    m.dispose();
  }
});

// ---- VOC folders --------------------------------------------------------------------------------

const obj = (name: string) =>
  `<object><name>${name}</name><bndbox><xmin>2</xmin><ymin>2</ymin><xmax>9</xmax><ymax>9</ymax></bndbox></object>`;
const xml = (body: string, filename = '') =>
  `<annotation><filename>${filename}</filename><size><width>20</width><height>20</height></size>${body}</annotation>`;

function vocDir(files: Record<string, string>, ids: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'voc-hostile-'));
  for (const d of ['Annotations', 'JPEGImages', 'ImageSets/Main']) mkdirSync(join(root, d), { recursive: true });
  for (const [id, x] of Object.entries(files)) {
    writeFileSync(join(root, 'Annotations', `${id}.xml`), x);
    writeFileSync(join(root, 'JPEGImages', `${id}.png`), encodePng(gray(20, 20)));
  }
  writeFileSync(join(root, 'ImageSets', 'Main', 'trainval.txt'), ids.join('\n'));
  return root;
}

test('VOC: paths stay inside the dataset, limits hold, entities decode, odd class names are reported', () => {
  const root = vocDir(
    {
      ok: xml(obj('&#99;at').repeat(18) + obj('d&#x6f;g') + obj('&amp;#99;')),
      escape: xml(obj('cat'), '../../../../etc/passwd'),
      many: xml(obj('cat').repeat(30)),
      ctrl: xml(obj('bad\u0001name') + obj('cat')),
      long: xml(obj('x'.repeat(300)) + obj('cat')),
    },
    ['ok', 'escape', 'many', 'ctrl', 'long', '../Annotations/ok'],
  );
  const prev = setLimits({ maxObjects: 20 });
  try {
    const d = readVoc(root);
    assert.equal(
      d.records.map((r) => r.id),
      ['ok', 'escape', 'ctrl', 'long'],
    );
    assert.equal(d.classes, ['&#99;', 'cat', 'dog']);
    assert.ok(d.records[1].imagePath.endsWith(join('JPEGImages', 'escape.png')), 'the <filename> outside JPEGImages is not opened');
    const has = (re: RegExp) =>
      assert.ok(
        d.warnings.some((w) => re.test(w)),
        `expected a warning matching ${re}\n${d.warnings.join('\n')}`,
      );
    has(/^escape: <filename> "\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd" is not a plain file name in JPEGImages; ignored/);
    has(/^"\.\.\/Annotations\/ok" in trainval: not a plain file name/);
    has(/^many: objects in the annotation: 30 is over the limit of 20 .*; image skipped/);
    has(/^ctrl: object class "bad\\u0001name" contains control characters; object dropped/);
    has(/^long: object class "x{40,}\.\.\." \(300 characters\) is 300 characters, over maxClassNameLength 100; object dropped/);
    has(/^no classes.txt, so every name in the annotations is a class: "&#99;", "dog" appear once among 2[0-9] objects \(a typo\?\)/);
    for (const w of d.warnings) assert.ok(w.length < 400, `a warning is one short line: ${w.slice(0, 100)}`);
    setLimits({ maxAnnotationBytes: 1000 });
    assert.ok(readVoc(root).warnings.some((w) => /^many: annotation size in bytes: [\d,]+ is over the limit of 1,000/.test(w)));
    setLimits({ maxAnnotationBytes: DEFAULT_LIMITS.maxAnnotationBytes, maxClasses: 2 });
    assert.throws(() => readVoc(root), /classes: 3 is over the limit of 2/);
  } finally {
    setLimits(prev);
    rmSync(root, { recursive: true, force: true });
  }
});

test("temp files of a write killed mid-way are removed at the next start, a live writer's are kept", () => {
  const dir = mkdtempSync(join(tmpdir(), 'orphans-'));
  const out = join(dir, 'model.safetensors');
  let dead = 4_000_000;
  const isAlive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  while (isAlive(dead)) dead++;
  const orphan = `${out}.tmp-${dead}`,
    live = `${out}.tmp-${process.ppid}`,
    other = join(dir, 'other.tmp-1');
  for (const f of [orphan, live, other]) writeFileSync(f, 'x');
  assert.equal(removeOrphanTemps(out), [orphan]);
  assert.equal([existsSync(orphan), existsSync(live), existsSync(other)], [false, true, true]);
  rmSync(dir, { recursive: true, force: true });
});

test('FASTRCNN_LIMITS: a bad value is a one-line usage error', async () => {
  const prev = setLimits({});
  process.env.FASTRCNN_LIMITS = '{"maxImagePixels":0}';
  try {
    const r = await cli('eval', '--data', '/nonexistent');
    assert.is(r.code, 2);
    assert.match(r.err, /^fastrcnn: FASTRCNN_LIMITS: maxImagePixels must be a positive integer, got 0\n$/);
    process.env.FASTRCNN_LIMITS = 'maxImagePixels=5';
    assert.match((await cli('eval', '--data', '/nonexistent')).err, /FASTRCNN_LIMITS: .*JSON/);
  } finally {
    delete process.env.FASTRCNN_LIMITS;
    setLimits(prev);
  }
});

test.run();
