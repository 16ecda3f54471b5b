// EXIF orientation (issue 13: `fastrcnn detect` turns phone photos upright): the tag is read from a
// JPEG's APP1 segment in either byte order, and orientImage maps pixels as the EXIF table defines
// (checked on a 3x2 image against the hand-written results of the eight cases).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeJpeg } from '../../src/app/data/image-node.js';
import { jpegOrientation, orientImage } from '../../src/data/image.js';

const test = suite('data: EXIF orientation');

/** An APP1 Exif segment holding one IFD0 entry: Orientation (0x0112, SHORT) = o. */
function app1(o: number, littleEndian: boolean): Uint8Array {
  const tiff = new Uint8Array(8 + 2 + 12 + 4);
  const dv = new DataView(tiff.buffer);
  tiff.set(littleEndian ? [0x49, 0x49] : [0x4d, 0x4d], 0);
  dv.setUint16(2, 42, littleEndian);
  dv.setUint32(4, 8, littleEndian);
  dv.setUint16(8, 1, littleEndian);
  dv.setUint16(10, 0x0112, littleEndian);
  dv.setUint16(12, 3, littleEndian);
  dv.setUint32(14, 1, littleEndian);
  dv.setUint16(18, o, littleEndian);
  const payload = new Uint8Array([0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff]);
  const seg = new Uint8Array(4 + payload.length);
  seg.set([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 255]);
  seg.set(payload, 4);
  return seg;
}

function withExif(jpeg: Uint8Array, seg: Uint8Array): Uint8Array {
  const out = new Uint8Array(jpeg.length + seg.length);
  out.set(jpeg.subarray(0, 2));
  out.set(seg, 2);
  out.set(jpeg.subarray(2), 2 + seg.length);
  return out;
}

test('the orientation tag is read in both byte orders; none, or not a JPEG, is 1', () => {
  const jpg = encodeJpeg({ width: 4, height: 4, data: new Uint8Array(48).fill(128) });
  for (const o of [1, 3, 6, 8]) {
    assert.is(jpegOrientation(withExif(jpg, app1(o, true))), o, `II ${o}`);
    assert.is(jpegOrientation(withExif(jpg, app1(o, false))), o, `MM ${o}`);
  }
  assert.is(jpegOrientation(jpg), 1);
  assert.is(jpegOrientation(withExif(jpg, app1(9, true))), 1, 'out of range');
  assert.is(jpegOrientation(new Uint8Array([0x89, 0x50, 0x4e, 0x47])), 1);
  assert.is(jpegOrientation(withExif(jpg, app1(6, true)).subarray(0, 20)), 1, 'truncated');
});

test('orientImage: the eight cases on a 3x2 image', () => {
  // pixels a b c / d e f, one channel value each (the three channels equal)
  const img = { width: 3, height: 2, data: Uint8Array.from([1, 2, 3, 4, 5, 6].flatMap((v) => [v, v, v])) };
  const seen = (o: number) => {
    const r = orientImage(img, o);
    return { w: r.width, h: r.height, px: Array.from({ length: r.width * r.height }, (_, i) => r.data[3 * i]) };
  };
  assert.equal(seen(1), { w: 3, h: 2, px: [1, 2, 3, 4, 5, 6] });
  assert.equal(seen(2), { w: 3, h: 2, px: [3, 2, 1, 6, 5, 4] }); // mirrored
  assert.equal(seen(3), { w: 3, h: 2, px: [6, 5, 4, 3, 2, 1] }); // 180°
  assert.equal(seen(4), { w: 3, h: 2, px: [4, 5, 6, 1, 2, 3] }); // flipped
  assert.equal(seen(5), { w: 2, h: 3, px: [1, 4, 2, 5, 3, 6] }); // transposed
  assert.equal(seen(6), { w: 2, h: 3, px: [4, 1, 5, 2, 6, 3] }); // 90° clockwise
  assert.equal(seen(7), { w: 2, h: 3, px: [6, 3, 5, 2, 4, 1] }); // transverse
  assert.equal(seen(8), { w: 2, h: 3, px: [3, 6, 2, 5, 1, 4] }); // 90° counter-clockwise
});

test.run();
