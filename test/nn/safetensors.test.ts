import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.js';
import '../helpers/backend.js';

const test = suite('nn: safetensors weights');

function model(seed: number) {
  const rng = new fr.Rng(seed);
  return new fr.Sequential({ conv: new fr.Conv2d(3, 4, 3, { rng, padding: 1 }), relu: new fr.ReLU(), fc: new fr.Linear(4, 2, { rng }) });
}

test('round trip: save, load into a fresh model, identical values', () => {
  const a = model(1),
    b = model(2);
  const bytes = fr.moduleToSafetensors(a, { classes: 'x,y' });
  const { metadata } = fr.loadModuleWeights(b, bytes);
  assert.equal(metadata, { classes: 'x,y' });
  for (const [n, t] of a.stateDict()) assert.equal(Array.from(b.stateDict().get(n)!.dataSync()), Array.from(t.dataSync()), n);
  // layout: u64 header length, JSON, data
  const len = new DataView(bytes.buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
  assert.equal(header['conv.weight'].shape, [4, 3, 3, 3]);
  assert.equal(header['conv.weight'].dtype, 'F32');
});

test('loads from a Node Buffer (whose slice() is a view, not a copy)', () => {
  const a = model(1),
    b = model(2);
  const bytes = fr.moduleToSafetensors(a);
  // a Buffer in the middle of a larger pool, as readFileSync may hand out
  const pool = new Uint8Array(bytes.length + 13);
  pool.set(bytes, 13);
  const g = globalThis as any; // in a page: an offset view, which must work too
  const buf: Uint8Array = g.Buffer ? g.Buffer.from(pool.buffer, 13, bytes.length) : pool.subarray(13);
  fr.loadModuleWeights(b, buf);
  for (const [n, t] of a.stateDict()) assert.equal(Array.from(b.stateDict().get(n)!.dataSync()), Array.from(t.dataSync()), n);
});

test('corrupt, truncated and mismatched files give clear errors', () => {
  const a = model(1);
  const bytes = fr.moduleToSafetensors(a);
  const m = model(3);
  assert.throws(
    () => fr.loadModuleWeights(m, bytes.subarray(0, 5), 'w.safetensors'),
    /w\.safetensors: not a valid safetensors file: 5 bytes is too short/,
  );
  assert.throws(() => fr.loadModuleWeights(m, bytes.subarray(0, bytes.length - 4)), /outside the .* data bytes \(truncated file\?\)/);
  const huge = bytes.slice();
  new DataView(huge.buffer).setUint32(0, 0xffffffff, true);
  assert.throws(() => fr.loadModuleWeights(m, huge), /header length \d+ exceeds/);
  const garbage = bytes.slice();
  garbage[9] = 0x7b;
  garbage[10] = 0x7b;
  assert.throws(() => fr.loadModuleWeights(m, garbage), /header is not valid JSON/);
  const other = new fr.Sequential({ conv: new fr.Conv2d(3, 5, 3), relu: new fr.ReLU(), fc: new fr.Linear(5, 2) });
  assert.throws(() => fr.loadModuleWeights(other, bytes), /'conv\.weight' has shape \[4,3,3,3\] in the file but \[5,3,3,3\] in the model/);
  const enc = fr.encodeSafetensors(new Map([['conv.weight', { shape: [2, 2], data: new Float32Array(4) }]]));
  assert.throws(() => fr.loadModuleWeights(model(1), enc), /missing conv\.bias, fc\.weight, fc\.bias/);
  // offsets that disagree with the shape
  const h = JSON.stringify({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } });
  const bad = new Uint8Array(8 + h.length + 8);
  new DataView(bad.buffer).setUint32(0, h.length, true);
  bad.set(new TextEncoder().encode(h), 8);
  assert.throws(() => fr.decodeSafetensors(bad), /needs 12 bytes, its offsets span 8/);
});

test.run();
