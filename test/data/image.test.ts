// Image codecs: PNG round trip exact, JPEG close, and hand-built PNGs of every colour type decoded to
// the RGB the PNG spec says (palette, gray, gray+alpha, RGBA, 16-bit), alpha dropped.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { deflateSync } from 'node:zlib';
import { decodeImageSync, decodePng, encodeJpeg, encodePng } from '../../src/app/data/image-node.js';
import { decodeImage, encodeImage, readImageSize, sniffImageFormat } from '../../src/data/image.js';
import type { RgbImage } from '../../src/data/types.js';

function testImage(w: number, h: number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      data[i] = (x * 255) / (w - 1);
      data[i + 1] = (y * 255) / (h - 1);
      data[i + 2] = 128 + 100 * Math.sin((x + y) / 9);
    }
  return { width: w, height: h, data };
}

test('PNG encode/decode round trip is exact, header size readable', () => {
  const img = testImage(37, 23);
  img.data[5] = 0;
  img.data[6] = 255; // extremes survive
  const bytes = encodePng(img);
  assert.is(sniffImageFormat(bytes), 'png');
  assert.equal(readImageSize(bytes), { format: 'png', width: 37, height: 23 });
  const back = decodeImageSync(bytes);
  assert.equal([back.width, back.height], [37, 23]);
  assert.equal(back.data, img.data);
  assert.equal(encodePng(img), bytes, 'deterministic bytes');
});

test('JPEG encode/decode round trip is close at quality 90', () => {
  const img = testImage(64, 48);
  const bytes = encodeJpeg(img, 90);
  assert.is(sniffImageFormat(bytes), 'jpeg');
  assert.equal(readImageSize(bytes), { format: 'jpeg', width: 64, height: 48 });
  const back = decodeImageSync(bytes);
  assert.equal([back.width, back.height], [64, 48]);
  let sum = 0,
    max = 0;
  for (let i = 0; i < img.data.length; i++) {
    const e = Math.abs(img.data[i] - back.data[i]);
    sum += e;
    max = Math.max(max, e);
  }
  assert.ok(sum / img.data.length < 2.5, `mean abs error ${sum / img.data.length}`);
  assert.ok(max < 40, `max abs error ${max}`);
});

test('async decodeImage/encodeImage use the registered Node codec', async () => {
  const img = testImage(9, 7);
  const back = await decodeImage(await encodeImage(img, 'png'));
  assert.equal(back.data, img.data);
});

test('garbage is rejected, header reader returns null', () => {
  const junk = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.is(sniffImageFormat(junk), null);
  assert.is(readImageSize(junk), null);
  assert.is(readImageSize(new Uint8Array([0xff, 0xd8, 0xff, 0xd9])), null);
  assert.throws(() => decodeImageSync(junk), /not a PNG or JPEG/);
});

// --- hand-built PNGs (oracle: the PNG specification, not pngjs) ---
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = crcTable[(c ^ x) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length),
    dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}
/** rows: raw scanline bytes (already packed for the bit depth), filter 0 prepended here. */
function buildPng(w: number, h: number, bitDepth: number, colorType: number, rows: number[][], extra: Uint8Array[] = []): Uint8Array {
  const ihdr = new Uint8Array(13),
    dv = new DataView(ihdr.buffer);
  dv.setUint32(0, w);
  dv.setUint32(4, h);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  const raw = Uint8Array.from(rows.flatMap((r) => [0, ...r]));
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...extra,
    chunk('IDAT', new Uint8Array(deflateSync(raw))),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

test('PNG palette (4-bit, with tRNS) decodes to palette RGB, alpha dropped', () => {
  const pal = [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
    [10, 20, 30],
  ];
  const idx = [
    [0, 1, 2],
    [3, 2, 1],
  ]; // 3x2 image, 4-bit indices packed two per byte
  const rows = idx.map((r) => [(r[0] << 4) | r[1], r[2] << 4]);
  const png = buildPng(3, 2, 4, 3, rows, [chunk('PLTE', Uint8Array.from(pal.flat())), chunk('tRNS', new Uint8Array([0, 128]))]);
  const img = decodePng(png);
  assert.equal(
    [...img.data],
    idx.flat().flatMap((i) => pal[i]),
  );
});

test('PNG gray 8-bit and gray+alpha expand to R=G=B', () => {
  const g = decodePng(buildPng(3, 1, 8, 0, [[0, 77, 255]]));
  assert.equal([...g.data], [0, 0, 0, 77, 77, 77, 255, 255, 255]);
  const ga = decodePng(buildPng(2, 1, 8, 4, [[50, 0, 200, 255]]));
  assert.equal([...ga.data], [50, 50, 50, 200, 200, 200]);
});

test('PNG RGBA drops alpha; 16-bit RGB rescales to 8-bit', () => {
  const rgba = decodePng(buildPng(2, 1, 8, 6, [[1, 2, 3, 0, 250, 251, 252, 255]]));
  assert.equal([...rgba.data], [1, 2, 3, 250, 251, 252]);
  const v16 = [0, 65535, 257 * 100]; // 16-bit samples -> round(v * 255 / 65535)
  const row = v16.flatMap((v) => [v >> 8, v & 255]);
  const rgb16 = decodePng(buildPng(1, 1, 16, 2, [row]));
  assert.equal(
    [...rgb16.data],
    v16.map((v) => Math.round((v * 255) / 65535)),
  );
});

test.run();
