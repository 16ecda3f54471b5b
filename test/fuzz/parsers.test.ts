// Mutation fuzzing of everything that reads untrusted bytes (issue 12): model files (safetensors +
// metadata + config), VOC annotation XML, PNG and JPEG. Valid inputs are mutated (byte edits,
// truncation, JSON values swapped in the header) and each parser must either succeed or throw a plain
// Error with a message — never a TypeError/RangeError from inside, never take over 5 s, never keep a
// tensor after a failed load. FUZZ_RUNS=10000 (or more) runs the long version, FUZZ_SEED=N other cases; the suite's default
// is 1000 cases a property (about 2 s). fast-check prints the seed and the shrunk input of a failure.
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import '../helpers/backend.js';
import { decodeImageSync, encodeJpeg, encodePng } from '../../src/app/data/image-node.js';
import { baseConfig } from '../../src/detection/model/config.js';
import { createModel } from '../../src/detection/model/fastRcnn.js';
import { modelFromBytes, modelToBytes } from '../../src/detection/model/modelFile.js';
import { parseVocXml, sanitizeBoxes } from '../../src/data/voc-xml.js';
import { engine } from '../../src/tensor/engine.js';

const test = suite('fuzz: model files, VOC XML, images');
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const LONG = RUNS > 1000;
const stats = { model: { ok: 0, rejected: 0 }, xml: { ok: 0, rejected: 0 }, image: { ok: 0, rejected: 0 } };
let peakRss = 0;

/** Runs fn; true when it succeeded, false when it threw as it should (plain Error, a message, fast). */
function accepts(fn: () => unknown, what: string): boolean {
  const t0 = performance.now();
  let ok = true;
  try {
    fn();
  } catch (e) {
    if (!(e instanceof Error) || e.constructor !== Error)
      throw new Error(`${what}: threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    if (!e.message || /undefined|\[object Object\]/.test(e.message)) throw new Error(`${what}: unhelpful message '${e.message}'`);
    ok = false;
  }
  const ms = performance.now() - t0;
  if (ms > 5000) throw new Error(`${what}: took ${ms.toFixed(0)} ms`);
  if (LONG) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return ok;
}

/** fc.assert, with the failing case's own error in the message (uvu does not print an error's cause). */
function check<T>(property: fc.IProperty<T>, seed: number): void {
  try {
    fc.assert(property, { numRuns: RUNS, seed: seed + Number(process.env.FUZZ_SEED ?? 0) });
  } catch (e) {
    throw new Error(`${(e as Error).message}\ncaused by: ${((e as Error).cause as Error)?.message}`);
  }
}

/** Byte edits (position, value), a truncation and an appended tail applied to `base`. */
const mutation = fc.record({
  edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
  cut: fc.option(fc.nat(), { nil: undefined }),
  tail: fc.uint8Array({ maxLength: 16 }),
});
function mutate(base: Uint8Array, m: { edits: [number, number][]; cut?: number; tail: Uint8Array }, region = base.length): Uint8Array {
  const b = base.slice();
  for (const [p, v] of m.edits) b[p % Math.max(1, region)] = v;
  const cut = m.cut === undefined ? b.length : m.cut % (b.length + 1);
  const out = new Uint8Array(cut + m.tail.length);
  out.set(b.subarray(0, cut));
  out.set(m.tail, cut);
  return out;
}

function smallModelBytes(): Uint8Array {
  const cfg = baseConfig();
  cfg.model.backbone.stages = [[4], [8]];
  cfg.model.fc = [16, 16];
  cfg.model.roiPoolSize = [2, 2];
  const m = createModel(cfg, ['a', 'b']);
  const b = modelToBytes(m, cfg);
  m.dispose();
  return b;
}

test('model files: mutated bytes and mutated header JSON load or fail cleanly, leaking nothing', () => {
  const base = smallModelBytes();
  const headerLen = new DataView(base.buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(base.subarray(8, 8 + headerLen)));
  const data = base.subarray(8 + headerLen);
  const before = engine.memory().numTensors;
  const load = (bytes: Uint8Array) => {
    if (accepts(() => modelFromBytes(bytes, { source: 'fuzz' }).model.dispose(), 'modelFromBytes')) stats.model.ok++;
    else stats.model.rejected++;
  };
  // bytes anywhere, mostly in the header (where the structure is)
  check(
    fc.property(mutation, fc.boolean(), (m, inHeader) => load(mutate(base, m, inHeader ? 8 + headerLen : base.length))),
    12,
  );
  // one JSON value of the header (a metadata string, a config key, a shape, an offset) replaced
  const paths: string[][] = [];
  const walk = (v: unknown, p: string[]) => {
    paths.push(p);
    if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
  };
  walk(header, []);
  const config = JSON.parse(header.__metadata__.config);
  const configPaths: string[][] = [];
  const walkC = (v: unknown, p: string[]) => {
    configPaths.push(p);
    if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walkC(x, [...p, k]);
  };
  walkC(config, []);
  const set = (root: any, p: string[], v: unknown) => {
    if (!p.length) return v;
    let o = root;
    for (const k of p.slice(0, -1)) o = o[k];
    o[p[p.length - 1]] = v;
    return root;
  };
  const value = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(1e9, -1, 0, 2 ** 31, Number.MAX_SAFE_INTEGER, 30000, [30000, 30000], [20000], 'x'.repeat(1000), null),
  );
  check(
    fc.property(fc.nat(), fc.nat(), value, fc.boolean(), (i, j, v, inConfig) => {
      const h = structuredClone(header);
      if (inConfig) {
        const c = set(structuredClone(config), configPaths[i % configPaths.length], v);
        h.__metadata__.config = JSON.stringify(c);
      } else set(h, paths[j % paths.length], v);
      const json = new TextEncoder().encode(JSON.stringify(h));
      const out = new Uint8Array(8 + json.length + data.length);
      new DataView(out.buffer).setUint32(0, json.length, true);
      out.set(json, 8);
      out.set(data, 8 + json.length);
      load(out);
    }),
    13,
  );
  assert.is(engine.memory().numTensors, before, 'no tensor left by any load');
  assert.ok(stats.model.rejected > 0 && stats.model.ok > 0, `both outcomes seen: ${JSON.stringify(stats.model)}`);
});

test('VOC XML: mutated annotations and random text parse or fail cleanly', () => {
  const obj = (n: string, b: number[]) =>
    `<object><name>${n}</name><difficult>0</difficult><bndbox><xmin>${b[0]}</xmin><ymin>${b[1]}</ymin><xmax>${b[2]}</xmax><ymax>${b[3]}</ymax></bndbox></object>`;
  const base = new TextEncoder().encode(
    `<?xml version="1.0"?><annotation><folder>VOC</folder><filename>a.jpg</filename><size><width>100</width><height>80</height><depth>3</depth></size>${obj('cat', [1, 2, 50, 60])}${obj('d&#111;g', [10, 10, 90, 70])}</annotation>`,
  );
  const parse = (xml: string) => {
    const ok = accepts(() => {
      const { annotation } = parseVocXml(xml, 'fuzz');
      sanitizeBoxes(annotation, 100, 80);
    }, 'parseVocXml');
    if (ok) stats.xml.ok++;
    else stats.xml.rejected++;
  };
  check(
    fc.property(mutation, (m) => parse(new TextDecoder().decode(mutate(base, m)))),
    21,
  );
  const tags = fc.constantFrom('annotation', 'object', 'name', 'bndbox', 'xmin', 'size', 'width', 'part', '!DOCTYPE a [<!ENTITY e "x">]');
  const text = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('&#99;', '&#xFFFFFF;', '&e;', '&amp;', '<', ']]>', '1e999', '-0'));
  const node: fc.Arbitrary<string> = fc.letrec<{ n: string }>((tie) => ({
    n: fc.oneof(
      { maxDepth: 4 },
      text,
      fc.tuple(tags, fc.array(tie('n'), { maxLength: 4 })).map(([t, kids]) => `<${t}>${kids.join('')}</${t.split(' ')[0]}>`),
    ),
  })).n;
  check(
    fc.property(node, (x) => parse(`<annotation>${x}</annotation>`)),
    22,
  );
  assert.ok(stats.xml.rejected > 0 && stats.xml.ok > 0, `both outcomes seen: ${JSON.stringify(stats.xml)}`);
});

test('images: mutated PNG and JPEG decode or fail cleanly', () => {
  const img = { width: 24, height: 16, data: Uint8Array.from({ length: 24 * 16 * 3 }, (_, i) => (i * 37) & 255) };
  const png = encodePng(img),
    jpg = encodeJpeg(img, 80);
  const decode = (b: Uint8Array) => {
    if (accepts(() => decodeImageSync(b), 'decodeImageSync')) stats.image.ok++;
    else stats.image.rejected++;
  };
  check(
    fc.property(mutation, fc.boolean(), fc.boolean(), (m, isPng, inHeader) => {
      const base = isPng ? png : jpg;
      decode(mutate(base, m, inHeader ? Math.min(base.length, 64) : base.length));
    }),
    31,
  );
  assert.ok(stats.image.rejected > 0 && stats.image.ok > 0, `both outcomes seen: ${JSON.stringify(stats.image)}`);
});

test.after(() => {
  if (LONG) console.log(`fuzz: ${RUNS} runs per property: ${JSON.stringify(stats)}; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
});

test.run();
