// PASCAL VOC directories on disk (Node): read a split into annotation records, write annotations,
// image sets and images. Layout: Annotations/<id>.xml, JPEGImages/<id>.jpg|png,
// ImageSets/Main/<split>.txt, and optionally classes.txt (one class per line) at the root.
//
// Policy (warnings are returned, never thrown, for per-image problems):
//   missing root, missing split file, empty split       -> Error naming the path
//   missing/malformed annotation, missing/corrupt image -> warning, image skipped
//   annotation without objects                          -> warning, image kept with no objects
//   object of a class not in the class list             -> warning (one per class), object dropped
//   box inverted / crossing the border                  -> swapped / clipped, warning
//   box outside the image, non-numeric box, no name     -> warning, object dropped
//   size missing or different from the image file       -> warning, the image file's size is used
//   id or <filename> naming a path outside the dataset  -> warning; the id is skipped, the filename ignored
//   annotation over maxAnnotationBytes / maxObjects     -> warning, image skipped (limits.ts)
//   image over maxImagePixels (from its header)         -> warning, image skipped
//   class name over maxClassNameLength or with control characters -> warning, object dropped
//   more than maxClasses classes                        -> Error
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readBytes, writeFileMkdir, writeImageFile } from './fs.js';
import { decodeImageSync } from './image-node.js';
import { checkImageHeader } from '../../data/image.js';
import { getLimits, overLimit } from '../../core/limits.js';
import type { RgbImage, VocAnnotation, VocDataset, VocRecord } from '../../data/types.js';
import { parseVocXml, sanitizeBoxes, writeVocXml } from '../../data/voc-xml.js';

export type { VocDataset, VocRecord } from '../../data/types.js';

export interface ReadVocOptions {
  /** ImageSets/Main/<split>.txt; default 'trainval'. */
  split?: string;
  /** Class list; overrides classesFile. */
  classes?: string[];
  /** File with one class per line; default <root>/classes.txt when it exists, else the sorted names found. */
  classesFile?: string;
  /** 'header' (default) reads each image's size from its header; 'decode' decodes it fully; 'none' only checks it exists. */
  checkImages?: 'header' | 'decode' | 'none';
}

const IMAGE_EXTS = ['.jpg', '.png', '.jpeg', '.JPG', '.PNG', '.JPEG'];

/** Non-empty lines, trimmed, '#' comments skipped. */
function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** Reads a class list file (one name per line). */
export function readClassesFile(path: string): string[] {
  if (!existsSync(path)) throw new Error(`classes file not found: ${path}`);
  return lines(new TextDecoder().decode(readBytes(path)));
}

/**
 * Image ids of ImageSets/Main/<split>.txt. The per-class form (`id 1|-1|0`) is accepted: the first
 * token of each line is the id and the flag is ignored (the file lists the whole split either way).
 */
export function readSplitIds(root: string, split: string): string[] {
  const path = join(root, 'ImageSets', 'Main', `${split}.txt`);
  if (!existsSync(path)) throw new Error(`split file not found: ${path}`);
  const ids = lines(new TextDecoder().decode(readBytes(path))).map((l) => l.split(/\s+/)[0]);
  if (ids.length === 0) throw new Error(`split file lists no images: ${path}`);
  return ids;
}

/** A name as it may be echoed in a message: quoted, and cut short when long. */
export function shownName(name: string): string {
  const q = JSON.stringify(name);
  return q.length > 60 ? `${q.slice(0, 50)}..." (${name.length} characters)` : q;
}

/** True for a plain file name: no directory part, no '..', no NUL (it cannot leave its folder). */
const plainName = (n: string) =>
  n !== '' && n !== '.' && n !== '..' && basename(n) === n && !n.includes('\\') && !n.includes('/') && !n.includes('\0');

/** Why a class name is not usable, or null. */
function badClassName(name: string): string | null {
  if (name.length > getLimits().maxClassNameLength)
    return `is ${name.length} characters, over maxClassNameLength ${getLimits().maxClassNameLength}`;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return 'contains control characters';
  }
  return null;
}

function findImage(root: string, ann: VocAnnotation, warnings: string[]): string | null {
  const dir = join(root, 'JPEGImages');
  if (ann.filename && !plainName(ann.filename)) {
    warnings.push(`${ann.id}: <filename> ${shownName(ann.filename)} is not a plain file name in JPEGImages; ignored`);
    ann.filename = '';
  }
  const candidates = [...(ann.filename ? [ann.filename] : []), ...IMAGE_EXTS.map((e) => ann.id + e)];
  for (const c of candidates) {
    const p = join(dir, c);
    if (existsSync(p)) return p;
  }
  return null;
}

export function readVoc(root: string, options: ReadVocOptions = {}): VocDataset {
  const split = options.split ?? 'trainval';
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`VOC directory not found: ${root}`);
  const check = options.checkImages ?? 'header';
  const warnings: string[] = [];
  const ids = readSplitIds(root, split);
  const seen = new Set<string>();
  const records: VocRecord[] = [];
  for (const id of ids) {
    if (seen.has(id)) {
      warnings.push(`${id}: listed twice in ${split}, duplicate ignored`);
      continue;
    }
    seen.add(id);
    if (!plainName(id)) {
      warnings.push(`${shownName(id)} in ${split}: not a plain file name (ids name files in Annotations/ and JPEGImages/), skipped`);
      continue;
    }
    const xmlPath = join(root, 'Annotations', `${id}.xml`);
    if (!existsSync(xmlPath)) {
      warnings.push(`${id}: annotation missing (${xmlPath}), image skipped`);
      continue;
    }
    const xmlBytes = statSync(xmlPath).size;
    if (xmlBytes > getLimits().maxAnnotationBytes) {
      warnings.push(`${overLimit(`${id}: annotation size in bytes`, xmlBytes, 'maxAnnotationBytes').message}; image skipped`);
      continue;
    }
    let ann: VocAnnotation;
    try {
      const parsed = parseVocXml(new TextDecoder().decode(readBytes(xmlPath)), id);
      ann = parsed.annotation;
      warnings.push(...parsed.warnings);
    } catch (e) {
      warnings.push(`${(e as Error).message}, image skipped`);
      continue;
    }
    if (ann.objects.length > getLimits().maxObjects) {
      warnings.push(`${overLimit(`${id}: objects in the annotation`, ann.objects.length, 'maxObjects').message}; image skipped`);
      continue;
    }
    ann.objects = ann.objects.filter((o) => {
      const why = badClassName(o.name);
      if (why) warnings.push(`${id}: object class ${shownName(o.name)} ${why}; object dropped`);
      return !why;
    });
    const imagePath = findImage(root, ann, warnings);
    if (!imagePath) {
      warnings.push(`${id}: image file missing in ${join(root, 'JPEGImages')}, image skipped`);
      continue;
    }
    let size: { width: number; height: number } | null = null;
    if (check !== 'none') {
      let why = '';
      try {
        const bytes = readBytes(imagePath);
        size = check === 'decode' ? decodeImageSync(bytes) : checkImageHeader(bytes);
      } catch (e) {
        why = (e as Error).message;
      }
      if (!size) {
        warnings.push(`${id}: image unreadable (${imagePath}: ${why || 'corrupt'}), image skipped`);
        continue;
      }
      if (size.width !== ann.width || size.height !== ann.height) {
        if (ann.width > 0 && ann.height > 0) {
          warnings.push(
            `${id}: annotation size ${ann.width}x${ann.height} differs from image ${size.width}x${size.height}; using the image's`,
          );
        }
        ann.width = size.width;
        ann.height = size.height;
      }
    }
    if (!(ann.width > 0 && ann.height > 0)) {
      warnings.push(`${id}: no image size known, image skipped`);
      continue;
    }
    warnings.push(...sanitizeBoxes(ann, ann.width, ann.height));
    records.push({ ...ann, imagePath });
  }
  if (records.length === 0) throw new Error(`no usable images in split ${split} of ${root}:\n${warnings.join('\n')}`);

  let classes = options.classes;
  if (!classes) {
    const file = options.classesFile ?? (existsSync(join(root, 'classes.txt')) ? join(root, 'classes.txt') : undefined);
    classes = file ? readClassesFile(file) : [...new Set(records.flatMap((r) => r.objects.map((o) => o.name)))].sort();
    if (!file) {
      // Without classes.txt every name is a class: one seen once among many objects is likely a typo.
      const count = new Map<string, number>();
      for (const r of records) for (const o of r.objects) count.set(o.name, (count.get(o.name) ?? 0) + 1);
      const total = [...count.values()].reduce((a, b) => a + b, 0);
      const rare = classes.filter((c) => count.get(c) === 1);
      if (total >= 20 && rare.length)
        warnings.push(
          `no classes.txt, so every name in the annotations is a class: ${rare.slice(0, 8).map(shownName).join(', ')}${rare.length > 8 ? ', ...' : ''} ` +
            `appear${rare.length === 1 ? 's' : ''} once among ${total} objects (a typo?); write classes.txt (one name per line) to fix the list`,
        );
    }
  }
  if (classes.length > getLimits().maxClasses) throw overLimit(`${root}: classes`, classes.length, 'maxClasses');
  for (const c of classes) {
    const why = badClassName(c);
    if (why) throw new Error(`${root}: class ${shownName(c)} ${why}`);
  }
  const known = new Set(classes);
  const dropped = new Map<string, number>();
  for (const r of records) {
    r.objects = r.objects.filter((o) => {
      if (known.has(o.name)) return true;
      dropped.set(o.name, (dropped.get(o.name) ?? 0) + 1);
      return false;
    });
  }
  for (const [name, n] of dropped) warnings.push(`${n} object(s) of class ${shownName(name)} not in the class list, dropped`);
  for (const r of records) if (r.objects.length === 0) warnings.push(`${r.id}: no objects, image kept as background only`);
  return { root, split, classes, records, warnings };
}

/** Decodes a record's image (throws on a corrupt file; readVoc's header check cannot see a bad scan). */
export function loadVocImage(record: VocRecord): RgbImage {
  return decodeImageSync(readBytes(record.imagePath));
}

/** Writes Annotations/<id>.xml. */
export function writeVocAnnotation(root: string, ann: VocAnnotation, folder = 'VOC'): void {
  writeFileMkdir(join(root, 'Annotations', `${ann.id}.xml`), writeVocXml(ann, folder));
}

/** Writes JPEGImages/<filename> (format from the extension: .png lossless, .jpg at `quality`). */
function writeVocImage(root: string, filename: string, image: RgbImage, quality = 90): void {
  writeImageFile(join(root, 'JPEGImages', filename), image, quality);
}

/** Writes ImageSets/Main/<split>.txt, one id per line. */
export function writeImageSet(root: string, split: string, ids: string[]): void {
  writeFileMkdir(join(root, 'ImageSets', 'Main', `${split}.txt`), ids.map((id) => id + '\n').join(''));
}

export function writeClassesFile(root: string, classes: string[]): void {
  writeFileMkdir(join(root, 'classes.txt'), classes.map((c) => c + '\n').join(''));
}

/**
 * Writes a whole dataset: every image (as ann.filename, e.g. "000001.png") and annotation, the
 * image sets, and classes.txt. readVoc(root, { split }) reads it back.
 */
export function writeVoc(
  root: string,
  items: { annotation: VocAnnotation; image: RgbImage }[],
  splits: Record<string, string[]>,
  classes?: string[],
  quality = 90,
): void {
  for (const { annotation, image } of items) {
    if (!annotation.filename) throw new Error(`${annotation.id}: annotation.filename is required to write the image`);
    writeVocImage(root, annotation.filename, image, quality);
    writeVocAnnotation(root, annotation);
  }
  for (const [split, ids] of Object.entries(splits)) writeImageSet(root, split, ids);
  if (classes) writeClassesFile(root, classes);
}
