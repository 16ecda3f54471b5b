// Synthetic dataset: determinism, boxes tight around the visible masks, mask/pixel consistency, class
// balance, difficult/truncated flags, and the VOC files it writes read back to the same scene.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/util/random.js';
import { imageRng, renderScene, splitIds, synthesize, DEFAULT_SHAPE_CLASSES } from '../../src/app/data/synth.js';
import { pixelInsideTest, type PlacedShape } from '../../src/data/shapes.js';
import { readVoc, loadVocImage } from '../../src/app/data/voc.js';

const scenes = Array.from({ length: 40 }, (_, i) => renderScene(new Rng(1000 + i), { withMasks: true }));

test('same seed gives the same scene, a different seed a different one', () => {
  const a = renderScene(new Rng(5)),
    b = renderScene(new Rng(5)),
    c = renderScene(new Rng(6));
  assert.equal(a.image.data, b.image.data);
  assert.equal(a.objects, b.objects);
  assert.not.equal(a.image.data, c.image.data);
});

test('boxes inside the image and tight around each visible mask; masks disjoint', () => {
  for (const s of scenes) {
    const { width: W, height: H } = s.image;
    assert.equal([W, H], [320, 240]);
    assert.ok(s.objects.length >= 1 && s.objects.length <= 6);
    const cover = new Uint8Array(W * H);
    s.objects.forEach((o, k) => {
      const m = s.masks![k];
      const [x1, y1, x2, y2] = o.box;
      assert.ok(0 <= x1 && x1 <= x2 && x2 < W && 0 <= y1 && y1 <= y2 && y2 < H, `box ${o.box}`);
      const rowHas = (y: number) => {
        for (let x = x1; x <= x2; x++) if (m[y * W + x]) return true;
        return false;
      };
      const colHas = (x: number) => {
        for (let y = y1; y <= y2; y++) if (m[y * W + x]) return true;
        return false;
      };
      assert.ok(rowHas(y1) && rowHas(y2) && colHas(x1) && colHas(x2), `box ${o.box} not tight`);
      let outside = 0,
        shared = 0;
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          if (!m[y * W + x]) continue;
          if (x < x1 || x > x2 || y < y1 || y > y2) outside++;
          if (cover[y * W + x]) shared++;
          cover[y * W + x] = 1;
        }
      assert.is(outside, 0, `mask pixels outside box ${o.box}`);
      assert.is(shared, 0, 'pixels belonging to two objects');
    });
  }
});

test('plain scenes: each visible mask is painted in one colour; rings have a hole, other shapes a filled centre', () => {
  let checked = 0;
  for (let i = 0; i < 40; i++) {
    const s = renderScene(new Rng(i), { plain: true, withMasks: true });
    const { width: W, data } = s.image;
    s.objects.forEach((o, k) => {
      const m = s.masks![k];
      let c: number[] | null = null;
      let off = 0;
      for (let p = 0; p < m.length; p++)
        if (m[p]) {
          const px = [data[p * 3], data[p * 3 + 1], data[p * 3 + 2]];
          if (!c) c = px;
          else if (px[0] !== c[0] || px[1] !== c[1] || px[2] !== c[2]) off++;
        }
      assert.is(off, 0, `object ${k} (${o.name}) not one colour`);
      if (o.visibleFraction === 1) {
        const cx = Math.round((o.box[0] + o.box[2]) / 2),
          cy = Math.round((o.box[1] + o.box[3]) / 2);
        assert.is(m[cy * W + cx] === 1, o.name !== 'ring', `${o.name} centre pixel`);
        checked++;
      }
    });
  }
  assert.ok(checked > 20);
});

test('rasterized circle and ring match the analytic disc at pixel centres', () => {
  const base: PlacedShape = { kind: 'circle', cx: 20.3, cy: 17.8, radius: 9.6, angle: 1.1, aspect: 1, inner: 0.5 };
  for (const kind of ['circle', 'ring'] as const) {
    const inside = pixelInsideTest({ ...base, kind });
    for (let y = 0; y < 40; y++)
      for (let x = 0; x < 40; x++) {
        const r = Math.hypot(x + 0.5 - 20.3, y + 0.5 - 17.8) / 9.6;
        assert.is(inside(x, y), kind === 'circle' ? r <= 1 : r <= 1 && r >= 0.5, `${kind} (${x},${y})`);
      }
  }
});

test('class balance, sizes from tiny to large, difficult and truncated flags', () => {
  const counts: Record<string, number> = {};
  let difficult = 0,
    truncated = 0,
    total = 0,
    small = 0,
    large = 0;
  const many = [...scenes, ...Array.from({ length: 200 }, (_, i) => renderScene(new Rng(5000 + i)))];
  for (const s of many)
    for (const o of s.objects) {
      counts[o.name] = (counts[o.name] ?? 0) + 1;
      total++;
      const long = Math.max(o.box[2] - o.box[0] + 1, o.box[3] - o.box[1] + 1);
      if (o.difficult) difficult++;
      if (o.truncated) truncated++;
      if (long < 20) small++;
      if (long > 150) large++;
      assert.is(o.difficult, o.visibleFraction < 0.4 || long < 16, `difficult rule for ${o.name} ${o.box} ${o.visibleFraction}`);
      assert.ok(o.visibleFraction >= 0.15 && o.visibleFraction <= 1);
      if (o.truncated)
        assert.ok(o.box[0] === 0 || o.box[1] === 0 || o.box[2] === 319 || o.box[3] === 239, 'truncated objects touch the border');
    }
  assert.equal(Object.keys(counts).sort(), [...DEFAULT_SHAPE_CLASSES].sort());
  const mean = total / DEFAULT_SHAPE_CLASSES.length;
  for (const [name, n] of Object.entries(counts)) assert.ok(n > 0.7 * mean && n < 1.3 * mean, `${name}: ${n} vs mean ${mean}`);
  assert.ok(difficult > 0.05 * total && difficult < 0.4 * total, `difficult ${difficult}/${total}`);
  assert.ok(truncated > 0.05 * total && truncated < 0.5 * total, `truncated ${truncated}/${total}`);
  assert.ok(small > 0 && large > 0, `small ${small} large ${large}`);
});

test('splitIds: disjoint, complete, sorted, deterministic', () => {
  const ids = Array.from({ length: 11 }, (_, i) => String(i).padStart(3, '0'));
  const s = splitIds(ids, 3);
  assert.equal([...s.trainval, ...s.test].sort(), ids);
  assert.equal([...s.train, ...s.val].sort(), s.trainval);
  assert.is(s.test.length, 6);
  assert.equal(s.test, [...s.test].sort());
  assert.equal(splitIds(ids, 3), s);
  assert.is(splitIds(['a', 'b'], 1).test.length, 1);
});

test('synthesize: same bytes twice, VOC files read back to the in-memory scenes', () => {
  const a = mkdtempSync(join(tmpdir(), 'synth-a-')),
    b = mkdtempSync(join(tmpdir(), 'synth-b-'));
  try {
    const opts = { images: 6, seed: 42, width: 160, height: 120 };
    const sa = synthesize({ ...opts, outDir: a });
    synthesize({ ...opts, outDir: b });
    const list = (d: string): string[] =>
      readdirSync(d, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name).slice(d.length))
        .sort();
    assert.equal(list(a), list(b));
    for (const f of list(a)) assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} differs`);
    const got = [...readVoc(a, { split: 'trainval' }).records, ...readVoc(a, { split: 'test' }).records];
    assert.is(got.length, 6);
    for (const r of got) {
      const ds = readVoc(a, { split: sa.splits.test.includes(r.id) ? 'test' : 'trainval' });
      assert.equal(ds.warnings, []);
      assert.equal(ds.classes, sa.classes);
      const scene = renderScene(imageRng(42, Number(r.id) - 1), { width: 160, height: 120 });
      assert.equal(loadVocImage(r).data, scene.image.data, 'PNG pixels exact');
      assert.equal(
        r.objects,
        scene.objects.map(({ name, box, difficult, truncated }) => ({ name, box, difficult, truncated })),
      );
    }
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});

test.run();
