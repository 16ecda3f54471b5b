// The one-call detector for apps (issue 13), as TensorFlow.js's coco-ssd is used:
//   const detector = await loadDetector('model.safetensors'); const found = await detector.detect(img);
// It runs anywhere: a model from a URL, bytes, an ArrayBuffer or (in Node) a file path; an input that
// is an <img>, <canvas>, OffscreenCanvas, <video> frame, ImageBitmap, ImageData, an RgbImage or PNG/JPEG
// bytes. Large inputs are scaled down (maxSide) before Selective Search and detection, and the boxes
// come back in the input's pixels.
import { decodeImage, rgbaToRgb } from '../../data/image.js';
import { resizeBilinear } from '../../data/transforms.js';
import type { Box, RgbImage } from '../../data/types.js';
import { DEFAULT_SS_OPTIONS, type SelectiveSearchOptions, selectiveSearch } from '../../proposals/selectiveSearch.js';
import { engine } from '../../tensor/engine.js';
import type { FastRcnnConfig } from './config.js';
import { detectAsync } from './detect.js';
import { type RgbaPixels, isPixels, openWorkerDetector } from './detectorClient.js';
import type { FastRCNN } from './fastRcnn.js';
import { modelFromBytes } from './modelFile.js';

export interface LoadDetectorOptions {
  /** 'auto' (default: the engine's choice), 'wasm' or 'webgl'. */
  backend?: string;
  /** Selective Search settings (default DEFAULT_SS_OPTIONS: the paper's fast mode, mode 'paper', at most 2000 boxes). */
  proposals?: SelectiveSearchOptions;
  /** Inputs with a longer side are scaled down to this many pixels first (default 640). */
  maxSide?: number;
  /**
   * Run in a Web Worker (Node: a worker thread), so the calling thread never blocks. `true` starts
   * the package's own bundle as the worker; a URL names the script to start instead (an app that
   * bundles the library again: the URL of fastrcnn's dist/browser/index.js).
   */
  worker?: boolean | string | URL;
}

export interface DetectOptions {
  /** At most this many detections, best first (default 100). */
  maxDetections?: number;
  /** Drop detections scoring below this (default 0.5). */
  minScore?: number;
}

export interface Prediction {
  className: string;
  score: number;
  /** [x1, y1, x2, y2] in the input's pixels (0-based, x2/y2 inclusive, as the VOC boxes are). */
  box: Box;
  /** [x, y, width, height] in the input's pixels, as coco-ssd gives it. */
  bbox: [number, number, number, number];
}

export type DetectorInput = RgbImage | RgbaPixels | Uint8Array | ArrayBuffer | CanvasImageSource | ImageBitmap;

const g = globalThis as any;

/** Model bytes from a URL, a file path (Node), bytes or an ArrayBuffer. */
async function modelBytes(source: string | URL | Uint8Array | ArrayBuffer): Promise<{ bytes: Uint8Array; name: string }> {
  if (source instanceof Uint8Array) return { bytes: source, name: 'model bytes' };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), name: 'model bytes' };
  const name = String(source);
  // A string is a file path where there is a file system (Node) and no scheme; a URL elsewhere.
  const fs = g.process?.getBuiltinModule?.('fs');
  const isUrl = source instanceof URL || /^[a-z][a-z0-9+.-]*:\/\//i.test(name) || !fs;
  if (!isUrl) {
    if (!fs.existsSync(name)) throw new Error(`loadDetector: model file not found: ${name}`);
    return { bytes: new Uint8Array(fs.readFileSync(name)), name };
  }
  const res = await fetch(source);
  if (!res.ok) throw new Error(`loadDetector: ${name}: HTTP ${res.status} ${res.statusText}`);
  return { bytes: new Uint8Array(await res.arrayBuffer()), name };
}

/** A loaded model, ready to detect (loadDetector). */
export interface Detector {
  /** The model's object classes (without the background). */
  readonly classes: string[];
  /** The backend it runs on ('wasm' or 'webgl'). */
  readonly backend: string;
  /** The objects in one image, best first, with boxes in the input's pixels. */
  detect(input: DetectorInput, options?: DetectOptions): Promise<Prediction[]>;
  /** Frees the model (and ends its worker); detect() refuses afterwards. */
  dispose(): void;
}

/** A detector on the calling thread; on WebGL it reads results asynchronously. */
class InThreadDetector implements Detector {
  private disposed = false;

  constructor(
    private readonly model: FastRCNN,
    private readonly config: FastRcnnConfig,
    readonly backend: string,
    private readonly proposalOptions: SelectiveSearchOptions,
    private readonly maxSide: number,
  ) {}

  get classes(): string[] {
    return this.model.classes.slice();
  }

  /** The objects in one image, best first, with boxes in the input's pixels. */
  async detect(input: DetectorInput, options: DetectOptions = {}): Promise<Prediction[]> {
    if (this.disposed) throw new Error('Detector: disposed; load a new one');
    const maxDetections = options.maxDetections ?? 100,
      minScore = options.minScore ?? 0.5;
    if (!(Number.isInteger(maxDetections) && maxDetections >= 0))
      throw new Error(`detect: maxDetections must be an integer >= 0, got ${maxDetections}`);
    if (!(minScore >= 0 && minScore <= 1)) throw new Error(`detect: minScore must be in [0, 1], got ${minScore}`);
    const { image, scale } = await toRgb(input, this.maxSide);
    const previous = engine.backendName;
    if (previous !== this.backend) engine.setBackend(this.backend);
    try {
      const proposals = selectiveSearch(image, this.proposalOptions);
      const { detections } = await detectAsync(this.model, image, proposals, this.config);
      return detections
        .filter((d) => d.score >= minScore)
        .sort((a, b) => b.score - a.score)
        .slice(0, maxDetections)
        .map((d) => {
          const box = boxInInput(d.box, scale);
          return { className: d.className, score: d.score, box, bbox: [box[0], box[1], box[2] - box[0] + 1, box[3] - box[1] + 1] };
        });
    } finally {
      if (previous !== this.backend) engine.setBackend(previous);
    }
  }

  /** Frees the model's tensors; detect() refuses afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }
}

/** Loads a model file and returns a ready detector. */
export async function loadDetector(source: string | URL | Uint8Array | ArrayBuffer, options: LoadDetectorOptions = {}): Promise<Detector> {
  const maxSide = options.maxSide ?? 640;
  if (!(Number.isInteger(maxSide) && maxSide >= 32)) throw new Error(`loadDetector: maxSide must be an integer >= 32, got ${maxSide}`);
  const { bytes, name } = await modelBytes(source);
  if (options.worker) {
    const { backend, proposals } = options;
    return openWorkerDetector(options.worker === true ? true : options.worker, bytes, name, { backend, proposals, maxSide });
  }
  return detectorFromBytes(bytes, name, { ...options, maxSide });
}

/** A detector on this thread from a model file's bytes (`name` for messages). */
export function detectorFromBytes(bytes: Uint8Array, name: string, options: LoadDetectorOptions = {}): Detector {
  const backend = !options.backend || options.backend === 'auto' ? engine.backendName : options.backend;
  const previous = engine.backendName;
  engine.setBackend(backend); // throws a clear error for a backend this runtime lacks (no WebGL2, ...)
  try {
    const { model, config } = modelFromBytes(bytes, { source: name });
    return new InThreadDetector(model, config, backend, { ...DEFAULT_SS_OPTIONS, ...options.proposals }, options.maxSide ?? 640);
  } finally {
    engine.setBackend(previous);
  }
}

/** Any supported input as RGB pixels, scaled so the longer side is at most maxSide; scale = input px per pixel. */
async function toRgb(input: DetectorInput, maxSide: number): Promise<{ image: RgbImage; scale: number }> {
  let image: RgbImage;
  if (input instanceof Uint8Array || input instanceof ArrayBuffer)
    image = await decodeImage(input instanceof ArrayBuffer ? new Uint8Array(input) : input);
  else if (isPixels(input)) {
    const n = input.width * input.height;
    if (input.data.length === 3 * n) image = { width: input.width, height: input.height, data: Uint8Array.from(input.data) };
    else if (input.data.length === 4 * n) image = rgbaToRgb(input.data, input.width, input.height);
    else
      throw new Error(
        `detect: pixels of ${input.width}x${input.height} need ${3 * n} (RGB) or ${4 * n} (RGBA) values, got ${input.data.length}`,
      );
  } else return drawn(input as CanvasImageSource, maxSide);
  return fitToSide(image, maxSide);
}

/** The image scaled down (bilinear) so its longer side is at most maxSide; scale = input pixels per pixel. */
export function fitToSide(image: RgbImage, maxSide: number): { image: RgbImage; scale: number } {
  const long = Math.max(image.width, image.height);
  if (long <= maxSide) return { image, scale: 1 };
  const s = maxSide / long;
  const w = Math.max(1, Math.round(image.width * s)),
    h = Math.max(1, Math.round(image.height * s));
  return { image: resizeBilinear(image, w, h), scale: image.width / w };
}

/** A pixel-inclusive box found on the scaled image, in the input's pixels. */
export function boxInInput([x1, y1, x2, y2]: Box, scale: number): Box {
  return scale === 1 ? [x1, y1, x2, y2] : [x1 * scale, y1 * scale, (x2 + 1) * scale - 1, (y2 + 1) * scale - 1];
}

/** A browser image source drawn (scaled down if needed) into a canvas and read back. */
function drawn(src: CanvasImageSource, maxSide: number): { image: RgbImage; scale: number } {
  const s = src as any;
  const w0 = s.videoWidth || s.naturalWidth || s.displayWidth || s.width,
    h0 = s.videoHeight || s.naturalHeight || s.displayHeight || s.height;
  if (!(w0 > 0 && h0 > 0)) throw new Error('detect: the image has no size yet (not loaded, or a video without a frame)');
  const k = Math.min(1, maxSide / Math.max(w0, h0));
  const w = Math.max(1, Math.round(w0 * k)),
    h = Math.max(1, Math.round(h0 * k));
  if (typeof g.OffscreenCanvas !== 'function')
    throw new Error('detect: this runtime cannot draw images (no OffscreenCanvas); pass pixels or PNG/JPEG bytes');
  const ctx = new g.OffscreenCanvas(w, h).getContext('2d', { willReadFrequently: true });
  ctx.drawImage(src, 0, 0, w, h);
  return { image: rgbaToRgb(ctx.getImageData(0, 0, w, h).data, w, h), scale: w0 / w };
}
