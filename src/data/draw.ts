// Drawing detections on an RgbImage (in place): 2 px box outlines inside the box, and a label tab with
// text in a built-in 5x7 bitmap font, one distinct colour per class. No canvas needed, so the same code
// runs in Node, browsers and workers.
import type { Box, RgbImage } from './types.js';

type RGB = [number, number, number];

// 5x7 glyphs, rows top to bottom, '#' = ink. Letters use capital forms (clearer at 5x7); input is
// case-insensitive.
const GLYPH_ROWS: Record<string, string> = {
  a: '.###. #...# #...# ##### #...# #...# #...#',
  b: '####. #...# #...# ####. #...# #...# ####.',
  c: '.###. #...# #.... #.... #.... #...# .###.',
  d: '###.. #..#. #...# #...# #...# #..#. ###..',
  e: '##### #.... #.... ####. #.... #.... #####',
  f: '##### #.... #.... ####. #.... #.... #....',
  g: '.###. #...# #.... #.### #...# #...# .####',
  h: '#...# #...# #...# ##### #...# #...# #...#',
  i: '.###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.',
  j: '..### ...#. ...#. ...#. ...#. #..#. .##..',
  k: '#...# #..#. #.#.. ##... #.#.. #..#. #...#',
  l: '#.... #.... #.... #.... #.... #.... #####',
  m: '#...# ##.## #.#.# #.#.# #...# #...# #...#',
  n: '#...# #...# ##..# #.#.# #..## #...# #...#',
  o: '.###. #...# #...# #...# #...# #...# .###.',
  p: '####. #...# #...# ####. #.... #.... #....',
  q: '.###. #...# #...# #...# #.#.# #..#. .##.#',
  r: '####. #...# #...# ####. #.#.. #..#. #...#',
  s: '.#### #.... #.... .###. ....# ....# ####.',
  t: '##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
  u: '#...# #...# #...# #...# #...# #...# .###.',
  v: '#...# #...# #...# #...# #...# .#.#. ..#..',
  w: '#...# #...# #...# #.#.# #.#.# #.#.# .#.#.',
  x: '#...# #...# .#.#. ..#.. .#.#. #...# #...#',
  y: '#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..',
  z: '##### ....# ...#. ..#.. .#... #.... #####',
  '0': '.###. #...# #..## #.#.# ##..# #...# .###.',
  '1': '..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.',
  '2': '.###. #...# ....# ...#. ..#.. .#... #####',
  '3': '##### ...#. ..#.. ...#. ....# #...# .###.',
  '4': '...#. ..##. .#.#. #..#. ##### ...#. ...#.',
  '5': '##### #.... ####. ....# ....# #...# .###.',
  '6': '..##. .#... #.... ####. #...# #...# .###.',
  '7': '##### ....# ...#. ..#.. .#... .#... .#...',
  '8': '.###. #...# #...# .###. #...# #...# .###.',
  '9': '.###. #...# #...# .#### ....# ...#. .##..',
  '.': '..... ..... ..... ..... ..... .##.. .##..',
  '-': '..... ..... ..... ##### ..... ..... .....',
  _: '..... ..... ..... ..... ..... ..... #####',
  ' ': '..... ..... ..... ..... ..... ..... .....',
};
/** Shown for characters outside the font: a hollow box. */
const MISSING = '##### #...# #...# #...# #...# #...# #####';

const GLYPH_WIDTH = 5,
  GLYPH_HEIGHT = 7;
/** 7 rows of 5-bit masks per glyph (bit 4 = leftmost column). */
export const FONT: Record<string, number[]> = Object.fromEntries(
  Object.entries({ ...GLYPH_ROWS, missing: MISSING }).map(([ch, s]) => [
    ch,
    s.split(' ').map((row) => [...row].reduce((m, c) => (m << 1) | (c === '#' ? 1 : 0), 0)),
  ]),
);

const PALETTE: RGB[] = [
  [230, 25, 75],
  [60, 180, 75],
  [255, 225, 25],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
  [210, 245, 60],
  [250, 190, 212],
  [0, 128, 128],
  [170, 110, 40],
];

/** A distinct colour per class index: a hand-picked palette, then golden-angle hues. */
export function classColor(index: number): RGB {
  if (index >= 0 && index < PALETTE.length) return PALETTE[index];
  const h = ((Math.abs(index) * 137.508) % 360) / 60,
    c = 200,
    x = c * (1 - Math.abs((h % 2) - 1));
  const [r, g, b] = h < 1 ? [c, x, 0] : h < 2 ? [x, c, 0] : h < 3 ? [0, c, x] : h < 4 ? [0, x, c] : h < 5 ? [x, 0, c] : [c, 0, x];
  return [Math.round(r) + 40, Math.round(g) + 40, Math.round(b) + 40];
}

function fillRect(img: RgbImage, x0: number, y0: number, x1: number, y1: number, c: RGB): void {
  const W = img.width;
  x0 = Math.max(0, x0);
  y0 = Math.max(0, y0);
  x1 = Math.min(W - 1, x1);
  y1 = Math.min(img.height - 1, y1);
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      const i = (y * W + x) * 3;
      img.data[i] = c[0];
      img.data[i + 1] = c[1];
      img.data[i + 2] = c[2];
    }
}

/** Outline of a pixel-inclusive box, `lineWidth` pixels drawn inside it (rounded, clipped to the image). */
export function drawBox(img: RgbImage, box: Box, color: RGB, lineWidth = 2): void {
  const [x1, y1, x2, y2] = box.map(Math.round);
  const w = Math.max(1, lineWidth);
  fillRect(img, x1, y1, x2, Math.min(y2, y1 + w - 1), color);
  fillRect(img, x1, Math.max(y1, y2 - w + 1), x2, y2, color);
  fillRect(img, x1, y1, Math.min(x2, x1 + w - 1), y2, color);
  fillRect(img, Math.max(x1, x2 - w + 1), y1, x2, y2, color);
}

/** Size of `text` in pixels: glyphs 5 wide with 1 px spacing, 7 high, times `scale`. */
export function measureText(text: string, scale = 1): { width: number; height: number } {
  return { width: Math.max(0, text.length * (GLYPH_WIDTH + 1) - 1) * scale, height: GLYPH_HEIGHT * scale };
}

/** Draws `text` with its top-left corner at (x, y). */
export function drawText(img: RgbImage, x: number, y: number, text: string, color: RGB, scale = 1): void {
  [...text.toLowerCase()].forEach((ch, k) => {
    const rows = FONT[ch] ?? FONT.missing,
      gx = x + k * (GLYPH_WIDTH + 1) * scale;
    rows.forEach((bits, r) => {
      for (let c = 0; c < GLYPH_WIDTH; c++) {
        if (bits & (1 << (GLYPH_WIDTH - 1 - c)))
          fillRect(img, gx + c * scale, y + r * scale, gx + (c + 1) * scale - 1, y + (r + 1) * scale - 1, color);
      }
    });
  });
}

export interface DrawnDetection {
  box: Box;
  /** Class name (or any text); the score is appended as "name 0.93". */
  label?: string;
  score?: number;
  /** Picks the colour; defaults to a hash of the label. */
  classIndex?: number;
}

export interface DrawOptions {
  lineWidth?: number; // default 2
  fontScale?: number; // default 1
}

/**
 * Label tab rectangle for a box: above the box when it fits, else just inside its top edge, shifted left
 * to stay in the image. Exported so callers (and tests) know where drawing may touch.
 */
export function labelTabRect(img: RgbImage, box: Box, text: string, fontScale = 1): [number, number, number, number] {
  const { width, height } = measureText(text, fontScale);
  const tw = width + 2,
    th = height + 2;
  let x = Math.round(box[0]),
    y = Math.round(box[1]) - th;
  if (y < 0) y = Math.round(box[1]);
  if (x + tw > img.width) x = Math.max(0, img.width - tw);
  return [x, y, x + tw - 1, y + th - 1];
}

export function labelText(d: DrawnDetection): string {
  return [d.label ?? '', d.score !== undefined ? d.score.toFixed(2) : ''].filter(Boolean).join(' ');
}

function hashIndex(s: string): number {
  let h = 0;
  for (const ch of s) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  return h % 64;
}

/** Draws every detection (outline, then the label tab) into `image` in place and returns it. */
export function drawDetections(image: RgbImage, detections: readonly DrawnDetection[], options: DrawOptions = {}): RgbImage {
  const lw = options.lineWidth ?? 2,
    scale = options.fontScale ?? 1;
  for (const d of detections) {
    const color = classColor(d.classIndex ?? hashIndex(d.label ?? ''));
    drawBox(image, d.box, color, lw);
    const text = labelText(d);
    if (!text) continue;
    const [x0, y0, x1, y1] = labelTabRect(image, d.box, text, scale);
    fillRect(image, x0, y0, x1, y1, color);
    const ink: RGB = 0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2] > 140 ? [0, 0, 0] : [255, 255, 255];
    drawText(image, x0 + 1, y0 + 1, text, ink, scale);
  }
  return image;
}
