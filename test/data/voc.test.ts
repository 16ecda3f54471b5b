// VOC reader/writer against the fixture README's expected objects (1-based there, 0-based in memory)
// and against hand-made broken datasets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readVoc, readSplitIds, loadVocImage, writeVoc } from '../../src/app/data/voc.js';
import { parseVocXml, writeVocXml } from '../../src/data/voc-xml.js';
import type { VocAnnotation } from '../../src/data/types.js';

const FIX = fileURLToPath(new URL('../fixtures/voc-format', import.meta.url));

// From test/fixtures/voc-format/README.md: (x1, y1, x2, y2, difficult), 1-based as in the files.
const EXPECTED: Record<string, [string, number, number, number, number, number][]> = {
  '000005': [
    ['chair', 10, 20, 40, 80, 0],
    ['person', 50, 5, 110, 90, 0],
    ['chair', 1, 60, 9, 90, 1],
  ],
  '2008_000123': [['dog', 12.2, 8.7, 77.5, 59.9, 0]],
  '000007': [['car', 5, 5, 100, 100, 0]],
};

test('fixtures: expected objects, parts ignored, names trimmed, boxes 0-based, no warnings', () => {
  const d = readVoc(FIX, { split: 'trainval' });
  assert.equal(d.warnings, []);
  assert.equal(
    d.records.map((r) => r.id),
    ['000005', '000007', '2008_000123'],
  );
  assert.equal(d.classes, ['car', 'chair', 'dog', 'person']);
  for (const r of d.records) {
    const exp = EXPECTED[r.id];
    assert.is(r.objects.length, exp.length, r.id);
    exp.forEach(([name, x1, y1, x2, y2, diff], k) => {
      const o = r.objects[k];
      assert.is(o.name, name);
      [x1, y1, x2, y2].forEach((v, j) =>
        assert.ok(Math.abs(o.box[j] - (v - 1)) < 1e-9, `${r.id} ${name} coord ${j}: ${o.box[j]} vs ${v - 1}`),
      );
      assert.is(o.difficult, diff === 1);
    });
  }
  const r5 = d.records[0];
  assert.equal([r5.width, r5.height], [120, 90]);
  assert.equal(
    r5.objects.map((o) => o.truncated),
    [false, true, true],
  );
  // 000007's box touches the border (x2 = width in 1-based) and must survive unclipped.
  assert.equal(d.records[1].objects[0].box, [4, 4, 99, 99]);
  assert.equal([d.records[2].width, d.records[2].height], [80, 64]);
});

test('fixtures: per-class split file form and image decode', () => {
  assert.equal(readSplitIds(FIX, 'chair_trainval'), ['000005', '000007', '2008_000123']);
  const d = readVoc(FIX, { split: 'chair_trainval', classes: ['chair'], checkImages: 'decode' });
  assert.equal(
    d.records[0].objects.map((o) => o.name),
    ['chair', 'chair'],
  );
  assert.ok(d.warnings.some((w) => w.includes('"person"')));
  assert.ok(d.warnings.some((w) => w.startsWith('000007: no objects')));
  const img = loadVocImage(d.records[0]);
  assert.equal([img.width, img.height, img.data.length], [120, 90, 120 * 90 * 3]);
});

const ann = (over: Partial<VocAnnotation> = {}): VocAnnotation => ({
  id: '000001',
  filename: '000001.png',
  width: 40,
  height: 30,
  depth: 3,
  objects: [
    { name: 'star', box: [0, 0, 39, 29], difficult: false, truncated: true },
    { name: 'ring & co', box: [3.25, 4.5, 10.125, 20], difficult: true, truncated: false },
  ],
  ...over,
});

test('XML writer round trip (1-based on disk, 0-based in memory)', () => {
  const a = ann();
  const xml = writeVocXml(a);
  assert.ok(xml.includes('<xmin>1</xmin>') && xml.includes('<xmax>40</xmax>'), 'disk coordinates are 1-based');
  const { annotation: b, warnings } = parseVocXml(xml, a.id);
  assert.equal(warnings, []);
  assert.equal({ ...b, objects: [] }, { ...a, objects: [] });
  assert.is(b.objects.length, 2);
  b.objects.forEach((o, k) => {
    assert.is(o.name, a.objects[k].name);
    assert.is(o.difficult, a.objects[k].difficult);
    assert.is(o.truncated, a.objects[k].truncated);
    o.box.forEach((v, j) => assert.ok(Math.abs(v - a.objects[k].box[j]) < 1e-9));
  });
});

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'voc-test-'));
}

test('dataset writer round trip through readVoc', () => {
  const root = tmp();
  try {
    const img = { width: 40, height: 30, data: new Uint8Array(40 * 30 * 3).map((_, i) => (i * 7) & 255) };
    const a = ann(),
      b = ann({ id: '000002', filename: '000002.jpg', objects: [{ name: 'star', box: [5, 6, 7, 8], difficult: false, truncated: false }] });
    writeVoc(
      root,
      [
        { annotation: a, image: img },
        { annotation: b, image: img },
      ],
      { trainval: ['000001', '000002'], test: ['000002'] },
      ['ring & co', 'star'],
    );
    const d = readVoc(root, { checkImages: 'decode' });
    assert.equal(d.warnings, []);
    assert.equal(d.classes, ['ring & co', 'star']);
    assert.equal(
      d.records.map((r) => r.objects.length),
      [2, 1],
    );
    assert.equal(d.records[1].objects[0].box, [5, 6, 7, 8]);
    assert.equal(loadVocImage(d.records[0]).data, img.data, 'PNG written losslessly');
    assert.equal(
      readVoc(root, { split: 'test' }).records.map((r) => r.id),
      ['000002'],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('errors: missing directory, missing split, empty split', () => {
  assert.throws(() => readVoc('/nonexistent/voc'), /VOC directory not found: \/nonexistent\/voc/);
  assert.throws(() => readVoc(FIX, { split: 'nosuch' }), /split file not found: .*ImageSets\/Main\/nosuch\.txt/);
  const root = tmp();
  try {
    mkdirSync(join(root, 'ImageSets', 'Main'), { recursive: true });
    writeFileSync(join(root, 'ImageSets', 'Main', 'trainval.txt'), '\n  \n');
    assert.throws(() => readVoc(root), /split file lists no images: .*trainval\.txt/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('warnings and skips: no objects, bad boxes, unknown fields, missing/corrupt images, bad XML', () => {
  const root = tmp();
  try {
    for (const d of ['Annotations', 'JPEGImages', 'ImageSets/Main']) mkdirSync(join(root, d), { recursive: true });
    const xml = (id: string, objs: string, size = '<size><width>120</width><height>90</height><depth>3</depth></size>') =>
      `<annotation><filename>${id}.jpg</filename><weird><deep>1</deep></weird>${size}${objs}</annotation>`;
    const obj = (name: string, b: (number | string)[], extra = '') =>
      `<object><name>${name}</name><bndbox><xmin>${b[0]}</xmin><ymin>${b[1]}</ymin><xmax>${b[2]}</xmax><ymax>${b[3]}</ymax></bndbox>${extra}</object>`;
    const files: Record<string, string> = {
      a: xml('a', ''), // no objects: kept
      b: xml(
        'b',
        obj('cat', [50, 40, 10, 5]) + // inverted -> swapped
          obj('cat', [-5, 0, 130, 95]) + // crosses border -> clipped to [0,0,119,89]
          obj('cat', [200, 10, 220, 20]) + // outside -> dropped
          obj('cat', ['x', 1, 2, 3]) + // non-numeric -> dropped
          obj('', [1, 1, 2, 2]) + // no name -> dropped
          obj('dog', [1, 1, 2, 2], '<unknown>7</unknown><difficult></difficult>'),
      ), // unknown field ignored
      c: xml('c', obj('cat', [1, 1, 5, 5])), // image missing
      d: xml('d', obj('cat', [1, 1, 5, 5])), // image corrupt
      e: '<annotation><object><name>cat</name></annotation>', // malformed
      g: xml('g', obj('cat', [1, 1, 5, 5]), ''), // no size: taken from the image
    };
    for (const [id, x] of Object.entries(files)) writeFileSync(join(root, 'Annotations', `${id}.xml`), x);
    for (const id of ['a', 'b', 'e', 'g']) copyFileSync(join(FIX, 'JPEGImages', '000005.jpg'), join(root, 'JPEGImages', `${id}.jpg`));
    writeFileSync(join(root, 'JPEGImages', 'd.jpg'), new Uint8Array([0xff, 0xd8, 0xff, 0x00, 1, 2, 3]));
    writeFileSync(join(root, 'ImageSets', 'Main', 'trainval.txt'), 'a\nb\nc\nd\ne\nf\ng\n');
    const d = readVoc(root);
    assert.equal(
      d.records.map((r) => r.id),
      ['a', 'b', 'g'],
    );
    assert.equal(d.classes, ['cat', 'dog']);
    const b = d.records[1];
    assert.equal(
      b.objects.map((o) => o.box),
      [
        [9, 4, 49, 39],
        [0, 0, 119, 89],
        [0, 0, 1, 1],
      ],
    );
    assert.equal(
      b.objects.map((o) => o.difficult),
      [false, false, false],
    );
    assert.equal([d.records[2].width, d.records[2].height], [120, 90]);
    const has = (re: RegExp) =>
      assert.ok(
        d.warnings.some((w) => re.test(w)),
        `expected a warning matching ${re}\n${d.warnings.join('\n')}`,
      );
    has(/^a: no objects/);
    has(/^b: cat .* inverted/);
    has(/^b: cat .* clipped/);
    has(/^b: cat .* outside .* dropped/);
    has(/^b: object 3 \(cat\) has no complete numeric/);
    has(/^b: object 4 has no <name>/);
    has(/^c: image file missing/);
    has(/^d: image unreadable \(.*corrupt JPEG header/);
    has(/^e: malformed XML/);
    has(/^f: annotation missing/);
    assert.not.ok(
      d.warnings.some((w) => w.startsWith('g:')),
      'missing <size> is filled silently from the image header',
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
