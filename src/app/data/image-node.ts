// Node image codec: PNG via pngjs (palette, gray, 16-bit and alpha normalized to 8-bit RGBA by pngjs,
// then alpha dropped), JPEG via jpeg-js. Importing this module registers it for decodeImage/encodeImage.
import pngjs from 'pngjs';
import jpeg from 'jpeg-js';
import {
  checkImageHeader,
  registerImageCodec,
  rgbaToRgb,
  rgbToRgba,
  sniffImageFormat,
  type ImageCodec,
  type ImageFormat,
} from '../../data/image.js';
import { getLimits } from '../../core/limits.js';
import type { RgbImage } from '../../data/types.js';

const { PNG } = pngjs;

export function decodePng(bytes: Uint8Array): RgbImage {
  checkImageHeader(bytes);
  const png = corruptIf('PNG', () => PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
  return rgbaToRgb(png.data, png.width, png.height);
}

/**
 * Runs a codec on untrusted bytes: its own errors ("unexpected end of data") are kept as the reason,
 * a crash inside it (a TypeError or RangeError on bad data) is reported as corrupt data, not passed on.
 */
function corruptIf<T>(format: string, decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    const inner = e instanceof Error && e.constructor === Error && e.message ? ` (${e.message})` : '';
    throw new Error(`corrupt ${format} data${inner}`);
  }
}

function decodeJpeg(bytes: Uint8Array): RgbImage {
  checkImageHeader(bytes);
  // jpeg-js's own caps as a second guard (its defaults, 100 MP and 512 MB, would undercut a raised limit)
  const mp = getLimits().maxImagePixels / 1e6;
  const out = corruptIf('JPEG', () =>
    jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: mp, maxMemoryUsageInMB: Math.max(512, mp * 16) }),
  );
  return { width: out.width, height: out.height, data: out.data };
}

/** Decodes PNG or JPEG (sniffed from the magic bytes); throws on anything else, corrupt data or a size over the limit. */
export function decodeImageSync(bytes: Uint8Array): RgbImage {
  return sniffImageFormat(bytes) === 'png' ? decodePng(bytes) : decodeJpeg(bytes); // each checks the header once
}

/** Lossless 8-bit RGB PNG (colour type 2); deterministic bytes for the same pixels. */
export function encodePng(image: RgbImage): Uint8Array {
  const png = new PNG({ width: image.width, height: image.height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const buf = PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Baseline JPEG, quality 1..100 (90 by default, as the synthetic dataset uses). */
export function encodeJpeg(image: RgbImage, quality = 90): Uint8Array {
  const buf = jpeg.encode({ width: image.width, height: image.height, data: rgbToRgba(image) }, quality);
  return new Uint8Array(buf.data.buffer, buf.data.byteOffset, buf.data.byteLength);
}

export function encodeImageSync(image: RgbImage, format: ImageFormat = 'png', quality = 90): Uint8Array {
  return format === 'png' ? encodePng(image) : encodeJpeg(image, quality);
}

const nodeImageCodec: ImageCodec = { decode: decodeImageSync, encode: encodeImageSync };

registerImageCodec(nodeImageCodec);
