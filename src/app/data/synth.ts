// The built-in synthetic dataset, written as a PASCAL VOC directory (Node): <outDir>/Annotations,
// JPEGImages (PNG or JPEG), ImageSets/Main/{train,val,trainval,test}.txt and classes.txt. Image i is
// rendered from its own generator derived from (seed, i), so the bytes depend only on the options.
import { Rng } from '../../util/random.js';
import { encodeImageSync } from './image-node.js';
import { writeFileMkdir } from './fs.js';
import { DEFAULT_SHAPE_CLASSES } from '../../data/shapes.js';
import { renderScene, type SceneOptions } from '../../data/synth-scene.js';
import { writeClassesFile, writeImageSet, writeVocAnnotation } from './voc.js';
import { join } from 'node:path';

export { renderScene } from '../../data/synth-scene.js';
export { DEFAULT_SHAPE_CLASSES } from '../../data/shapes.js';

export interface SynthOptions extends Omit<SceneOptions, 'withMasks' | 'plain'> {
  outDir: string;
  images: number;
  seed: number;
  /** Fraction of images in `test` (default 0.5, as VOC2007). */
  testFraction?: number;
  /** Fraction of images in `val`; the rest is `train` (default 0.25). trainval = train + val. */
  valFraction?: number;
  /** 'png' (default: lossless and 5x faster to encode than jpeg-js) or 'jpeg' at `quality`. */
  format?: 'jpeg' | 'png';
  quality?: number;
}

export interface SynthSummary {
  outDir: string;
  classes: string[];
  splits: Record<'train' | 'val' | 'trainval' | 'test', string[]>;
  /** Objects per class over all images, and how many of them are difficult. */
  objects: Record<string, number>;
  difficult: number;
}

/** The generator of image i (also what synthesize uses, so a scene can be re-rendered in memory). */
export function imageRng(seed: number, index: number): Rng {
  return new Rng(((seed >>> 0) ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
}

const imageId = (index: number) => String(index + 1).padStart(6, '0');

/** Deterministic split of ids into test / val / train (each sorted); both trainval and test non-empty from 2 images on. */
export function splitIds(ids: string[], seed: number, testFraction = 0.5, valFraction = 0.25): SynthSummary['splits'] {
  const order = new Rng((seed ^ 0x5eed5) >>> 0).shuffle(ids.slice());
  const n = ids.length;
  let nTest = Math.round(n * testFraction);
  if (n >= 2) nTest = Math.min(n - 1, Math.max(1, nTest));
  const nVal = Math.min(n - nTest, Math.round(n * valFraction));
  const test = order.slice(0, nTest).sort(),
    val = order.slice(nTest, nTest + nVal).sort(),
    train = order.slice(nTest + nVal).sort();
  return { train, val, trainval: [...train, ...val].sort(), test };
}

export function synthesize(opts: SynthOptions, onProgress?: (done: number, total: number) => void): SynthSummary {
  const { outDir, images, seed } = opts;
  if (!(images >= 1)) throw new Error('synthesize: images must be >= 1');
  const format = opts.format ?? 'png',
    ext = format === 'png' ? 'png' : 'jpg',
    quality = opts.quality ?? 90;
  const classes = [...(opts.classes ?? DEFAULT_SHAPE_CLASSES)];
  const objects: Record<string, number> = Object.fromEntries(classes.map((c) => [c, 0]));
  let difficult = 0;
  const ids: string[] = [];
  for (let i = 0; i < images; i++) {
    const id = imageId(i);
    const scene = renderScene(imageRng(seed, i), { ...opts, classes: opts.classes ?? DEFAULT_SHAPE_CLASSES });
    writeFileMkdir(join(outDir, 'JPEGImages', `${id}.${ext}`), encodeImageSync(scene.image, format, quality));
    writeVocAnnotation(
      outDir,
      {
        id,
        filename: `${id}.${ext}`,
        width: scene.image.width,
        height: scene.image.height,
        depth: 3,
        objects: scene.objects.map(({ name, box, difficult, truncated }) => ({ name, box, difficult, truncated })),
      },
      'synthetic',
    );
    for (const o of scene.objects) {
      objects[o.name]++;
      if (o.difficult) difficult++;
    }
    ids.push(id);
    onProgress?.(i + 1, images);
  }
  const splits = splitIds(ids, seed, opts.testFraction, opts.valFraction);
  for (const [name, list] of Object.entries(splits)) writeImageSet(outDir, name, list);
  writeClassesFile(outDir, classes);
  return { outDir, classes, splits, objects, difficult };
}
