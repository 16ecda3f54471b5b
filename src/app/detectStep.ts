// `fastrcnn detect` as a library call (Node): one image file, or several (a folder's PNG/JPEG files),
// each turned upright by its EXIF orientation, scaled down to maxSide before Selective Search and the
// network (as loadDetector does), its detections mapped back to the file's pixels, drawn on a copy of
// the picture and written as JSON.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { drawDetections } from '../data/draw.js';
import { jpegOrientation, orientImage } from '../data/image.js';
import type { RgbImage } from '../data/types.js';
import type { FastRcnnConfig } from '../detection/model/config.js';
import { type Detection, detect } from '../detection/model/detect.js';
import { boxInInput, fitToSide } from '../detection/model/detector.js';
import type { FastRCNN } from '../detection/model/fastRcnn.js';
import { DEFAULT_SS_OPTIONS, selectiveSearch } from '../proposals/selectiveSearch.js';
import { readBytes, writeImageFile } from './data/fs.js';
import { decodeImageSync } from './data/image-node.js';
import { atomicWrite, loadModel } from './files.js';
import { loadProposalsFile } from './pipeline.js';

export interface DetectStepOptions {
  model: string | { model: FastRCNN; config: FastRcnnConfig };
  image: string;
  /** Proposals JSON file (the proposal-file format, in the file's pixels); default: Selective Search. */
  proposals?: string;
  /** Picture with the boxes drawn (default ./<stem>.detections.png); JSON next to it (.json). */
  out?: string;
  json?: string;
  /** Only detections scoring at least this are drawn and listed (default 0.5). */
  threshold?: number;
  /** Images with a longer side are scaled down to this before proposals and the network (default 640; 0 = never). */
  maxSide?: number;
  test?: Partial<FastRcnnConfig['test']>;
}

export interface DetectStepResult {
  detections: Detection[];
  picture: string;
  json: string;
  numProposals: number;
  /** Width and height of the upright image, and the EXIF orientation applied (1 = none). */
  width: number;
  height: number;
  orientation: number;
  seconds: number;
}

/** The PNG/JPEG files a list of paths names: files as given, folders expanded (sorted). */
export function imageFiles(paths: string[]): string[] {
  return paths.flatMap((p) => {
    if (!existsSync(p)) throw new Error(`image not found: ${p}`);
    if (!statSync(p).isDirectory()) return [p];
    const files = readdirSync(p)
      .filter((f) => /\.(png|jpe?g)$/i.test(f))
      .sort()
      .map((f) => join(p, f));
    if (!files.length) throw new Error(`${p}: no .png, .jpg or .jpeg files in this folder`);
    return files;
  });
}

export function detectStep(o: DetectStepOptions): DetectStepResult {
  const t0 = performance.now();
  const { model, config } = typeof o.model === 'string' ? loadModel(o.model) : o.model;
  const cfg: FastRcnnConfig = { ...config, test: { ...config.test, ...(o.test ?? {}) } };
  if (!existsSync(o.image)) throw new Error(`image not found: ${o.image}`);
  let img: RgbImage, orientation: number;
  try {
    const bytes = readBytes(o.image);
    orientation = jpegOrientation(bytes);
    img = orientImage(decodeImageSync(bytes), orientation);
  } catch (e) {
    throw new Error(`${o.image}: cannot decode image (${(e as Error).message})`);
  }
  // A proposals file is in the file's pixels: the image is then used as it is.
  const maxSide = o.proposals ? 0 : (o.maxSide ?? 640);
  const { image: seen, scale } = maxSide > 0 ? fitToSide(img, maxSide) : { image: img, scale: 1 };
  const proposals = o.proposals ? loadProposalsFile(o.proposals) : selectiveSearch(seen, DEFAULT_SS_OPTIONS);
  const res = detect(model, seen, proposals, cfg);
  const thr = o.threshold ?? 0.5;
  const shown = res.detections.filter((d) => d.score >= thr).map((d) => ({ ...d, box: boxInInput(d.box, scale) }));
  const stem = basename(o.image, extname(o.image));
  const picture = o.out ?? `${stem}.detections.png`;
  const json = o.json ?? picture.replace(/\.(png|jpe?g)$/i, '') + '.json';
  const drawn = { ...img, data: img.data.slice() };
  drawDetections(
    drawn,
    shown.map((d) => ({ box: d.box, label: d.className, score: d.score, classIndex: d.classIndex - 1 })),
  );
  writeImageFile(picture, drawn);
  atomicWrite(
    json,
    JSON.stringify(
      {
        image: o.image,
        width: img.width,
        height: img.height,
        orientation,
        threshold: thr,
        proposals: res.numProposals,
        detections: shown.map((d) => ({ class: d.className, score: +d.score.toFixed(4), box: d.box.map((v) => +v.toFixed(1)) })),
      },
      null,
      1,
    ) + '\n',
  );
  return {
    detections: shown,
    picture,
    json,
    numProposals: res.numProposals,
    width: img.width,
    height: img.height,
    orientation,
    seconds: (performance.now() - t0) / 1000,
  };
}
