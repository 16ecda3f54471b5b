// The one message protocol of the worker threads (Node). A worker is the module that spawns it (or
// the bundle that contains that module) loaded again with workerData.fastrcnnTask set to one of
// TASKS, so it works from the TypeScript sources (tsx) and from dist bundles; each worker module ends
// with `const d = workerTask(TASKS.x); if (d) ...`. What each task receives (workerData) and sends
// back (messages) is typed here; the threads that wait synchronously (gradients, detection) share an
// Int32Array flag in shared memory with the states of FLAG, raised with `raise`.
import { type Transferable, Worker, isMainThread, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { SelectiveSearchOptions } from '../../proposals/selectiveSearch.js';
import type { FastRcnnConfig, TestConfig } from '../../detection/model/config.js';
import type { ImageJob, ImageResult } from '../../detection/testing/evaluate.js';
import type { BatchPart } from '../../detection/training/batchParts.js';

export const TASKS = {
  proposals: 'fastrcnn-proposals',
  gradients: 'fastrcnn-gradients',
  detect: 'fastrcnn-detect',
  detector: 'fastrcnn-detector',
} as const;
type Task = (typeof TASKS)[keyof typeof TASKS];

/** control[0] of a shared flag: the main thread posts a job, the worker raises done or failed. */
export const FLAG = { idle: 0, posted: 1, done: 2, failed: 3 } as const;

/** Selective Search: the images of one worker; it writes <dir>/<id>.json and posts a ProposalsMsg per image, then exits. */
export interface ProposalsJob {
  id: string;
  imagePath: string;
}
interface ProposalsData {
  jobs: ProposalsJob[];
  dir: string;
  ss: SelectiveSearchOptions;
}
export interface ProposalsMsg {
  done?: string;
  error?: string;
}

/** Gradients: a model replica over shared weights, gradients and results buffers; one GradientsJob message per step. */
interface GradientsData {
  config: FastRcnnConfig;
  classes: string[];
  control: Int32Array;
  weights: Float32Array;
  grads: Float32Array;
  results: Float64Array;
  /** setThreads in the worker (the main thread uses the same count while the worker exists). */
  kernelThreads: number;
}
export interface GradientsJob {
  parts: BatchPart[];
  trainFrom: string;
  training: boolean;
  dropoutSeed: number;
  lambda: number;
}

/** Detection: the model file's bytes and every other image of the split; results come back on `port`. */
interface DetectData {
  bytes: Uint8Array;
  test: TestConfig;
  jobs: ImageJob[];
  control: Int32Array;
  port: MessagePort;
  /** setThreads in the worker (the main thread uses the same count meanwhile). */
  kernelThreads: number;
}
export type DetectMsg = { index: number; result: ImageResult } | { done: true } | { error: string };

interface TaskData {
  [TASKS.detector]: Record<string, never>;
  [TASKS.proposals]: ProposalsData;
  [TASKS.gradients]: GradientsData;
  [TASKS.detect]: DetectData;
}

/**
 * A worker running the module at `self` (pass `import.meta.url`) with `data` for `task`: the bundle
 * (.js) directly; from TypeScript sources (run with tsx, whose loader does not reach worker threads)
 * through tsx's API.
 */
export function spawnTask<T extends Task>(task: T, data: TaskData[T], self: string, transferList: Transferable[] = []): Worker {
  const wd = { fastrcnnTask: task, ...data };
  if (!self.endsWith('.ts')) return new Worker(new URL(self), { workerData: wd, transferList });
  const code = `import('tsx/esm/api').then((api) => api.tsImport(${JSON.stringify(self)}, ${JSON.stringify(self)}))`;
  return new Worker(code, { eval: true, workerData: wd, transferList });
}

/** In a worker started for `task`: its data; otherwise (the main thread, another task) undefined. */
export function workerTask<T extends Task>(task: T): TaskData[T] | undefined {
  return !isMainThread && workerData?.fastrcnnTask === task ? (workerData as TaskData[T]) : undefined;
}

/** Sets the shared flag and wakes the thread waiting on it. */
export function raise(control: Int32Array, state: number): void {
  Atomics.store(control, 0, state);
  Atomics.notify(control, 0);
}
