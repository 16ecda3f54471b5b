// The synthetic scenes' backdrop (browser-safe): value noise and pattern fields, soft blobs and thin
// strokes, so that shapes sit on clutter rather than on a flat colour (src/data/synth-scene.ts).
import type { Rng } from '../util/random.js';

export type RGB = [number, number, number];
export const randColor = (rng: Rng): RGB => [rng.int(0, 256), rng.int(0, 256), rng.int(0, 256)];

/** Smooth value noise in [0, 1]: random lattice, bilinear, smoothstep. */
function valueNoise(rng: Rng, W: number, H: number, cell: number): Float32Array {
  const gw = Math.ceil(W / cell) + 2,
    gh = Math.ceil(H / cell) + 2;
  const g = Float32Array.from({ length: gw * gh }, () => rng.next());
  const out = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    const fy = y / cell,
      iy = Math.floor(fy);
    let ty = fy - iy;
    ty = ty * ty * (3 - 2 * ty);
    for (let x = 0; x < W; x++) {
      const fx = x / cell,
        ix = Math.floor(fx);
      let tx = fx - ix;
      tx = tx * tx * (3 - 2 * tx);
      const a = g[iy * gw + ix],
        b = g[iy * gw + ix + 1],
        c = g[(iy + 1) * gw + ix],
        d = g[(iy + 1) * gw + ix + 1];
      out[y * W + x] = (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
    }
  }
  return out;
}

/** A [0, 1] pattern field of a random kind: gradient, value noise, stripes or checker. */
function patternField(rng: Rng, W: number, H: number): Float32Array {
  const kind = rng.int(0, 4);
  const a = rng.uniform(0, Math.PI),
    c = Math.cos(a),
    s = Math.sin(a);
  const out = new Float32Array(W * H);
  if (kind === 1) {
    const n1 = valueNoise(rng, W, H, rng.uniform(12, 64)),
      n2 = valueNoise(rng, W, H, rng.uniform(3, 10));
    for (let i = 0; i < out.length; i++) out[i] = 0.75 * n1[i] + 0.25 * n2[i];
    return out;
  }
  const period = rng.uniform(6, 48),
    phase = rng.uniform(0, 2 * Math.PI),
    hard = rng.next() < 0.5;
  const diag = Math.hypot(W, H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = x * c + y * s,
        q = -x * s + y * c;
      let t: number;
      if (kind === 0)
        t = ((p + diag) / (2 * diag)) * 2 - 0.5; // gradient
      else if (kind === 2) {
        t = 0.5 + 0.5 * Math.sin((2 * Math.PI * p) / period + phase);
        if (hard) t = t > 0.5 ? 1 : 0;
      } else t = (Math.floor(p / period) + Math.floor(q / period)) & 1;
      out[y * W + x] = Math.min(1, Math.max(0, t));
    }
  return out;
}

export function background(rng: Rng, W: number, H: number): Float32Array {
  const img = new Float32Array(W * H * 3);
  const layers = rng.next() < 0.6 ? 2 : 1;
  for (let l = 0; l < layers; l++) {
    const t = patternField(rng, W, H),
      c1 = randColor(rng),
      c2 = randColor(rng);
    const alpha = l === 0 ? 1 : rng.uniform(0.25, 0.5);
    for (let i = 0; i < W * H; i++)
      for (let k = 0; k < 3; k++) {
        const v = c1[k] + (c2[k] - c1[k]) * t[i];
        img[i * 3 + k] = img[i * 3 + k] * (1 - alpha) + v * alpha;
      }
  }
  return img;
}

/** Thick polyline (distance to segments <= width/2); calls set(pixelIndex) for covered in-image pixels. */
export function strokePolyline(pts: number[][], width: number, W: number, H: number, set: (i: number) => void): void {
  const r = width / 2;
  for (let s = 0; s + 1 < pts.length; s++) {
    const [ax, ay] = pts[s],
      [bx, by] = pts[s + 1];
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - r - 1)),
      x1 = Math.min(W - 1, Math.ceil(Math.max(ax, bx) + r + 1));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - r - 1)),
      y1 = Math.min(H - 1, Math.ceil(Math.max(ay, by) + r + 1));
    const dx = bx - ax,
      dy = by - ay,
      len2 = dx * dx + dy * dy || 1;
    for (let y = y0; y <= y1; y++)
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5 - ax,
          py = y + 0.5 - ay;
        const t = Math.min(1, Math.max(0, (px * dx + py * dy) / len2));
        const ex = px - t * dx,
          ey = py - t * dy;
        if (ex * ex + ey * ey <= r * r) set(y * W + x);
      }
  }
}

export function randomPolyline(rng: Rng, W: number, H: number): number[][] {
  const n = rng.int(2, 6),
    step = rng.uniform(15, 90);
  let x = rng.uniform(0, W),
    y = rng.uniform(0, H),
    a = rng.uniform(0, 2 * Math.PI);
  const pts = [[x, y]];
  for (let i = 1; i < n; i++) {
    a += rng.uniform(-1.2, 1.2);
    x += step * Math.cos(a);
    y += step * Math.sin(a);
    pts.push([x, y]);
  }
  return pts;
}

/** Irregular filled blob (jagged star-convex polygon): clutter that is not any class's shape. */
function paintBlob(rng: Rng, img: Float32Array, W: number, H: number): void {
  const n = rng.int(6, 11),
    R = rng.uniform(6, 40),
    cx = rng.uniform(0, W),
    cy = rng.uniform(0, H);
  const poly = Array.from({ length: n }, (_, k) => {
    const a = (2 * Math.PI * (k + rng.uniform(-0.3, 0.3))) / n,
      r = R * rng.uniform(0.35, 1);
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
  });
  const col = randColor(rng);
  for (let y = Math.max(0, Math.floor(cy - R)); y <= Math.min(H - 1, Math.ceil(cy + R)); y++) {
    for (let x = Math.max(0, Math.floor(cx - R)); x <= Math.min(W - 1, Math.ceil(cx + R)); x++) {
      let inside = false;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const [xi, yi] = poly[i],
          [xj, yj] = poly[j],
          v = y + 0.5,
          u = x + 0.5;
        if (yi > v !== yj > v && u < ((xj - xi) * (v - yi)) / (yj - yi) + xi) inside = !inside;
      }
      if (inside) for (let k = 0; k < 3; k++) img[(y * W + x) * 3 + k] = col[k];
    }
  }
}

export function clutter(rng: Rng, img: Float32Array, W: number, H: number): void {
  const blobs = rng.int(0, 5);
  for (let b = 0; b < blobs; b++) paintBlob(rng, img, W, H);
  const strokes = rng.int(2, 11);
  for (let s = 0; s < strokes; s++) {
    const col = randColor(rng);
    strokePolyline(randomPolyline(rng, W, H), rng.uniform(1, 4), W, H, (i) => {
      img[i * 3] = col[0];
      img[i * 3 + 1] = col[1];
      img[i * 3 + 2] = col[2];
    });
  }
}

// ---------------------------------------------------------------- objects
