// Detection of a split on two threads (Node): a worker thread with its own copy of the model (rebuilt
// from the model file's bytes) takes every other image and the main thread the rest; detections are
// merged in record order, so the results files are those one thread writes. Both threads run the
// same folded copy of the model. Synchronous like detectSplit: the main thread waits on a shared flag
// and reads the worker's messages with receiveMessageOnPort.
import { MessageChannel, type MessagePort, isMainThread, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { RgbImage } from '../data/types.js';
import type { VocRecord } from '../data/voc.js';
import type { FastRcnnConfig, TestConfig } from './config.js';
import { type ImageJob, type ImageResult, type SplitDetections, collectSplit, imageJobs, runImageJob } from './evaluate.js';
import type { FastRCNN } from './model.js';
import { modelFromBytes, modelToBytes } from './modelFile.js';
import { spawnSelf } from './parallel.js';
import { ready } from '../ready.js';

const TASK = 'fastrcnn-detect';
const RUNNING = 0, DONE = 1, FAILED = 2;

type Msg = { index: number; result: ImageResult } | { done: true } | { error: string };

/** detectSplit on two threads; `warnings` and `onImage` as there (progress counts both threads). */
export function detectSplitTwoThreads(model: FastRCNN, cfg: FastRcnnConfig, records: VocRecord[], image: (r: VocRecord) => RgbImage | undefined,
  proposals: Map<string, ArrayLike<number>>, opts: { test?: TestConfig; warnings?: string[]; onImage?: (done: number, total: number) => void } = {}): SplitDetections {
  const test = opts.test ?? cfg.test;
  const jobs = imageJobs(records, image, proposals, opts.warnings);
  const mine = jobs.filter((_, k) => k % 2 === 0), theirs = jobs.filter((_, k) => k % 2 === 1);
  const results: ImageResult[] = [];
  let done = records.length - jobs.length; // skipped ones count as done
  const tick = () => opts.onImage?.(++done, records.length);
  if (done) opts.onImage?.(done, records.length);
  const bytes = modelToBytes(model, cfg);
  const copy = modelFromBytes(bytes).model;
  const control = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = spawnSelf({ fastrcnnTask: TASK, bytes, test, jobs: theirs, control, port: port2 }, import.meta.url, [port2]);
  let failure: string | null = null, finished = false;
  const drain = () => {
    for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) {
      const msg = m.message as Msg;
      if ('result' in msg) { results[msg.index] = msg.result; tick(); }
      else if ('error' in msg) failure = msg.error;
      else finished = true;
    }
  };
  try {
    for (const j of mine) {
      results[j.index] = runImageJob(copy, cfg, test, j);
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
  return collectSplit(model.classes, records, results);
}

// Worker side: rebuild the model, detect its images, post each result, then raise the flag.
if (!isMainThread && workerData?.fastrcnnTask === TASK) {
  ready();
  const d = workerData as { bytes: Uint8Array; test: TestConfig; jobs: ImageJob[]; control: Int32Array; port: MessagePort };
  try {
    const { model, config } = modelFromBytes(d.bytes);
    for (const j of d.jobs) d.port.postMessage({ index: j.index, result: runImageJob(model, config, d.test, j) } satisfies Msg);
    d.port.postMessage({ done: true } satisfies Msg);
    Atomics.store(d.control, 0, DONE);
  } catch (e) {
    d.port.postMessage({ error: (e as Error).message } satisfies Msg);
    Atomics.store(d.control, 0, FAILED);
  }
  Atomics.notify(d.control, 0);
}
