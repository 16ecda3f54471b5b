// Oracles for the Selective Search kernels (assembly/ss_*.ts), written from the paper's definitions
// with plain loops: colour conversions in float64, region statistics and 8-connected adjacency by
// brute force, histograms, texture bins in float64, and the hierarchical grouping as a naive search
// over all neighbouring pairs at every step (no heap, no lazy deletion). The grouping rounds every
// operation to float32 (Math.fround) in the order the kernel specifies — four-lane partial sums for
// histogram intersection — so merge order can be compared exactly.
const f = Math.fround;

export function hsvRef(r: number, g: number, b: number): [number, number, number] {
  const mx = Math.max(r, g, b),
    mn = Math.min(r, g, b),
    d = mx - mn;
  let h = 0;
  if (d > 0) {
    if (mx === r) h = (g - b) / d;
    else if (mx === g) h = 2 + (b - r) / d;
    else h = 4 + (r - g) / d;
    if (h < 0) h += 6;
  }
  return [(h * 255) / 6, mx > 0 ? (d * 255) / mx : 0, mx];
}

export function labRef(r: number, g: number, b: number): [number, number, number] {
  const lin = (v: number) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const R = lin(r),
    G = lin(g),
    B = lin(b);
  const X = (0.412453 * R + 0.35758 * G + 0.180423 * B) / 0.950456;
  const Y = 0.212671 * R + 0.71516 * G + 0.072169 * B;
  const Z = (0.019334 * R + 0.119193 * G + 0.950227 * B) / 1.088754;
  const fn = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const L = Y > 0.008856 ? 116 * fn(Y) - 16 : 903.3 * Y;
  return [(L * 255) / 100, 500 * (fn(X) - fn(Y)) + 128, 200 * (fn(Y) - fn(Z)) + 128];
}

export function regionStatsRef(labels: ArrayLike<number>, w: number, h: number, R: number) {
  const sizes = new Int32Array(R),
    boxes = new Int32Array(4 * R);
  for (let r = 0; r < R; r++) boxes.set([w, h, -1, -1], 4 * r);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const l = labels[y * w + x];
      sizes[l]++;
      boxes[4 * l] = Math.min(boxes[4 * l], x);
      boxes[4 * l + 1] = Math.min(boxes[4 * l + 1], y);
      boxes[4 * l + 2] = Math.max(boxes[4 * l + 2], x);
      boxes[4 * l + 3] = Math.max(boxes[4 * l + 3], y);
    }
  return { sizes, boxes };
}

/** Distinct neighbouring label pairs (8-connectivity), as "lo,hi" strings. */
export function adjacencyRef(labels: ArrayLike<number>, w: number, h: number): Set<string> {
  const out = new Set<string>();
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx,
            yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const a = labels[y * w + x],
            b = labels[yy * w + xx];
          if (a !== b) out.add(`${Math.min(a, b)},${Math.max(a, b)}`);
        }
    }
  return out;
}

/** 25-bin colour histograms, rows of 76 (75 + a zero), each row divided by 3·size in float32. */
export function colorHistRef(img: ArrayLike<number>, labels: ArrayLike<number>, R: number, sizes: ArrayLike<number>): Float32Array {
  const hist = new Float32Array(76 * R);
  for (let i = 0; i < labels.length; i++) {
    for (let c = 0; c < 3; c++) hist[76 * labels[i] + 25 * c + Math.floor((img[3 * i + c] * 25) / 256)]++;
  }
  for (let r = 0; r < R; r++) for (let j = 0; j < 75; j++) hist[76 * r + j] = f(hist[76 * r + j] / f(3 * sizes[r]));
  return hist;
}

/**
 * Texture bins per pixel in float64: Gaussian (sigma 1, |x| <= 4) derivative responses gx, gy per
 * channel, directional derivatives at 0/45/90/135 degrees, positive and negative parts, each scaled
 * by 10 / its image maximum and truncated to 0..9. Layout p*24 + c*8 + 2*dir + neg.
 */
export function textureBinsRef(img: ArrayLike<number>, w: number, h: number): Uint8Array {
  const n = w * h;
  const g: number[] = [],
    d: number[] = [];
  let gs = 0,
    ds = 0;
  for (let i = 0; i <= 4; i++) {
    const e = Math.exp(-0.5 * i * i);
    g.push(e);
    d.push(i * e);
    gs += i ? 2 * e : e;
    ds += 2 * i * i * e;
  }
  const G = (i: number) => g[Math.abs(i)] / gs;
  const D = (i: number) => (Math.sign(i) * d[Math.abs(i)]) / ds;
  const bins = new Uint8Array(24 * n);
  for (let c = 0; c < 3; c++) {
    const at = (x: number, y: number) => img[3 * (Math.min(Math.max(y, 0), h - 1) * w + Math.min(Math.max(x, 0), w - 1)) + c];
    const conv = (kx: (i: number) => number, ky: (i: number) => number) => {
      const tmp = new Float64Array(n),
        out = new Float64Array(n);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          let s = 0;
          for (let i = -4; i <= 4; i++) s += kx(i) * at(x + i, y);
          tmp[y * w + x] = s;
        }
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          let s = 0;
          for (let i = -4; i <= 4; i++) s += ky(i) * tmp[Math.min(Math.max(y + i, 0), h - 1) * w + x];
          out[y * w + x] = s;
        }
      return out;
    };
    const gx = conv(D, G),
      gy = conv(G, D);
    const resp = (p: number): number[] => {
      const a = gx[p],
        b = gy[p],
        d45 = (a + b) * Math.SQRT1_2,
        d135 = (b - a) * Math.SQRT1_2;
      return [a, -a, d45, -d45, b, -b, d135, -d135];
    };
    const mx = new Array(8).fill(0);
    for (let p = 0; p < n; p++)
      resp(p).forEach((v, o) => {
        if (v > mx[o]) mx[o] = v;
      });
    for (let p = 0; p < n; p++)
      resp(p).forEach((v, o) => {
        bins[24 * p + 8 * c + o] = v > 0 && mx[o] > 0 ? Math.min(9, Math.floor((v * 10) / mx[o])) : 0;
      });
  }
  return bins;
}

export function textureHistRef(bins: ArrayLike<number>, labels: ArrayLike<number>, R: number, sizes: ArrayLike<number>): Float32Array {
  const hist = new Float32Array(240 * R);
  for (let i = 0; i < labels.length; i++) for (let j = 0; j < 24; j++) hist[240 * labels[i] + 10 * j + bins[24 * i + j]]++;
  for (let r = 0; r < R; r++) for (let j = 0; j < 240; j++) hist[240 * r + j] = f(hist[240 * r + j] / f(24 * sizes[r]));
  return hist;
}

export interface GroupInput {
  R: number;
  pairs: [number, number][];
  sizes: ArrayLike<number>;
  boxes: ArrayLike<number>;
  colour: Float32Array | null; // rows of 76
  texture: Float32Array | null; // rows of 240
  flags: number; // 1 colour, 2 texture, 4 size, 8 fill
  area: number;
}

function intersect(h: Float32Array, stride: number, a: number, b: number): number {
  const acc = [0, 0, 0, 0];
  for (let k = 0; k < stride; k++) acc[k & 3] = f(acc[k & 3] + Math.min(h[stride * a + k], h[stride * b + k]));
  return f(f(acc[0] + acc[1]) + f(acc[2] + acc[3]));
}

/** Naive greedy grouping; returns the boxes of all regions in creation order (segments, then merges). */
export function groupRef(inp: GroupInput): Int32Array {
  const { R, flags } = inp;
  const area = f(inp.area);
  const sizes = Array.from(inp.sizes).slice(0, R);
  const boxes: number[][] = [];
  for (let r = 0; r < R; r++) boxes.push(Array.from(inp.boxes).slice(4 * r, 4 * r + 4));
  const colour: number[][] = [],
    texture: number[][] = [];
  for (let r = 0; r < R; r++) {
    if (inp.colour) colour.push(Array.from(inp.colour.subarray(76 * r, 76 * r + 76)));
    if (inp.texture) texture.push(Array.from(inp.texture.subarray(240 * r, 240 * r + 240)));
  }
  const nbrs: Set<number>[] = Array.from({ length: R }, () => new Set<number>());
  for (const [a, b] of inp.pairs) {
    nbrs[a].add(b);
    nbrs[b].add(a);
  }
  const alive = new Set<number>(Array.from({ length: R }, (_, i) => i));
  const sim = (a: number, b: number): number => {
    let s = 0;
    if (flags & 1) s = f(s + intersect(Float32Array.from([...colour[a], ...colour[b]]), 76, 0, 1));
    if (flags & 2) s = f(s + intersect(Float32Array.from([...texture[a], ...texture[b]]), 240, 0, 1));
    if (flags & 4) s = f(s + f(1 - f(f(sizes[a] + sizes[b]) / area)));
    if (flags & 8) {
      const x1 = Math.min(boxes[a][0], boxes[b][0]),
        y1 = Math.min(boxes[a][1], boxes[b][1]);
      const x2 = Math.max(boxes[a][2], boxes[b][2]),
        y2 = Math.max(boxes[a][3], boxes[b][3]);
      s = f(s + f(1 - f(f((x2 - x1 + 1) * (y2 - y1 + 1) - sizes[a] - sizes[b]) / area)));
    }
    return s;
  };
  const simCache = new Map<string, number>();
  const key = (hi: number, lo: number) => `${hi},${lo}`;
  for (;;) {
    let best: [number, number, number] | null = null; // sim, hi, lo
    for (const a of alive)
      for (const b of nbrs[a]) {
        if (b >= a) continue;
        let s = simCache.get(key(a, b));
        if (s === undefined) {
          s = sim(a, b);
          simCache.set(key(a, b), s);
        }
        if (!best || s > best[0] || (s === best[0] && (a < best[1] || (a === best[1] && b < best[2])))) best = [s, a, b];
      }
    if (!best) break;
    const [, a, b] = best;
    const t = sizes.length;
    const fa = f(sizes[a]),
      fb = f(sizes[b]),
      inv = f(1 / f(fa + fb));
    const mergeRows = (rows: number[][]) => rows.push(rows[a].map((v, k) => f(f(f(v * fa) + f(rows[b][k] * fb)) * inv)));
    if (flags & 1) mergeRows(colour);
    else colour.push([]);
    if (flags & 2) mergeRows(texture);
    else texture.push([]);
    sizes.push(sizes[a] + sizes[b]);
    boxes.push([
      Math.min(boxes[a][0], boxes[b][0]),
      Math.min(boxes[a][1], boxes[b][1]),
      Math.max(boxes[a][2], boxes[b][2]),
      Math.max(boxes[a][3], boxes[b][3]),
    ]);
    const nt = new Set<number>([...nbrs[a], ...nbrs[b]]);
    nt.delete(a);
    nt.delete(b);
    nbrs.push(nt);
    for (const x of nt) {
      nbrs[x].delete(a);
      nbrs[x].delete(b);
      nbrs[x].add(t);
    }
    alive.delete(a);
    alive.delete(b);
    alive.add(t);
  }
  return Int32Array.from(boxes.flat());
}
