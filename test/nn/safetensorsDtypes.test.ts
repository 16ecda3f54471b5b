// What PyTorch users save besides float32: F16 and BF16 are converted to float32 exactly, F64 rounded,
// I64 to int32 when every value fits; an I64 value out of range and any other dtype are refused with
// a message naming the tensor and what is supported.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeSafetensors } from '../../src/nn/safetensors.js';

const test = suite('nn: safetensors dtypes');

/** A one-tensor file of `dtype` whose data bytes `write` fills (little-endian). */
function file(dtype: string, shape: number[], bytesPer: number, write: (v: DataView) => void): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const h = JSON.stringify({ t: { dtype, shape, data_offsets: [0, n * bytesPer] }, __metadata__: { k: 'v' } });
  const out = new Uint8Array(8 + h.length + n * bytesPer);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(new TextEncoder().encode(h), 8);
  write(new DataView(out.buffer, 8 + h.length));
  return out;
}

test('F16 and BF16 become the same float32 values (normals, subnormals, zeros, infinities)', () => {
  // half bits -> value: 1, -2, 0.5, 65504 (max), 2^-24 (smallest subnormal), -0, +Inf, 1/3 rounded
  const half = [0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000, 0x7c00, 0x3555];
  const want = [1, -2, 0.5, 65504, 2 ** -24, -0, Infinity, 0.333251953125];
  const f16 = decodeSafetensors(file('F16', [2, 4], 2, (v) => half.forEach((b, i) => v.setUint16(2 * i, b, true))));
  const t = f16.tensors.get('t')!;
  assert.ok(t.data instanceof Float32Array);
  assert.equal(t.shape, [2, 4]);
  assert.equal(Array.from(t.data), want);
  assert.ok(Object.is(t.data[5], -0));
  assert.is(t.convertedFrom, 'F16');
  assert.equal(f16.metadata, { k: 'v' });
  assert.ok(Number.isNaN(decodeSafetensors(file('F16', [1], 2, (v) => v.setUint16(0, 0x7e00, true))).tensors.get('t')!.data[0]));
  const vals = [1.5, -3.25, 1e30, 2 ** -100];
  const bf = decodeSafetensors(
    file('BF16', [4], 2, (v) => vals.forEach((x, i) => v.setUint16(2 * i, new Uint32Array(new Float32Array([x]).buffer)[0] >>> 16, true))),
  );
  const truncated = vals.map((x) => {
    const b = new Uint32Array(new Float32Array([x]).buffer);
    b[0] &= 0xffff0000;
    return new Float32Array(b.buffer)[0];
  });
  assert.equal(Array.from(bf.tensors.get('t')!.data), truncated);
  assert.is(bf.tensors.get('t')!.convertedFrom, 'BF16');
});

test('F64 is rounded to float32; I64 becomes int32 when it fits', () => {
  const f = decodeSafetensors(file('F64', [3], 8, (v) => [0.1, -2.5, 1e40].forEach((x, i) => v.setFloat64(8 * i, x, true))));
  assert.equal(Array.from(f.tensors.get('t')!.data), [Math.fround(0.1), -2.5, Infinity]);
  const ints = [0n, -1n, 2147483647n, -2147483648n];
  const i = decodeSafetensors(file('I64', [4], 8, (v) => ints.forEach((x, k) => v.setBigInt64(8 * k, x, true))));
  const t = i.tensors.get('t')!;
  assert.ok(t.data instanceof Int32Array);
  assert.equal(Array.from(t.data), [0, -1, 2147483647, -2147483648]);
  assert.is(t.convertedFrom, 'I64');
  // F32 is read as it is, with no conversion mark
  const f32 = decodeSafetensors(file('F32', [1], 4, (v) => v.setFloat32(0, 2.5, true)));
  assert.is(f32.tensors.get('t')!.convertedFrom, undefined);
});

test('an I64 out of the int32 range and other dtypes are refused naming the tensor and the supported dtypes', () => {
  assert.throws(
    () =>
      decodeSafetensors(
        file('I64', [2], 8, (v) => v.setBigInt64(8, 2n ** 40n, true)),
        'w.safetensors',
      ),
    /w\.safetensors: not a valid safetensors file: tensor 't' \(I64\) has the value 1099511627776 at index 1, outside the int32 range/,
  );
  for (const dtype of ['U8', 'BOOL', 'I16', 'F8_E4M3', 'U64'])
    assert.throws(
      () => decodeSafetensors(file(dtype, [2], 1, () => {})),
      new RegExp(
        `tensor 't' has unsupported dtype "${dtype}" \\(F32 and I32 are read as they are; F16, BF16 and F64 are converted to F32, I64 to I32\\)`,
      ),
    );
  // the byte count follows the dtype's size: an F16 tensor given F32-sized offsets is refused
  assert.throws(() => decodeSafetensors(file('F16', [2], 4, () => {})), /tensor 't' of shape \[2\] needs 4 bytes, its offsets span 8/);
});

test.run();
