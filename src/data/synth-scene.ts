// One synthetic scene, in memory (browser-safe): a cluttered background, then 1-6 shapes of random
// colour, size (12 px .. most of the image), rotation and position (truncated at the border, free to
// overlap), then a few thin strokes on top. Occlusion is exact: every pixel records which object was
// painted last over it (the owner map), so each box is the tight extent of the object's visible pixels
// and the visible fraction decides `difficult`. Boxes are 0-based pixel-inclusive.
import type { Rng } from '../util/random.js';
import { DEFAULT_SHAPE_CLASSES, pixelInsideTest, shapeBounds, type PlacedShape, type ShapeKind } from './shapes.js';
import type { Box, RgbImage } from './types.js';
import { type RGB, background, clutter, randColor, randomPolyline, strokePolyline } from './synth-background.js';

export interface SceneOptions {
  width?: number; // default 320
  height?: number; // default 240
  classes?: readonly ShapeKind[]; // default DEFAULT_SHAPE_CLASSES
  minObjects?: number; // default 1
  maxObjects?: number; // default 6
  /** Smallest object extent in pixels (default 12). */
  minSize?: number;
  /** Largest object extent as a fraction of the short side (default 0.9). */
  maxSizeFraction?: number;
  /** Largest per-image sensor noise sigma (default 6; each image draws sigma in [0, noise]). */
  noise?: number;
  /** Solid fills only, no outlines, stripes, shading or noise (for tests). */
  plain?: boolean;
  /** Also return each object's visible-pixel mask (W*H, 1 = visible). */
  withMasks?: boolean;
}

interface SceneObject {
  name: ShapeKind;
  box: Box;
  difficult: boolean;
  truncated: boolean;
  /** Visible pixels / pixels of the whole shape (inside and outside the image). */
  visibleFraction: number;
}

export interface Scene {
  image: RgbImage;
  objects: SceneObject[];
  masks?: Uint8Array[];
}

/** Objects less visible than this are not kept at all (they would be unlabelled, unrecognizable blobs). */
const MIN_VISIBLE_FRACTION = 0.15;
const MIN_VISIBLE_PIXELS = 30;
/** `difficult`: less than this much of the shape visible, or the box's long side under DIFFICULT_SIZE. */
const DIFFICULT_VISIBLE_FRACTION = 0.4;
const DIFFICULT_SIZE = 16;

const dist = (a: RGB, b: RGB) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

interface Style {
  color: RGB;
  /** Second colour for stripes (kind 'stripes') or the outline. */
  color2: RGB;
  kind: 'solid' | 'shaded' | 'stripes';
  outline: number; // outline width in pixels, 0 = none
  dirX: number;
  dirY: number;
  period: number;
}

interface Placed {
  shape: PlacedShape;
  inside: (x: number, y: number) => boolean;
  style: Style;
  full: number;
  kind: ShapeKind;
}

// ---------------------------------------------------------------- background

function sampleShape(rng: Rng, kind: ShapeKind, W: number, H: number, minSize: number, maxSize: number, inside: boolean): PlacedShape {
  const size = Math.exp(rng.uniform(Math.log(minSize), Math.log(Math.max(minSize, maxSize)))); // log-uniform extent
  const radius = size / 2;
  // Centres keep a quarter of the extent inside the image, so truncation is common but not the rule.
  const m = inside ? radius * 1.15 : size / 4;
  const cx = W > 2 * m ? rng.uniform(m, W - m) : W / 2,
    cy = H > 2 * m ? rng.uniform(m, H - m) : H / 2;
  const aspect = kind === 'circle' || kind === 'ring' ? rng.uniform(0.85, 1) : rng.uniform(0.75, 1);
  return { kind, cx, cy, radius, angle: rng.uniform(0, 2 * Math.PI), aspect, inner: rng.uniform(0.45, 0.65) };
}

function sampleStyle(rng: Rng, bgMean: RGB, size: number, plain: boolean): Style {
  let color = randColor(rng);
  for (let t = 0; t < 30 && dist(color, bgMean) < 110; t++) color = randColor(rng); // stand out from the background
  let color2 = randColor(rng);
  for (let t = 0; t < 30 && dist(color2, color) < 80; t++) color2 = randColor(rng);
  const a = rng.uniform(0, 2 * Math.PI);
  const r = rng.next();
  const kind: Style['kind'] = plain ? 'solid' : r < 0.55 ? 'solid' : r < 0.8 || size < 28 ? 'shaded' : 'stripes';
  const outline = !plain && size >= 20 && rng.next() < 0.3 ? rng.int(1, 3) : 0;
  return { color, color2, kind, outline, dirX: Math.cos(a), dirY: Math.sin(a), period: rng.uniform(3, 9) };
}

function meanColor(img: Float32Array, W: number, H: number, s: PlacedShape): RGB {
  const b = shapeBounds(s),
    m: RGB = [0, 0, 0];
  let n = 0;
  for (let y = Math.max(0, b.y0); y <= Math.min(H - 1, b.y1); y += 2)
    for (let x = Math.max(0, b.x0); x <= Math.min(W - 1, b.x1); x += 2) {
      for (let k = 0; k < 3; k++) m[k] += img[(y * W + x) * 3 + k];
      n++;
    }
  return n ? (m.map((v) => v / n) as RGB) : [128, 128, 128];
}

/** Fills owner (object index per pixel, -1 none) in paint order; returns each object's whole-shape pixel count. */
function rasterize(objs: Placed[], owner: Int16Array, W: number, H: number): void {
  owner.fill(-1);
  objs.forEach((o, k) => {
    const b = shapeBounds(o.shape);
    let full = 0;
    for (let y = b.y0; y <= b.y1; y++)
      for (let x = b.x0; x <= b.x1; x++) {
        if (!o.inside(x, y)) continue;
        full++;
        if (x >= 0 && y >= 0 && x < W && y < H) owner[y * W + x] = k;
      }
    o.full = full;
  });
}

function objectColor(o: Placed, x: number, y: number): RGB {
  const st = o.style,
    s = o.shape;
  if (st.outline) {
    const w = st.outline;
    if (!o.inside(x - w, y) || !o.inside(x + w, y) || !o.inside(x, y - w) || !o.inside(x, y + w)) return st.color2;
  }
  if (st.kind === 'solid') return st.color;
  const p = (x + 0.5 - s.cx) * st.dirX + (y + 0.5 - s.cy) * st.dirY;
  if (st.kind === 'stripes') return Math.floor(p / st.period) & 1 ? st.color2 : st.color;
  const f = 1 + 0.35 * Math.max(-1, Math.min(1, p / s.radius)); // shaded: lit from one side
  return [st.color[0] * f, st.color[1] * f, st.color[2] * f];
}

export function renderScene(rng: Rng, opts: SceneOptions = {}): Scene {
  const W = opts.width ?? 320,
    H = opts.height ?? 240;
  const classes = opts.classes ?? DEFAULT_SHAPE_CLASSES;
  const minSize = opts.minSize ?? 12,
    maxSize = (opts.maxSizeFraction ?? 0.9) * Math.min(W, H);
  const plain = opts.plain ?? false;
  const img = background(rng, W, H);
  if (!plain) clutter(rng, img, W, H);

  const count = rng.int(opts.minObjects ?? 1, (opts.maxObjects ?? 6) + 1);
  const make = (fullyInside: boolean): Placed => {
    const kind = classes[rng.int(0, classes.length)];
    const shape = sampleShape(rng, kind, W, H, minSize, maxSize, fullyInside);
    const style = sampleStyle(rng, meanColor(img, W, H, shape), shape.radius * 2, plain);
    return { shape, inside: pixelInsideTest(shape), style, full: 0, kind };
  };
  let objs: Placed[] = Array.from({ length: count }, () => make(false));

  // Thin strokes in front of the objects occlude them too (owner -2).
  const front: { pts: number[][]; width: number; color: RGB }[] = [];
  if (!plain)
    for (let n = rng.next() < 0.4 ? rng.int(1, 3) : 0; n > 0; n--) {
      front.push({ pts: randomPolyline(rng, W, H), width: rng.uniform(1, 2.5), color: randColor(rng) });
    }
  const owner = new Int16Array(W * H);
  const visible = (): Int32Array => {
    rasterize(objs, owner, W, H);
    for (const f of front)
      strokePolyline(f.pts, f.width, W, H, (i) => {
        owner[i] = -2;
      });
    const vis = new Int32Array(objs.length);
    for (let i = 0; i < owner.length; i++) if (owner[i] >= 0) vis[owner[i]]++;
    return vis;
  };
  // Drop objects hidden too much (by later objects, strokes or the border) until all remaining are visible.
  let vis = visible();
  for (;;) {
    const keep = objs.map((o, k) => vis[k] >= MIN_VISIBLE_PIXELS && vis[k] >= MIN_VISIBLE_FRACTION * o.full);
    if (keep.every(Boolean) && objs.length > 0) break;
    objs = objs.filter((_, k) => keep[k]);
    if (objs.length === 0) objs = [make(true)];
    vis = visible();
  }

  // Paint the owner map, then the front strokes, then sensor noise.
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const k = owner[y * W + x];
      if (k < 0) continue;
      const c = objectColor(objs[k], x, y),
        i = (y * W + x) * 3;
      img[i] = c[0];
      img[i + 1] = c[1];
      img[i + 2] = c[2];
    }
  for (const f of front)
    strokePolyline(f.pts, f.width, W, H, (i) => {
      img[i * 3] = f.color[0];
      img[i * 3 + 1] = f.color[1];
      img[i * 3 + 2] = f.color[2];
    });
  const sigma = plain ? 0 : rng.uniform(0, opts.noise ?? 6);
  const data = new Uint8Array(W * H * 3);
  // Near-Gaussian noise from the sum of the four bytes of one draw (Irwin-Hall, std 147.8): no log/cos per pixel.
  const k = sigma / 147.8;
  for (let i = 0; i < data.length; i++) {
    let v = img[i];
    if (sigma > 0) {
      const u = rng.nextU32();
      v += ((u & 255) + ((u >>> 8) & 255) + ((u >>> 16) & 255) + (u >>> 24) - 510) * k;
    }
    data[i] = Math.min(255, Math.max(0, Math.round(v)));
  }

  // Tight boxes from the visible pixels.
  const bx = objs.map(() => [W, H, -1, -1]);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const k = owner[y * W + x];
      if (k < 0) continue;
      const b = bx[k];
      if (x < b[0]) b[0] = x;
      if (y < b[1]) b[1] = y;
      if (x > b[2]) b[2] = x;
      if (y > b[3]) b[3] = y;
    }
  const objects: SceneObject[] = objs.map((o, k) => {
    const box = bx[k] as Box,
      fraction = vis[k] / o.full;
    const inImage = (() => {
      const b = shapeBounds(o.shape);
      return b.x0 >= 0 && b.y0 >= 0 && b.x1 < W && b.y1 < H;
    })();
    const truncated = !inImage && touchesOutside(o, W, H);
    const longSide = Math.max(box[2] - box[0] + 1, box[3] - box[1] + 1);
    return {
      name: o.kind,
      box,
      truncated,
      visibleFraction: fraction,
      difficult: fraction < DIFFICULT_VISIBLE_FRACTION || longSide < DIFFICULT_SIZE,
    };
  });
  const scene: Scene = { image: { width: W, height: H, data }, objects };
  if (opts.withMasks) {
    scene.masks = objs.map(() => new Uint8Array(W * H));
    for (let i = 0; i < owner.length; i++) if (owner[i] >= 0) scene.masks[owner[i]][i] = 1;
  }
  return scene;
}

/** Does any pixel of the shape fall outside the image (i.e. the object is cut by the border)? */
function touchesOutside(o: Placed, W: number, H: number): boolean {
  const b = shapeBounds(o.shape);
  for (let y = b.y0; y <= b.y1; y++)
    for (let x = b.x0; x <= b.x1; x++) {
      if ((x < 0 || y < 0 || x >= W || y >= H) && o.inside(x, y)) return true;
    }
  return false;
}
