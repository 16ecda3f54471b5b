// The training worker (dist/worker.js): the library runs here, so the page stays responsive while it
// trains. One run per worker: the page starts a new worker for each run and ends it afterwards.
import { type WebGLBackend, engine, setBackend } from '../../../src/index.js';
import { DataError, loadDataset } from './data.js';
import type { FromWorker, ToWorker, TrainOptions } from './protocol.js';
import { runTraining } from './run.js';

const scope = self as unknown as { postMessage(m: FromWorker, transfer?: Transferable[]): void; onmessage: unknown };
const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);
let stopRequested = false;

/**
 * The backend asked for, or WASM with a note saying why not: no WebGL2 in this worker, or (for
 * 'auto') a software rasterizer, where WebGL runs on the CPU and WASM is faster.
 */
function chooseBackend(wanted: string): { name: string; note: string } {
  if (wanted === 'wasm') return { name: setBackend('wasm'), note: '' };
  let gl: WebGLBackend;
  try {
    gl = engine.findBackend('webgl') as WebGLBackend;
  } catch (e) {
    return { name: setBackend('wasm'), note: `No WebGL2 here (${(e as Error).message}): training on WASM instead.` };
  }
  if (wanted === 'auto' && gl.preferredForAuto === false)
    return {
      name: setBackend('wasm'),
      note: `WebGL runs on a software rasterizer here (${gl.caps.renderer}): training on WASM, which is faster on the CPU.`,
    };
  return {
    name: setBackend('webgl'),
    note: `WebGL renderer: ${gl.caps.renderer}${gl.caps.software ? ' (a software rasterizer: slow here; WASM is faster)' : ''}.`,
  };
}

async function start(o: TrainOptions): Promise<void> {
  try {
    const backend = chooseBackend(o.backend);
    post({ type: 'backend', ...backend });
    const ds = await loadDataset(o.source, o.seed, (text) => post({ type: 'stage', text }));
    await runTraining(ds, o, { post, stopped: () => stopRequested });
  } catch (e) {
    if (!(e instanceof DataError)) console.error(e);
    post({ type: 'error', message: (e as Error).message ?? String(e) });
  }
}

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  if (e.data.type === 'stop') stopRequested = true;
  else void start(e.data.options);
};
