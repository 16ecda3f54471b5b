// The messages between the page (main.ts) and the training worker (worker.ts). The worker does all the
// computing; the page only draws what these messages carry.
import type { ApTable, Detection, IterationLog, RgbImage } from '../../../src/index.js';

/** Where the training images come from. */
export type DataSource =
  | { kind: 'synth'; scenes: number; seed: number; width: number; height: number }
  /** The files of a picked folder, each with its path (webkitRelativePath); at most maxImages are used. */
  | { kind: 'voc'; files: { path: string; file: File }[]; maxImages: number };

export interface TrainOptions {
  source: DataSource;
  /** 'auto' (WebGL on a hardware GPU, else WASM), 'webgl' or 'wasm'. */
  backend: string;
  /** Fast R-CNN iterations and crop pre-training steps before them. */
  iterations: number;
  pretrain: number;
  seed: number;
}

/** The picture the trained model is tried on; `scene` says how Node can render the same pixels again. */
export interface TestImage {
  name: string;
  image: RgbImage;
  scene?: { seed: number; index: number; width: number; height: number; classes: string[] };
}

export type ToWorker = { type: 'start'; options: TrainOptions } | { type: 'stop' };

export type FromWorker =
  | { type: 'backend'; name: string; note: string }
  | { type: 'stage'; text: string }
  | { type: 'data'; summary: string; warnings: string[] }
  | { type: 'logs'; logs: IterationLog[]; total: number }
  | { type: 'validation'; iteration: number; table: ApTable }
  | { type: 'model'; bytes: Uint8Array; seconds: number }
  | { type: 'detections'; test: TestImage; detections: Detection[] }
  | { type: 'error'; message: string };
