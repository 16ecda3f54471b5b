// Detection of a split on two threads (Node): a worker thread with its own copy of the model (rebuilt
// from the model file's bytes) takes every other image and the main thread the rest; detections are
// merged in record order, so the results files are those one thread writes. Both threads run the
// same folded copy of the model. Synchronous like detectSplit: the main thread waits on a shared flag
// and reads the worker's messages with receiveMessageOnPort.
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { type ImageResult, collectSplit, detectSplit, runImageJob, splitJobs } from '../../detection/testing/evaluate.js';
import { modelFromBytes, modelToBytes } from '../../detection/model/modelFile.js';
import { type DetectMsg as Msg, FLAG, TASKS, raise, spawnTask, workerTask } from './protocol.js';
import { ready } from '../../ready.js';
import { setThreads, threadInfo } from '../../backends/wasm/index.js';
import { kernelThreadsEach } from './kernelThreads.js';

/** The split detector for `workers` threads and `images` images: detectSplitTwoThreads from 2 and 2, else detectSplit. */
export function splitDetector(workers: number, images: number): typeof detectSplit {
  return workers >= 2 && images >= 2 ? detectSplitTwoThreads : detectSplit;
}

/** detectSplit on two threads, with its signature; `warnings` and `onImage` as there (progress counts both threads). */
const detectSplitTwoThreads: typeof detectSplit = (model, cfg, records, image, proposals, opts = {}) => {
  const test = opts.test ?? cfg.test;
  const { jobs, tick } = splitJobs(records, image, proposals, opts);
  const mine = jobs.filter((_, k) => k % 2 === 0),
    theirs = jobs.filter((_, k) => k % 2 === 1);
  const results: ImageResult[] = [];
  const bytes = modelToBytes(model, cfg);
  const copy = modelFromBytes(bytes).model;
  const control = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  // both threads detect at once: each gets half the kernel threads, at least one (restored below)
  const kernelThreads = kernelThreadsEach(2);
  const worker = spawnTask(TASKS.detect, { bytes, test, jobs: theirs, control, port: port2, kernelThreads }, import.meta.url, [port2]);
  const threadsBefore = threadInfo().requested;
  setThreads(kernelThreads);
  let failure: string | null = null,
    finished = false;
  const drain = () => {
    for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) {
      const msg = m.message as Msg;
      if ('result' in msg) {
        results[msg.index] = msg.result;
        tick();
      } else if ('error' in msg) failure = msg.error;
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
      Atomics.wait(control, 0, FLAG.idle, 100);
      drain();
      if (Atomics.load(control, 0) === FLAG.failed) {
        drain();
        failure ??= 'detection worker failed';
      }
    }
    if (failure) throw new Error(`detection worker: ${failure}`);
  } finally {
    setThreads(threadsBefore);
    void worker.terminate();
    port1.close();
    copy.dispose();
  }
  return collectSplit(model.classes, records, results);
};

// Worker side: rebuild the model, detect its images, post each result, then raise the flag.
const d = workerTask(TASKS.detect);
if (d) {
  ready();
  setThreads(d.kernelThreads); // beside the main thread's images
  try {
    const { model, config } = modelFromBytes(d.bytes);
    for (const j of d.jobs) d.port.postMessage({ index: j.index, result: runImageJob(model, config, d.test, j) } satisfies Msg);
    d.port.postMessage({ done: true } satisfies Msg);
    raise(d.control, FLAG.done);
  } catch (e) {
    d.port.postMessage({ error: (e as Error).message } satisfies Msg);
    raise(d.control, FLAG.failed);
  }
}
