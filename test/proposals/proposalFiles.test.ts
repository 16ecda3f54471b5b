// Proposal files: JSON round trip, validation errors, and the <dir>/<image_id>.json cache layout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cachedProposals,
  listProposalIds,
  loadProposals,
  loadProposalsIfPresent,
  parseProposals,
  proposalPath,
  saveProposals,
  serializeProposals,
} from '../../src/proposals/proposalFiles.js';

test('serialize -> parse round trip keeps boxes, scores and id', () => {
  const rec = { imageId: '000005', boxes: Float32Array.of(0, 1, 10, 20, 5.5, 6, 7.25, 8), scores: Float32Array.of(0.5, -1) };
  const text = serializeProposals(rec);
  assert.equal(JSON.parse(text), {
    image_id: '000005',
    boxes: [
      [0, 1, 10, 20],
      [5.5, 6, 7.25, 8],
    ],
    scores: [0.5, -1],
  });
  const back = parseProposals(text);
  assert.is(back.imageId, '000005');
  assert.equal(Array.from(back.boxes), Array.from(rec.boxes));
  assert.equal(Array.from(back.scores!), Array.from(rec.scores));
  const empty = parseProposals(serializeProposals({ imageId: 'a', boxes: new Float32Array(0) }));
  assert.is(empty.boxes.length, 0);
  assert.is(empty.scores, undefined);
  assert.is(parseProposals('{"image_id": 17, "boxes": []}').imageId, '17');
});

test('validation errors name the file, the box and the problem', () => {
  const bad: [string, RegExp][] = [
    ['not json', /f\.json: not valid JSON/],
    ['[1,2]', /expected a JSON object/],
    ['{"boxes": []}', /"image_id" must be a string.*missing/],
    ['{"image_id": 1.5, "boxes": []}', /"image_id" must be a string/],
    ['{"image_id": "a"}', /"boxes" must be an array/],
    ['{"image_id": "a", "boxes": [[1,2,3]]}', /boxes\[0\] must be \[x1, y1, x2, y2\] \(4 numbers\), got 3 values/],
    ['{"image_id": "a", "boxes": [[1,2,3,4], [1,2,3,4,5]]}', /boxes\[1\].*got 5 values/],
    ['{"image_id": "a", "boxes": [[1,2,"3",4]]}', /boxes\[0\]\[2\] is "3", not a finite number/],
    ['{"image_id": "a", "boxes": [[1,null,3,4]]}', /boxes\[0\]\[1\] is null/],
    ['{"image_id": "a", "boxes": [5]}', /boxes\[0\] must be/],
    ['{"image_id": "a", "boxes": [[5,0,4,3]]}', /boxes\[0\] = \[5, 0, 4, 3\] has x2 < x1/],
    ['{"image_id": "a", "boxes": [[0,0,4,3]], "scores": [1, 2]}', /"scores" has 2 values for 1 boxes/],
    ['{"image_id": "a", "boxes": [[0,0,4,3]], "scores": ["x"]}', /scores\[0\] is "x"/],
    ['{"image_id": "a", "boxes": [[0,0,4,3]], "scores": 3}', /"scores" must be an array/],
  ];
  for (const [text, re] of bad) assert.throws(() => parseProposals(text, 'f.json'), re, text);
  assert.throws(() => serializeProposals({ imageId: 'a', boxes: new Float32Array(5) }), /flat \[n\*4\]/);
  assert.throws(
    () => serializeProposals({ imageId: 'a', boxes: new Float32Array(8), scores: new Float32Array(3) }),
    /3 scores for 2 boxes/,
  );
  for (const id of ['', '..', 'a/b', 'c\\d']) assert.throws(() => proposalPath('/x', id), /cannot be a file name/);
});

test('cache directory: <dir>/<image_id>.json save, load, list, cached compute', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'fastrcnn-props-')), 'cache');
  try {
    assert.equal(listProposalIds(dir), []);
    assert.is(loadProposalsIfPresent(dir, 'img1'), null);
    const path = saveProposals(dir, { imageId: 'img1', boxes: Float32Array.of(1, 2, 3, 4) });
    assert.is(path, join(dir, 'img1.json'));
    assert.is(proposalPath(dir + '/', 'img1'), path);
    assert.equal(JSON.parse(readFileSync(path, 'utf8')), { image_id: 'img1', boxes: [[1, 2, 3, 4]] });
    assert.equal(Array.from(loadProposals(dir, 'img1').boxes), [1, 2, 3, 4]);
    let calls = 0;
    const compute = () => {
      calls++;
      return Float32Array.of(0, 0, 9, 9);
    };
    assert.equal(Array.from(cachedProposals(dir, 'img2', compute).boxes), [0, 0, 9, 9]);
    assert.equal(Array.from(cachedProposals(dir, 'img2', compute).boxes), [0, 0, 9, 9]);
    assert.is(calls, 1);
    assert.equal(listProposalIds(dir), ['img1', 'img2']);
    assert.ok(
      readdirSync(dir).every((f) => f.endsWith('.json')),
      'no temporary files left',
    );
    // a file whose id does not match its name, and a missing file
    writeFileSync(join(dir, 'img3.json'), '{"image_id": "other", "boxes": []}');
    assert.throws(() => loadProposals(dir, 'img3'), /img3\.json: image_id is "other", expected "img3"/);
    assert.throws(() => loadProposals(dir, 'nope'), /nope\.json: cannot read proposals/);
    writeFileSync(join(dir, 'img4.json'), '{"image_id": "img4", "boxes": [[1,2]]}');
    assert.throws(() => loadProposals(dir, 'img4'), /img4\.json: boxes\[0\]/);
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
  assert.not.ok(existsSync(dir));
});

test.run();
