// Data-parallel gradients on a second thread: the worker keeps a replica of the model, reads the
// current weights from shared memory, computes the gradients of its parts of the mini-batch and
// writes them back to shared memory. The training loop stays synchronous: it posts the job, computes
// its own parts, then waits on an Atomics flag (no event loop needed). Deterministic: the same
// parts, weights and dropout seed give the same bytes.
import { parentPort, type Worker } from 'node:worker_threads';
import type { FastRcnnConfig } from '../../detection/model/config.js';
import { type BatchPart, type PartResult, partGradients } from '../../detection/training/batchParts.js';
import { type FastRCNN, createModel } from '../../detection/model/fastRcnn.js';
import { FLAG, type GradientsJob as Job, TASKS, raise, spawnTask, workerTask } from './protocol.js';
import { ready } from '../../ready.js';
import { engine } from '../../tensor/engine.js';
import type { Tensor } from '../../tensor/tensor.js';
import { accumulateGrad } from '../../autograd/tape.js';
import { setThreads, threadInfo } from '../../backends/wasm/index.js';
import { kernelThreadsEach } from './kernelThreads.js';

/** Element offsets of each parameter in the flat shared buffers (model.namedParameters() order). */
function layout(model: FastRCNN): { name: string; offset: number; size: number }[] {
  let off = 0;
  return model.namedParameters().map((p) => {
    const o = { name: p.name, offset: off, size: p.tensor.size };
    off += p.tensor.size;
    return o;
  });
}

/** A tensor's values into out[offset..], without the intermediate array dataSync makes where the backend allows. */
function copyInto(t: Tensor, out: Float32Array, offset: number): void {
  if (t.backend.readInto) t.backend.readInto(t.dataId, out, offset);
  else out.set(t.dataSync() as Float32Array, offset);
}

let kernelThreadsOverride: number | null = null;
/**
 * Kernel threads of each of the two gradient threads (null: the budget shared out, see the
 * constructor). For measurements (examples/bench/train-threads.ts); applies to workers made afterwards.
 */
export function setGradientKernelThreads(n: number | null): void {
  kernelThreadsOverride = n;
}

export class GradientWorker {
  private worker: Worker;
  private control: Int32Array;
  private weights: Float32Array;
  private grads: Float32Array;
  /** Per part: lossSum, lossClsSum, lossLocSum, numRois, nScores, then the scores and numRois labels. */
  private results: Float64Array;
  private readonly slots: ReturnType<typeof layout>;
  private pending = false;
  private readonly threadsBefore: number | null;

  constructor(
    private readonly model: FastRCNN,
    cfg: FastRcnnConfig,
    maxScores = 1 << 16,
  ) {
    this.slots = layout(model);
    // The two threads compute their parts at once: each gets half the kernel threads (at least one;
    // on 2 cores one each), so they never compete for the same cores. dispose() restores the count.
    const kernelThreads = kernelThreadsOverride ?? kernelThreadsEach(2);
    const n = this.slots.reduce((a, s) => a + s.size, 0);
    this.control = new Int32Array(new SharedArrayBuffer(8));
    this.weights = new Float32Array(new SharedArrayBuffer(4 * n));
    this.grads = new Float32Array(new SharedArrayBuffer(4 * n));
    this.results = new Float64Array(new SharedArrayBuffer(8 * (4 + maxScores)));
    this.worker = spawnTask(
      TASKS.gradients,
      {
        config: cfg,
        classes: model.classes,
        control: this.control,
        weights: this.weights,
        grads: this.grads,
        results: this.results,
        kernelThreads,
      },
      import.meta.url,
    );
    this.worker.unref();
    this.threadsBefore = threadInfo().requested;
    setThreads(kernelThreads);
  }

  /** Sends the parts; the worker starts at once from the current weights. */
  start(parts: BatchPart[], job: Omit<Job, 'parts'>): void {
    for (const p of this.model.namedParameters()) {
      const s = this.slots.find((x) => x.name === p.name)!;
      copyInto(p.tensor, this.weights, s.offset);
    }
    Atomics.store(this.control, 0, FLAG.posted);
    this.worker.postMessage({ ...job, parts });
    this.pending = true;
  }

  /** Waits for the job; adds the worker's gradient sums into the main model's .grad. */
  finish(): PartResult[] {
    if (!this.pending) throw new Error('GradientWorker: no job');
    this.pending = false;
    while (true) {
      const v = Atomics.load(this.control, 0);
      if (v === FLAG.done || v === FLAG.failed) break;
      Atomics.wait(this.control, 0, v, 60_000);
    }
    if (Atomics.load(this.control, 0) === FLAG.failed) throw new Error('gradient worker failed (see its error above)');
    const count = this.results[0];
    const out: PartResult[] = [];
    let at = 1;
    for (let i = 0; i < count; i++) {
      const [lossSum, lossClsSum, lossLocSum, numRois, nScores] = this.results.subarray(at, at + 5);
      const scores = Float32Array.from(this.results.subarray(at + 5, at + 5 + nScores));
      const labels = Int32Array.from(this.results.subarray(at + 5 + nScores, at + 5 + nScores + numRois));
      out.push({ lossSum, lossClsSum, lossLocSum, numRois, scores, labels });
      at += 5 + nScores + numRois;
    }
    engine.noGrad(() => {
      for (const p of this.model.namedParameters()) {
        if (!p.tensor.requiresGrad) continue;
        const s = this.slots.find((x) => x.name === p.name)!;
        accumulateGrad(p.tensor, engine.makeTensor(this.grads.subarray(s.offset, s.offset + s.size), p.tensor.shape, 'float32'));
      }
    });
    Atomics.store(this.control, 0, FLAG.idle);
    return out;
  }

  dispose(): void {
    setThreads(this.threadsBefore);
    void this.worker.terminate();
  }
}

// Worker side: a model replica; each job = weights in, parts' gradient sums out.
const d = workerTask(TASKS.gradients);
if (d) {
  ready();
  setThreads(d.kernelThreads); // beside the main thread's parts (see the constructor)
  const model = createModel(d.config, d.classes);
  const slots = layout(model);
  parentPort!.on('message', (job: Job) => {
    try {
      model.setTrainFrom(job.trainFrom);
      model.train(job.training);
      model.dropoutRng.setState([job.dropoutSeed >>> 0, 0x9e3779b9, 0x243f6a88, 0xb7e15162]);
      engine.noGrad(() => {
        for (const p of model.namedParameters()) {
          const s = slots.find((x) => x.name === p.name)!;
          const t = engine.makeTensor(d.weights.subarray(s.offset, s.offset + s.size), p.tensor.shape, 'float32');
          p.tensor.assign(t);
          t.dispose();
        }
      });
      model.zeroGrad();
      const res = job.parts.map((part) => partGradients(model, part, job.lambda));
      d.grads.fill(0);
      for (const p of model.namedParameters()) {
        const s = slots.find((x) => x.name === p.name)!;
        if (p.tensor.grad) copyInto(p.tensor.grad, d.grads, s.offset);
      }
      model.zeroGrad();
      d.results[0] = res.length;
      let at = 1;
      for (const r of res) {
        d.results.set([r.lossSum, r.lossClsSum, r.lossLocSum, r.numRois, r.scores.length], at);
        d.results.set(r.scores, at + 5);
        d.results.set(r.labels, at + 5 + r.scores.length);
        at += 5 + r.scores.length + r.numRois;
      }
      raise(d.control, FLAG.done);
    } catch (e) {
      console.error('gradient worker:', e);
      raise(d.control, FLAG.failed);
    }
  });
}
