// PASCAL VOC annotation XML <-> VocAnnotation (browser-safe: strings only). Coordinates on disk are
// 1-based like the real releases; in memory they are 0-based pixel-inclusive, converted by -1 / +1
// exactly as the original Fast R-CNN pascal_voc.py does.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Box, VocAnnotation, VocObject } from './types.js';

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, processEntities: false });

type Node = Record<string, unknown>;
const asArray = (v: unknown): unknown[] => (v == null ? [] : Array.isArray(v) ? v : [v]);
const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);
// Entities are decoded here in one pass, as XML defines them: the five named ones and character
// references (&#99; &#x63;); anything else (a DOCTYPE's own entities, a code point XML does not allow)
// stays as written. One pass, so &amp;#99; is the text "&#99;", not "c".
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const entity = (m: string, dec?: string, hex?: string, name?: string): string => {
  if (name) return NAMED[name];
  const cp = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex!, 16);
  const ok =
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff);
  return ok ? String.fromCodePoint(cp) : m;
};
const decodeEntities = (s: string): string => s.replace(/&(?:#([0-9]{1,7})|#x([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos));/g, entity);
const text = (v: unknown): string | undefined => {
  const x = first(v);
  return typeof x === 'string' || typeof x === 'number' ? decodeEntities(String(x)).trim() : undefined;
};
const num = (v: unknown): number | undefined => {
  const s = text(v);
  if (s === undefined || s === '') return undefined;
  const x = Number(s);
  return Number.isFinite(x) ? x : undefined;
};
const flag = (v: unknown): boolean => (num(v) ?? 0) !== 0;

/**
 * Parses one annotation file. Unknown elements are ignored, and so are the boxes of `<part>` children
 * (head, hand, foot of a person are not objects). Objects without a name or a complete numeric
 * bndbox are dropped with a warning. Boxes are NOT clipped here: call sanitizeBoxes once the image
 * size is known. Throws on malformed XML or a missing <annotation> root.
 */
export function parseVocXml(xml: string, id: string): { annotation: VocAnnotation; warnings: string[] } {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`${id}: malformed XML (${valid.err.msg}, line ${valid.err.line})`);
  const root = (parser.parse(xml) as Node).annotation;
  if (root == null || typeof root !== 'object') throw new Error(`${id}: no <annotation> element`);
  const ann = first(root) as Node;
  const warnings: string[] = [];
  const size = (first(ann.size) ?? {}) as Node;
  const objects: VocObject[] = [];
  asArray(ann.object).forEach((o, k) => {
    const obj = (o ?? {}) as Node;
    const name = text(obj.name);
    if (!name) {
      warnings.push(`${id}: object ${k} has no <name>, dropped`);
      return;
    }
    const bb = first(obj.bndbox) as Node | undefined;
    const c = bb && typeof bb === 'object' ? [num(bb.xmin), num(bb.ymin), num(bb.xmax), num(bb.ymax)] : [];
    if (c.length !== 4 || c.some((x) => x === undefined)) {
      warnings.push(`${id}: object ${k} (${name}) has no complete numeric <bndbox>, dropped`);
      return;
    }
    const box: Box = [c[0]! - 1, c[1]! - 1, c[2]! - 1, c[3]! - 1];
    objects.push({ name, box, difficult: flag(obj.difficult), truncated: flag(obj.truncated) });
  });
  const annotation: VocAnnotation = {
    id,
    filename: text(ann.filename) ?? '',
    width: num(size.width) ?? 0,
    height: num(size.height) ?? 0,
    depth: num(size.depth) ?? 3,
    objects,
  };
  return { annotation, warnings };
}

/**
 * Makes boxes valid for a width x height image, in place: swaps inverted coordinates, clips to
 * [0, W-1] x [0, H-1], and drops boxes that miss the image entirely or are not finite. Returns warnings.
 */
export function sanitizeBoxes(ann: VocAnnotation, width: number, height: number): string[] {
  const warnings: string[] = [];
  const kept: VocObject[] = [];
  for (const o of ann.objects) {
    let [x1, y1, x2, y2] = o.box;
    const tag = `${ann.id}: ${o.name} [${o.box.map((v) => v + 1).join(',')}] (1-based)`;
    if (![x1, y1, x2, y2].every(Number.isFinite)) {
      warnings.push(`${tag} not finite, dropped`);
      continue;
    }
    if (x1 > x2 || y1 > y2) {
      warnings.push(`${tag} inverted, coordinates swapped`);
      if (x1 > x2) [x1, x2] = [x2, x1];
      if (y1 > y2) [y1, y2] = [y2, y1];
    }
    if (x2 < 0 || y2 < 0 || x1 > width - 1 || y1 > height - 1) {
      warnings.push(`${tag} lies outside the ${width}x${height} image, dropped`);
      continue;
    }
    if (x1 < 0 || y1 < 0 || x2 > width - 1 || y2 > height - 1) {
      warnings.push(`${tag} crosses the ${width}x${height} image border, clipped`);
      x1 = Math.max(0, x1);
      y1 = Math.max(0, y1);
      x2 = Math.min(width - 1, x2);
      y2 = Math.min(height - 1, y2);
    }
    kept.push({ ...o, box: [x1, y1, x2, y2] });
  }
  ann.objects = kept;
  return warnings;
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
// Integers stay exact; other values are written to 1e-6 so x + 1 - 1 reads back within 1e-6.
const fmt = (v: number) => (Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6));

/** Writes a VOC2007-style annotation (tabs, 1-based boxes); parseVocXml(writeVocXml(a)) gives a back. */
export function writeVocXml(ann: VocAnnotation, folder = 'VOC'): string {
  const L: string[] = [
    '<annotation>',
    `\t<folder>${escapeXml(folder)}</folder>`,
    `\t<filename>${escapeXml(ann.filename)}</filename>`,
    '\t<source>',
    '\t\t<database>fastrcnn</database>',
    '\t</source>',
    '\t<size>',
    `\t\t<width>${ann.width}</width>`,
    `\t\t<height>${ann.height}</height>`,
    `\t\t<depth>${ann.depth}</depth>`,
    '\t</size>',
    '\t<segmented>0</segmented>',
  ];
  for (const o of ann.objects) {
    L.push(
      '\t<object>',
      `\t\t<name>${escapeXml(o.name)}</name>`,
      '\t\t<pose>Unspecified</pose>',
      `\t\t<truncated>${o.truncated ? 1 : 0}</truncated>`,
      `\t\t<difficult>${o.difficult ? 1 : 0}</difficult>`,
      '\t\t<bndbox>',
      `\t\t\t<xmin>${fmt(o.box[0] + 1)}</xmin>`,
      `\t\t\t<ymin>${fmt(o.box[1] + 1)}</ymin>`,
      `\t\t\t<xmax>${fmt(o.box[2] + 1)}</xmax>`,
      `\t\t\t<ymax>${fmt(o.box[3] + 1)}</ymax>`,
      '\t\t</bndbox>',
      '\t</object>',
    );
  }
  L.push('</annotation>', '');
  return L.join('\n');
}
