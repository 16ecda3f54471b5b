// Detection of a split on two threads (Node): a worker thread with its own copy of the model (rebuilt
// from the model file's bytes) takes every other image and the main thread the rest; detections are
// merged in record order, so the results files are those one thread writes. Both threads run the
// same folded copy of the model. Synchronous like detectSplit: the main thread waits on a shared flag
// and reads the worker's messages with receiveMessageOnPort.
import '../backends/wasm/index.js';
import { MessageChannel, type MessagePort, isMainThread, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { RgbImage } from '../data/types.js';
import type { VocRecord } from '../data/voc.js';
import type { FastRcnnConfig, TestConfig } from './config.js';
import { type Detection, detect } from './detect.js';
import { type SplitDetections, addDetections, emptyDetections } from './evaluate.js';
import type { FastRCNN } from './model.js';
import { modelFromBytes, modelToBytes } from './modelFile.js';
import { spawnSelf } from './parallel.js';

const TASK = 'fastrcnn-detect';
const RUNNING = 0, DONE = 1, FAILED = 2;

interface Job { index: number; image: RgbImage; proposals: ArrayLike<number> }
interface Result { index: number; detections: Detection[]; net: number; post: number; proposals: number }
type Msg = { result: Result } | { done: true } | { error: string };

/** detectSplit on two threads; `warnings` and `onImage` as there (progress counts both threads). */
export function detectSplitTwoThreads(model: FastRCNN, cfg: FastRcnnConfig, records: VocRecord[], image: (r: VocRecord) => RgbImage | undefined,
  proposals: Map<string, ArrayLike<number>>, opts: { test?: TestConfig; warnings?: string[]; onImage?: (done: number, total: number) => void } = {}): SplitDetections {
  const test = opts.test ?? cfg.test;
  const bytes = modelToBytes(model, cfg);
  const copy = modelFromBytes(bytes).model;
  const results: (Result | null)[] = records.map(() => null);
  const mine: Job[] = [], theirs: Job[] = [];
  let done = 0;
  const tick = () => opts.onImage?.(++done, records.length);
  records.forEach((r, index) => {
    const img = image(r);
    if (!img) { opts.warnings?.push(`${r.id}: no image, skipped`); tick(); return; }
    const p = proposals.get(r.id);
    if (!p || p.length === 0) opts.warnings?.push(`${r.id}: no proposals, no detections`);
    (index % 2 ? theirs : mine).push({ index, image: img, proposals: p ?? [] });
  });
  const control = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = spawnSelf({ fastrcnnTask: TASK, bytes, test, jobs: theirs, control, port: port2 }, import.meta.url, [port2]);
  let failure: string | null = null, finished = false;
  const drain = () => {
    for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) {
      const msg = m.message as Msg;
      if ('result' in msg) { results[msg.result.index] = msg.result; tick(); }
      else if ('error' in msg) failure = msg.error;
      else finished = true;
    }
  };
  try {
    for (const j of mine) {
      const res = detect(copy, j.image, j.proposals, cfg, test);
      results[j.index] = { index: j.index, detections: res.detections, net: res.netSeconds, post: res.postSeconds, proposals: res.numProposals };
      tick();
      drain();
    }
    while (!finished && !failure) {
      Atomics.wait(control, 0, RUNNING, 100);
      drain();
      if (Atomics.load(control, 0) === FAILED) { drain(); failure ??= 'detection worker failed'; }
    }
    if (failure) throw new Error(`detection worker: ${failure}`);
  } finally {
    void worker.terminate();
    port1.close();
    copy.dispose();
  }
  const per = emptyDetections(model.classes);
  let net = 0, post = 0, props = 0, n = 0;
  records.forEach((r, i) => {
    const res = results[i];
    if (!res) return;
    addDetections(per, r.id, res.detections);
    net += res.net; post += res.post; props += res.proposals; n++;
  });
  return { classes: model.classes.slice(), perClass: per, images: n, netSeconds: n ? net / n : 0, postSeconds: n ? post / n : 0, proposalsPerImage: n ? props / n : 0 };
}

// Worker side: rebuild the model, detect its images, post each result, then raise the flag.
if (!isMainThread && workerData?.fastrcnnTask === TASK) {
  const d = workerData as { bytes: Uint8Array; test: TestConfig; jobs: Job[]; control: Int32Array; port: MessagePort };
  try {
    const { model, config } = modelFromBytes(d.bytes);
    for (const j of d.jobs) {
      const res = detect(model, j.image, j.proposals, config, d.test);
      d.port.postMessage({ result: { index: j.index, detections: res.detections, net: res.netSeconds, post: res.postSeconds, proposals: res.numProposals } } satisfies Msg);
    }
    d.port.postMessage({ done: true } satisfies Msg);
    Atomics.store(d.control, 0, DONE);
  } catch (e) {
    d.port.postMessage({ error: (e as Error).message } satisfies Msg);
    Atomics.store(d.control, 0, FAILED);
  }
  Atomics.notify(d.control, 0);
}
