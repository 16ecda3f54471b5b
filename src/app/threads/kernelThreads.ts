// The kernel threads of the WASM backend in Node (src/backends/wasm/threads.ts): worker_threads
// started from source text (the thread's code is self-contained), so they need no module file and
// work alike from the TypeScript sources and from the bundles. Importing this module (the Node
// entries and the CLI do) registers them; idle threads are unref'd, so they never keep a process
// alive.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { threadInfo } from '../../backends/wasm/index.js';
import { setKernelThreadSpawner } from '../../backends/wasm/threads.js';

setKernelThreadSpawner({
  kind: 'worker_threads',
  cores: availableParallelism(),
  spawn(main, data) {
    const w = new Worker(`(${main})(require('node:worker_threads').workerData);`, {
      eval: true,
      workerData: data,
      name: `fastrcnn-kernels-${data.slot}`,
    });
    w.unref();
    w.on('error', (e) => console.error(`fastrcnn: kernel thread ${data.slot} failed: ${e.message}`));
  },
});

/**
 * Kernel threads for each of `parallel` threads that run at once (the gradient and detection
 * workers beside the main thread): the kernel-thread budget (setThreads, default the cores up to 4)
 * shared out, at least 1. Never more threads than that budget in all: on 2 cores 2 × 1, measured
 * faster than 2 × 2 (61 against 73 ms per training iteration, examples/bench/train-threads.ts).
 */
export function kernelThreadsEach(parallel: number): number {
  return Math.max(1, Math.floor(threadInfo().threads / parallel));
}
