// Image bytes <-> RgbImage, browser-safe: format sniffing, header sizes, pixel-layout conversions, and
// a decoder/encoder chosen at run time. Browsers use createImageBitmap + OffscreenCanvas; Node gets the
// pngjs/jpeg-js codec by importing ./image-node.js (which registers itself), kept out of this file so a
// browser bundle never pulls in pngjs's zlib/stream dependencies.
import type { RgbImage } from './types.js';
import { getLimits, overLimit } from '../core/limits.js';

export type ImageFormat = 'png' | 'jpeg';

export interface ImageCodec {
  decode(bytes: Uint8Array): RgbImage | Promise<RgbImage>;
  encode(image: RgbImage, format: ImageFormat, quality: number): Uint8Array | Promise<Uint8Array>;
}

let registered: ImageCodec | null = null;

/** Installs the codec decodeImage/encodeImage use (./image-node.js calls this when imported). */
export function registerImageCodec(codec: ImageCodec): void {
  registered = codec;
}

function activeCodec(): ImageCodec {
  if (registered) return registered;
  if (typeof createImageBitmap === 'function' && typeof OffscreenCanvas === 'function') return browserImageCodec;
  throw new Error(
    "no image codec: in Node import 'fastrcnn' or 'fastrcnn/node' (they register the PNG/JPEG codec of src/app/data/image-node.ts) before decoding images",
  );
}

/** Decodes PNG or JPEG bytes to RGB (alpha dropped, gray and palette expanded); each codec checks the header's size first. */
export async function decodeImage(bytes: Uint8Array): Promise<RgbImage> {
  return activeCodec().decode(bytes);
}

/**
 * Throws before any pixel is decoded when the bytes are not PNG/JPEG, the header has no readable
 * size, or width × height is over the maxImagePixels limit (a 6 KB PNG can claim 184 megapixels).
 */
export function checkImageHeader(bytes: Uint8Array): { format: ImageFormat; width: number; height: number } {
  if (!sniffImageFormat(bytes)) throw new Error('not a PNG or JPEG image');
  const size = readImageSize(bytes);
  if (!size) throw new Error(`corrupt ${sniffImageFormat(bytes)!.toUpperCase()} header: no image size before the pixel data`);
  const px = size.width * size.height;
  if (px > getLimits().maxImagePixels) throw overLimit(`image of ${size.width}x${size.height} pixels`, px, 'maxImagePixels');
  return size;
}

/** Encodes to PNG (lossless) or JPEG (quality 1..100). */
export async function encodeImage(image: RgbImage, format: ImageFormat = 'png', quality = 90): Promise<Uint8Array> {
  return activeCodec().encode(image, format, quality);
}

/** The format from the magic bytes, or null when neither PNG nor JPEG. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | null {
  if (
    bytes.length >= 8 &&
    bytes[0] === 0x89 &&
    bytes[1] === 0x50 &&
    bytes[2] === 0x4e &&
    bytes[3] === 0x47 &&
    bytes[4] === 0x0d &&
    bytes[5] === 0x0a &&
    bytes[6] === 0x1a &&
    bytes[7] === 0x0a
  )
    return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return null;
}

/**
 * Width and height from the header alone (PNG IHDR, JPEG SOFn), without decoding pixels; null when the
 * bytes are not a well-formed PNG/JPEG header. Cheap enough to check every file of a dataset.
 */
export function readImageSize(bytes: Uint8Array): { format: ImageFormat; width: number; height: number } | null {
  const format = sniffImageFormat(bytes);
  const u16 = (i: number) => (bytes[i] << 8) | bytes[i + 1];
  if (format === 'png') {
    if (bytes.length < 24 || String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]) !== 'IHDR') return null;
    const u32 = (i: number) => ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0;
    const width = u32(16),
      height = u32(20);
    return width > 0 && height > 0 ? { format, width, height } : null;
  }
  if (format === 'jpeg') {
    let i = 2;
    while (i + 3 < bytes.length) {
      if (bytes[i] !== 0xff) return null;
      const marker = bytes[i + 1];
      if (marker === 0xff) {
        i++;
        continue;
      } // fill byte
      if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        i += 2;
        continue;
      } // no length field
      if (marker === 0xd9 || marker === 0xda) return null; // end of image / start of scan before any SOF
      const len = u16(i + 2);
      // SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        if (i + 8 >= bytes.length) return null;
        const height = u16(i + 5),
          width = u16(i + 7);
        return width > 0 && height > 0 ? { format, width, height } : null;
      }
      if (len < 2) return null;
      i += 2 + len;
    }
  }
  return null;
}

/** RGBA (or any 4-channel) pixels to RgbImage, dropping alpha like OpenCV's IMREAD_COLOR and PIL's convert('RGB'). */
export function rgbaToRgb(rgba: ArrayLike<number>, width: number, height: number): RgbImage {
  const n = width * height,
    data = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    data[i * 3] = rgba[j];
    data[i * 3 + 1] = rgba[j + 1];
    data[i * 3 + 2] = rgba[j + 2];
  }
  return { width, height, data };
}

/** RgbImage to RGBA bytes with opaque alpha (what canvases and jpeg-js want). */
export function rgbToRgba(image: RgbImage): Uint8ClampedArray<ArrayBuffer> {
  const n = image.width * image.height,
    out = new Uint8ClampedArray(n * 4),
    d = image.data;
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    out[j] = d[i * 3];
    out[j + 1] = d[i * 3 + 1];
    out[j + 2] = d[i * 3 + 2];
    out[j + 3] = 255;
  }
  return out;
}

/** Browser codec: the platform's decoders, so no JS codec ships in the page. */
export const browserImageCodec: ImageCodec = {
  async decode(bytes: Uint8Array): Promise<RgbImage> {
    const { format } = checkImageHeader(bytes);
    const blob = new Blob([bytes as BlobPart], { type: format === 'png' ? 'image/png' : 'image/jpeg' });
    // No colour-space conversion or premultiplication: we want the file's pixel values.
    const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('OffscreenCanvas 2d context unavailable');
    ctx.drawImage(bitmap, 0, 0);
    bitmap.close();
    return rgbaToRgb(ctx.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height);
  },
  async encode(image: RgbImage, format: ImageFormat, quality: number): Promise<Uint8Array> {
    const canvas = new OffscreenCanvas(image.width, image.height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('OffscreenCanvas 2d context unavailable');
    ctx.putImageData(new ImageData(rgbToRgba(image), image.width, image.height), 0, 0);
    const blob = await canvas.convertToBlob({ type: format === 'png' ? 'image/png' : 'image/jpeg', quality: quality / 100 });
    return new Uint8Array(await blob.arrayBuffer());
  },
};

/**
 * The EXIF orientation of a JPEG (1 = as stored, 2..8 = mirrored and/or rotated, as phones write
 * it), read from the APP1 segment's first IFD; 1 when there is none or it is malformed.
 */
export function jpegOrientation(bytes: Uint8Array): number {
  if (sniffImageFormat(bytes) !== 'jpeg') return 1;
  let i = 2;
  while (i + 4 <= bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1],
      len = (bytes[i + 2] << 8) | bytes[i + 3];
    if (marker === 0xda || marker === 0xd9 || len < 2) return 1; // pixel data: no EXIF before it
    const s = i + 4; // segment payload
    if (marker === 0xe1 && s + 14 <= bytes.length && String.fromCharCode(...bytes.subarray(s, s + 4)) === 'Exif') {
      const t = s + 6; // TIFF header
      const le = bytes[t] === 0x49; // "II" little-endian, "MM" big-endian
      const u16 = (p: number) => (le ? bytes[p] | (bytes[p + 1] << 8) : (bytes[p] << 8) | bytes[p + 1]);
      const u32 = (p: number) => (le ? u16(p) | (u16(p + 2) << 16) : (u16(p) << 16) | u16(p + 2)) >>> 0;
      const ifd = t + u32(t + 4);
      if (ifd + 2 > Math.min(bytes.length, i + 2 + len)) return 1;
      const n = u16(ifd);
      for (let k = 0; k < n; k++) {
        const e = ifd + 2 + 12 * k;
        if (e + 12 > bytes.length) return 1;
        if (u16(e) === 0x0112) {
          const o = u16(e + 8);
          return o >= 1 && o <= 8 ? o : 1;
        }
      }
      return 1;
    }
    i += 2 + len;
  }
  return 1;
}

/** The image as it should be seen for an EXIF orientation (2..8 mirror and/or rotate; 1 returns it). */
export function orientImage(img: RgbImage, orientation: number): RgbImage {
  if (orientation <= 1 || orientation > 8) return img;
  const { width: W, height: H, data: src } = img;
  const swap = orientation >= 5;
  const w = swap ? H : W,
    h = swap ? W : H;
  // where output pixel (x, y) comes from, per orientation
  const from: Record<number, (x: number, y: number) => [number, number]> = {
    2: (x, y) => [W - 1 - x, y],
    3: (x, y) => [W - 1 - x, H - 1 - y],
    4: (x, y) => [x, H - 1 - y],
    5: (x, y) => [y, x],
    6: (x, y) => [y, H - 1 - x],
    7: (x, y) => [W - 1 - y, H - 1 - x],
    8: (x, y) => [W - 1 - y, x],
  };
  const f = from[orientation];
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [sx, sy] = f(x, y);
      data.set(src.subarray(3 * (sy * W + sx), 3 * (sy * W + sx) + 3), 3 * (y * w + x));
    }
  return { width: w, height: h, data };
}
