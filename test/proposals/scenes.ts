// Generated test scenes for the proposal tests and benchmark: a few filled rectangles and ellipses in
// random colours (some striped, some shaded, some close to the background colour) on a noisy,
// textured background. Objects may partly occlude earlier ones (up to `overlap` of the smaller box);
// the ground-truth box of an object is the tight box of its visible pixels, as VOC annotates.
import { Rng } from '../../src/util/random.js';
import type { RgbImage } from '../../src/proposals/selectiveSearch.js';

export interface Scene {
  image: RgbImage;
  gt: Float32Array;
}

export interface SceneOptions {
  /** Number of objects, inclusive range (default [1, 4]). */
  objects?: [number, number];
  /** Object side as a fraction of the image's short side (default [0.12, 0.5]). */
  size?: [number, number];
  /** Std of the per-pixel Gaussian noise (default 16). */
  noise?: number;
  /** Largest allowed intersection with an earlier object, as a fraction of the smaller box (default 0.25). */
  overlap?: number;
}

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

export function makeScene(rng: Rng, width: number, height: number, opts: SceneOptions = {}): Scene {
  const [nMin, nMax] = opts.objects ?? [1, 4];
  const [sMin, sMax] = opts.size ?? [0.12, 0.5];
  const noise = opts.noise ?? 16;
  const maxOverlap = opts.overlap ?? 0.25;
  const owner = new Int32Array(width * height).fill(-1);
  const data = new Uint8Array(width * height * 3);
  // background: a colour gradient, a sinusoidal texture (random frequency and direction), noise
  const c0 = [rng.uniform(30, 220), rng.uniform(30, 220), rng.uniform(30, 220)];
  const c1 = [rng.uniform(30, 220), rng.uniform(30, 220), rng.uniform(30, 220)];
  const theta = rng.uniform(0, Math.PI),
    freq = rng.uniform(0.05, 0.4),
    amp = rng.uniform(5, 25);
  const ct = Math.cos(theta),
    st = Math.sin(theta);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const g = (x / width + y / height) / 2;
      const tex = amp * Math.sin(freq * (x * ct + y * st));
      for (let c = 0; c < 3; c++) {
        data[(y * width + x) * 3 + c] = clampByte(c0[c] * (1 - g) + c1[c] * g + tex + rng.normal(0, noise));
      }
    }
  }
  const count = rng.int(nMin, nMax + 1);
  const short = Math.min(width, height);
  const placed: number[][] = [];
  for (let tries = 0; placed.length < count && tries < 200; tries++) {
    const bw = Math.max(3, Math.round(rng.uniform(sMin, sMax) * short * rng.uniform(0.7, 1.4)));
    const bh = Math.max(3, Math.round(rng.uniform(sMin, sMax) * short * rng.uniform(0.7, 1.4)));
    if (bw > width || bh > height) continue;
    const x1 = rng.int(0, width - bw + 1),
      y1 = rng.int(0, height - bh + 1);
    const x2 = x1 + bw - 1,
      y2 = y1 + bh - 1;
    const tooMuch = placed.some(([a, b, c, d]) => {
      const iw = Math.min(x2, c) - Math.max(x1, a) + 1,
        ih = Math.min(y2, d) - Math.max(y1, b) + 1;
      return iw > 0 && ih > 0 && iw * ih > maxOverlap * Math.min(bw * bh, (c - a + 1) * (d - b + 1));
    });
    if (tooMuch) continue;
    const k = placed.length;
    placed.push([x1, y1, x2, y2]);
    // colour: random, or (1 in 4) a moderate offset from the local background
    const bgc = Array.from(
      data.subarray(((y1 + y2) >> 1) * width * 3 + ((x1 + x2) >> 1) * 3, ((y1 + y2) >> 1) * width * 3 + ((x1 + x2) >> 1) * 3 + 3),
    );
    const colour =
      rng.next() < 0.25
        ? bgc.map((v) => v + (rng.next() < 0.5 ? -1 : 1) * rng.uniform(35, 70))
        : [rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255)];
    const ellipse = rng.next() < 0.5;
    const style = rng.next(); // < 0.3 stripes, < 0.6 shading, else flat
    const sf = rng.uniform(0.3, 1.0),
      sa = rng.uniform(15, 40),
      shade = rng.uniform(20, 60);
    const cx = (x1 + x2) / 2,
      cy = (y1 + y2) / 2,
      rx = bw / 2,
      ry = bh / 2;
    for (let y = y1; y <= y2; y++) {
      for (let x = x1; x <= x2; x++) {
        if (ellipse) {
          const dx = (x - cx) / rx,
            dy = (y - cy) / ry;
          if (dx * dx + dy * dy > 1) continue;
        }
        const t = style < 0.3 ? sa * Math.sign(Math.sin(sf * x)) : style < 0.6 ? shade * ((y - y1) / bh - 0.5) : 0;
        for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = clampByte(colour[c] + t + rng.normal(0, noise));
        owner[y * width + x] = k;
      }
    }
  }
  // ground truth: the visible extent of each object
  const box = placed.map(() => [width, height, -1, -1]);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = owner[y * width + x];
      if (k < 0) continue;
      const b = box[k];
      if (x < b[0]) b[0] = x;
      if (y < b[1]) b[1] = y;
      if (x > b[2]) b[2] = x;
      if (y > b[3]) b[3] = y;
    }
  }
  return { image: { width, height, data }, gt: new Float32Array(box.filter((b) => b[2] >= 0).flat()) };
}

/** n scenes from one seed. */
export function makeScenes(seed: number, n: number, width: number, height: number, opts?: SceneOptions): Scene[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => makeScene(rng, width, height, opts));
}
