// The worker's training data: synthetic scenes rendered here, or a PASCAL VOC folder the user picked
// (Annotations/*.xml, JPEGImages/*), split into training and validation records with decoded images,
// and the picture the trained model is tried on.
import {
  DEFAULT_SHAPE_CLASSES,
  type RgbImage,
  Rng,
  type VocRecord,
  decodeImage,
  parseVocXml,
  renderScene,
  sanitizeBoxes,
} from '../../../src/index.js';
import { holdOut } from '../../../src/detection/training/validation.js';
import type { DataSource, TestImage } from './protocol.js';

/** A problem with the user's data: the page shows its message, and no stack goes to the console. */
export class DataError extends Error {}

export interface Dataset {
  classes: string[];
  train: VocRecord[];
  val: VocRecord[];
  images: Map<string, RgbImage>;
  test: TestImage;
  /** 'shapes' for the synthetic scenes (their sizes are known), 'default' (sizes from the data) otherwise. */
  preset: 'shapes' | 'default';
  warnings: string[];
  summary: string;
}

/** A VOC folder gives at most this many images: each costs Selective Search and memory in the page. */
const MAX_VOC_IMAGES = 500;

/** The generator of scene i, as `fastrcnn synth --seed S` seeds its image i (src/app/data/synth.ts's imageRng). */
function sceneRng(seed: number, index: number): Rng {
  return new Rng(((seed >>> 0) ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
}

/** Validation scenes beside N training scenes: a quarter, at least 4, at most 50. */
const valScenes = (n: number) => Math.min(50, Math.max(4, Math.round(n / 4)));

const imageId = (i: number) => String(i + 1).padStart(6, '0');

/** Scenes 0..N-1 train, the next ones validate, the one after them is the test picture. */
function synthDataset(s: Extract<DataSource, { kind: 'synth' }>): Dataset {
  const V = valScenes(s.scenes);
  const images = new Map<string, RgbImage>();
  const classes = DEFAULT_SHAPE_CLASSES.slice();
  const records: VocRecord[] = [];
  for (let i = 0; i < s.scenes + V; i++) {
    const scene = renderScene(sceneRng(s.seed, i), { width: s.width, height: s.height, classes: DEFAULT_SHAPE_CLASSES });
    const id = imageId(i);
    images.set(id, scene.image);
    records.push({ id, filename: `${id}.png`, imagePath: id, width: s.width, height: s.height, depth: 3, objects: scene.objects });
  }
  const index = s.scenes + V;
  const test = renderScene(sceneRng(s.seed, index), { width: s.width, height: s.height, classes: DEFAULT_SHAPE_CLASSES });
  return {
    classes,
    train: records.slice(0, s.scenes),
    val: records.slice(s.scenes),
    images,
    test: {
      name: `scene ${imageId(index)} (seed ${s.seed})`,
      image: test.image,
      scene: { seed: s.seed, index, width: s.width, height: s.height, classes },
    },
    preset: 'shapes',
    warnings: [],
    summary: `${s.scenes} training and ${V} validation scenes of ${s.width}×${s.height} (seed ${s.seed}), classes ${classes.join(', ')}`,
  };
}

const IMAGE_EXT = /\.(jpe?g|png)$/i;

/**
 * The folder inside the picked files that holds Annotations/ (the picked folder itself, or one level
 * down, as when VOCdevkit/ is picked instead of VOC2007/).
 */
function vocRoot(paths: string[]): string | null {
  const roots = new Set<string>();
  for (const p of paths) {
    const m = /^((?:[^/]+\/){1,2})Annotations\/[^/]+\.xml$/i.exec(p);
    if (m) roots.add(m[1]);
  }
  return [...roots].sort((a, b) => a.length - b.length || a.localeCompare(b))[0] ?? null;
}

async function vocDataset(s: Extract<DataSource, { kind: 'voc' }>, seed: number, onProgress: (text: string) => void): Promise<Dataset> {
  const folder = s.files[0]?.path.split('/')[0] ?? '(empty)';
  if (!s.files.length) throw new DataError('The picked folder is empty: pick the folder holding Annotations/ and JPEGImages/.');
  const root = vocRoot(s.files.map((f) => f.path));
  if (!root)
    throw new DataError(
      `The folder ${folder} has no Annotations/ folder with .xml files: pick the root of a PASCAL VOC dataset ` +
        '(the folder holding Annotations/ and JPEGImages/, e.g. VOC2007).',
    );
  const byPath = new Map(s.files.map((f) => [f.path, f.file]));
  const xmls = s.files
    .filter((f) => f.path.startsWith(`${root}Annotations/`) && /\.xml$/i.test(f.path))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const jpegs = new Map<string, File>();
  for (const f of s.files) {
    const m = new RegExp(`^${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}JPEGImages/([^/]+)$`).exec(f.path);
    if (m && IMAGE_EXT.test(m[1])) jpegs.set(m[1].replace(IMAGE_EXT, ''), f.file);
  }
  if (!jpegs.size)
    throw new DataError(
      `${root}JPEGImages/ has no .jpg or .png images: a VOC folder keeps the pictures there, named like the annotations.`,
    );
  const warnings: string[] = [];
  const maxImages = Math.min(s.maxImages, MAX_VOC_IMAGES);
  if (xmls.length > maxImages)
    warnings.push(`${xmls.length} annotations: using the first ${maxImages} (the "images" field; at most ${MAX_VOC_IMAGES})`);
  const classesFile = byPath.get(`${root}classes.txt`);
  const listed = classesFile
    ? (await classesFile.text())
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
    : null;
  const records: VocRecord[] = [];
  const images = new Map<string, RgbImage>();
  const chosen = xmls.slice(0, maxImages);
  for (let k = 0; k < chosen.length; k++) {
    const id = chosen[k].path.slice(`${root}Annotations/`.length).replace(/\.xml$/i, '');
    if (k % 10 === 0) onProgress(`Reading ${root}: image ${k + 1} of ${chosen.length}…`);
    const jpeg = jpegs.get(id);
    if (!jpeg) {
      warnings.push(`${id}: no image in JPEGImages/, skipped`);
      continue;
    }
    try {
      const { annotation, warnings: w } = parseVocXml(await chosen[k].file.text(), id);
      const image = await decodeImage(new Uint8Array(await jpeg.arrayBuffer()));
      if (annotation.width && (annotation.width !== image.width || annotation.height !== image.height))
        w.push(
          `${id}: annotation says ${annotation.width}×${annotation.height}, the image is ${image.width}×${image.height}; using the image's`,
        );
      w.push(...sanitizeBoxes(annotation, image.width, image.height));
      if (listed) annotation.objects = annotation.objects.filter((o) => listed.includes(o.name));
      warnings.push(...w);
      images.set(id, image);
      records.push({ ...annotation, width: image.width, height: image.height, imagePath: `${root}JPEGImages/${jpeg.name}` });
    } catch (e) {
      warnings.push(`${id}: ${(e as Error).message}, skipped`);
    }
  }
  if (records.length < 3)
    throw new DataError(
      `${root}: only ${records.length} usable image(s) (${warnings.slice(0, 3).join('; ') || 'none found'}); training needs at least 3.`,
    );
  const classes = listed ?? [...new Set(records.flatMap((r) => r.objects.map((o) => o.name)))].sort();
  if (!classes.length) throw new DataError(`${root}: the annotations name no objects, so there is nothing to train.`);
  const { train, val } = holdOut(records, seed);
  return {
    classes,
    train,
    val,
    images,
    test: { name: `${val[0].id} (validation image)`, image: images.get(val[0].id)! },
    preset: 'default',
    warnings,
    summary: `${root}: ${train.length} training and ${val.length} validation images, classes ${classes.join(', ')}`,
  };
}

/** The dataset of a source (`seed` picks a VOC folder's validation part). */
export function loadDataset(source: DataSource, seed: number, onProgress: (text: string) => void): Promise<Dataset> {
  if (source.kind === 'synth') {
    onProgress(`Rendering ${source.scenes} scenes…`);
    return Promise.resolve(synthDataset(source));
  }
  return vocDataset(source, seed, onProgress);
}
