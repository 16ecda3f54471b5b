// loadDetector's `worker: true` side (issue 13): the detector lives in a Web Worker (a worker thread
// in Node) and this end only converts the input to something that can be posted, posts it and awaits
// the answer, so the calling thread never blocks on Selective Search or the network. The other end is
// serveDetector (detectorWorker.ts). In a browser the worker is the module that holds this code
// loaded again (the package's browser bundle, or the URL given as `worker`); in Node it is a worker
// thread that the Node entry registers (src/app/threads/detectorThread.ts), because decoding PNG/JPEG
// there needs the Node codecs.
import type { SelectiveSearchOptions } from '../../proposals/selectiveSearch.js';
import type { DetectOptions, Detector, DetectorInput, Prediction } from './detector.js';
// Imported for its value as much as for the name: the module that serves a browser worker must be
// part of the file this module's import.meta.url names.
import { DETECTOR_WORKER_NAME } from './detectorWorker.js';

/** The options of loadDetector that travel to the worker. */
export interface WorkerLoadOptions {
  backend?: string;
  proposals?: SelectiveSearchOptions;
  maxSide?: number;
}

/** What the detector's two ends say to each other. */
export type DetectorRequest =
  | { op: 'load'; bytes: Uint8Array; name: string; options: WorkerLoadOptions }
  | { op: 'detect'; id: number; input: unknown; options: DetectOptions };
export type DetectorReply =
  | { op: 'loaded'; classes: string[]; backend: string }
  | { op: 'result'; id: number; predictions: Prediction[] }
  | { op: 'error'; id?: number; message: string };

/** One end of the channel, the same shape over a Web Worker, a worker thread or their parent. */
export interface DetectorPort {
  post(msg: DetectorRequest | DetectorReply, transfer?: Transferable[]): void;
  listen(fn: (msg: DetectorRequest | DetectorReply) => void, onFailure: (message: string) => void): void;
  /** Whether work is pending (Node: a worker thread with nothing to do must not keep the process alive). */
  busy?(pending: boolean): void;
  close(): void;
}

let nodeSpawner: (() => DetectorPort) | null = null;
/** The Node entry registers how to start a detector thread (src/app/threads/detectorThread.ts). */
export function setDetectorThreadSpawner(spawn: () => DetectorPort): void {
  nodeSpawner = spawn;
}

const g = globalThis as any;

function spawn(worker: true | string | URL): DetectorPort {
  if (g.process?.versions?.node && typeof g.document === 'undefined') {
    if (!nodeSpawner) throw new Error("loadDetector: worker: true in Node needs the package's Node entry (import 'fastrcnn')");
    return nodeSpawner();
  }
  if (typeof g.Worker !== 'function') throw new Error('loadDetector: worker: true, but this runtime has no Worker');
  // The default is this module's own file: the package's browser bundle (an app that bundles the
  // library again passes the URL of fastrcnn's dist/browser/index.js, or of its own worker entry).
  const here: string | undefined = import.meta.url; // empty in a classic-script (IIFE) bundle
  if (worker === true && !here)
    throw new Error(
      "loadDetector: worker: true needs fastrcnn as an ES module (this build cannot name its own file); pass worker: the URL of fastrcnn's dist/browser/index.js",
    );
  const url = worker === true ? new URL(here as string) : worker;
  const w: Worker = new g.Worker(url, { type: 'module', name: DETECTOR_WORKER_NAME });
  return {
    post: (msg, transfer = []) => w.postMessage(msg, transfer),
    listen: (fn, onFailure) => {
      w.onmessage = (e) => fn(e.data);
      w.onerror = (e) => {
        e.preventDefault();
        onFailure(`the detector worker (${String(url)}) failed: ${e.message || 'its script did not load'}`);
      };
      w.onmessageerror = () => onFailure('the detector worker sent a message that could not be read');
    },
    close: () => w.terminate(),
  };
}

/** Pixels as a canvas 2D context returns them (ImageData, or anything with RGB/RGBA data of that shape). */
export interface RgbaPixels {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}
export function isPixels(x: unknown): x is RgbaPixels {
  const o = x as RgbaPixels;
  return (
    !!o &&
    typeof o.width === 'number' &&
    typeof o.height === 'number' &&
    (o.data instanceof Uint8Array || o.data instanceof Uint8ClampedArray)
  );
}

/**
 * The input as something a worker can receive, and what to transfer: copies of bytes and pixels (the
 * caller keeps its own), an ImageBitmap of any drawable source (an <img>, a <canvas>, a <video>'s
 * current frame), made off the calling thread by createImageBitmap.
 */
async function postable(input: DetectorInput): Promise<{ input: unknown; transfer: Transferable[] }> {
  if (input instanceof Uint8Array) {
    const copy = input.slice();
    return { input: copy, transfer: [copy.buffer] };
  }
  if (input instanceof ArrayBuffer) {
    const copy = new Uint8Array(input.slice(0));
    return { input: copy, transfer: [copy.buffer] };
  }
  if (isPixels(input)) {
    const data = new Uint8Array(input.data);
    return { input: { width: input.width, height: input.height, data }, transfer: [data.buffer] };
  }
  if (typeof g.createImageBitmap !== 'function') throw new Error('detect: pass PNG/JPEG bytes or pixels here (no createImageBitmap)');
  if (typeof g.ImageBitmap === 'function' && input instanceof g.ImageBitmap) return { input, transfer: [] }; // cloned, not taken
  let bitmap: ImageBitmap;
  try {
    bitmap = await g.createImageBitmap(input);
  } catch (e) {
    throw new Error(`detect: the image cannot be read (${(e as Error).message}); is it loaded, or a video without a frame yet?`);
  }
  return { input: bitmap, transfer: [bitmap] };
}

class WorkerDetector implements Detector {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (p: Prediction[]) => void; reject: (e: Error) => void }>();
  private failure: string | null = null;
  private disposed = false;

  constructor(
    private readonly port: DetectorPort,
    readonly classes: string[],
    readonly backend: string,
  ) {
    port.listen(
      (msg) => {
        const m = msg as DetectorReply;
        if (m.op !== 'result' && m.op !== 'error') return;
        const p = this.pending.get(m.id ?? -1);
        if (!p) return;
        this.pending.delete(m.id ?? -1);
        this.port.busy?.(this.pending.size > 0);
        if (m.op === 'result') p.resolve(m.predictions);
        else p.reject(new Error(m.message));
      },
      (message) => this.fail(message),
    );
  }

  private fail(message: string): void {
    this.failure = message;
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
    this.port.busy?.(false);
  }

  async detect(input: DetectorInput, options: DetectOptions = {}): Promise<Prediction[]> {
    if (this.disposed) throw new Error('Detector: disposed; load a new one');
    if (this.failure) throw new Error(this.failure);
    const { input: msg, transfer } = await postable(input);
    if (this.disposed) throw new Error('Detector: disposed while detecting');
    if (this.failure) throw new Error(this.failure);
    const id = this.nextId++;
    return new Promise<Prediction[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.port.busy?.(true);
      this.port.post({ op: 'detect', id, input: msg, options: { ...options } }, transfer);
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.fail('Detector: disposed while detecting');
    this.port.close();
  }
}

/** Starts a detector worker and loads the model there; resolves once it is ready. */
export async function openWorkerDetector(
  worker: true | string | URL,
  bytes: Uint8Array,
  name: string,
  options: WorkerLoadOptions,
): Promise<Detector> {
  const port = spawn(worker);
  port.busy?.(true);
  const ready = await new Promise<{ classes: string[]; backend: string }>((resolve, reject) => {
    port.listen(
      (msg) => {
        const m = msg as DetectorReply;
        if (m.op === 'loaded') resolve(m);
        else if (m.op === 'error') reject(new Error(m.message));
      },
      (message) => reject(new Error(`loadDetector: ${message}`)),
    );
    const copy = bytes.slice();
    port.post({ op: 'load', bytes: copy, name, options }, [copy.buffer]);
  }).catch((e) => {
    port.close();
    throw e;
  });
  port.busy?.(false);
  return new WorkerDetector(port, ready.classes, ready.backend);
}
