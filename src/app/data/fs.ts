// Node-only file I/O of images and bytes (the app layer; browser bundles of data/image.ts never see `fs`).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { decodeImageSync, encodeImageSync } from './image-node.js';
import type { ImageFormat } from '../../data/image.js';
import type { RgbImage } from '../../data/types.js';

export function readBytes(path: string): Uint8Array {
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Writes bytes or text, creating parent directories. */
export function writeFileMkdir(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

export function readImageFile(path: string): RgbImage {
  return decodeImageSync(readBytes(path));
}

/** Image format implied by a file name (.png, else JPEG for .jpg/.jpeg); null for anything else. */
function formatFromPath(path: string): ImageFormat | null {
  const e = extname(path).toLowerCase();
  return e === '.png' ? 'png' : e === '.jpg' || e === '.jpeg' ? 'jpeg' : null;
}

/** Encodes by extension (.png lossless, .jpg/.jpeg at `quality`) and writes, creating directories. */
export function writeImageFile(path: string, image: RgbImage, quality = 90): void {
  const format = formatFromPath(path);
  if (!format) throw new Error(`${path}: unknown image extension (use .png, .jpg or .jpeg)`);
  writeFileMkdir(path, encodeImageSync(image, format, quality));
}
