// Bundled by test/browser/run.mjs as /bundle/isolated.js and loaded in a page served with the
// COOP/COEP headers (cross-origin isolated): the module on a shared memory, kernel threads as
// Web Workers, and a main thread that may not Atomics.wait (it spins). Matmul, the convolutions and
// RoI pooling at 2 and 3 threads, with the work threshold off and every block left to the workers,
// give the one-thread bits. The result lands in window.__isolated for the runner.
import * as fr from '../../src/index.js';
import { setThreadTesting } from '../../src/backends/wasm/threads.js';
import { conv2dBackpropFilter, conv2dBackpropInput } from '../../src/ops/conv.js';
import { roiPoolWithArgmax } from '../../src/ops/roi.js';

async function check(): Promise<string[]> {
  const problems: string[] = [];
  const expect = (ok: boolean, what: string) => ok || problems.push(what);
  fr.setBackend('wasm');
  const info = fr.threadInfo();
  expect((globalThis as any).crossOriginIsolated === true, 'the page is not cross-origin isolated');
  expect(info.sharedMemory, `no shared memory: ${info.note}`);
  expect(info.workers === 'Web Workers', `workers: ${info.workers}`);
  const rng = new fr.Rng(5);
  const rand = (shape: number[]) =>
    fr.tensor(
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)),
      shape,
    );
  const a = rand([45, 77]),
    b = rand([77, 300]);
  const x = rand([2, 5, 13, 11]),
    w = rand([7, 5, 3, 3]),
    bias = rand([7]);
  const dy = rand([2, 7, 13, 11]);
  const rois = fr.tensor([
    [0, 1, 2, 60, 70],
    [1, 10, 5, 90, 40],
    [0, -4, -4, 20, 200],
    [1, 30, 30, 31, 31],
    [0, 0, 0, 87, 103],
  ]);
  const run = () =>
    [
      fr.matMul(a, b),
      fr.conv2d(x, w, bias, { padding: 1 }),
      conv2dBackpropInput(dy, w, x.shape, [1, 1], [1, 1]),
      conv2dBackpropFilter(x, dy, w.shape, [1, 1], [1, 1]),
      fr.conv2d(x, w, null, { stride: 2 }),
      roiPoolWithArgmax(x, rois, { outputSize: [3, 3], spatialScale: 1 / 8 }).output,
    ].map((t) => new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
  setThreadTesting({ minWork: 0, callerRuns: false });
  try {
    fr.setThreads(1);
    const ref = run();
    for (const n of [2, 3]) {
      expect(fr.setThreads(n) === n, `setThreads(${n}) gave ${fr.threadInfo().threads}`);
      const started = await fr.threadsReady();
      expect(started === n, `${started} threads running of ${n}`);
      const got = run();
      got.forEach((g, i) =>
        expect(g.length === ref[i].length && g.every((v, k) => v === ref[i][k]), `output ${i} differs at ${n} threads`),
      );
    }
    expect(fr.threadInfo().workerBlocks > 0, 'the workers ran no block');
  } finally {
    setThreadTesting({});
  }
  return problems;
}

check().then(
  (problems) => {
    (window as any).__isolated = { problems, info: fr.threadInfo() };
  },
  (e) => {
    (window as any).__isolated = { problems: [`threw: ${(e as Error).stack ?? e}`] };
  },
);
