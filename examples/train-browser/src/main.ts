// The training page (dist/page.js): reads the form, starts the training worker (dist/worker.js) and
// draws what it reports: the loss plot, validation mAP, the test picture's detections, and the model
// file and loss CSV as downloads. It does no tensor work itself, so it stays responsive.
import type { Detection, IterationLog } from '../../../src/index.js';
import { LOSS_CSV_HEADER, lossCsvRow } from '../../../src/detection/training/lossPlot.js';
import { drawLossPlot } from './plot.js';
import type { DataSource, FromWorker, TestImage, ToWorker, TrainOptions } from './protocol.js';
import { addValidation, drawDetections, escapeHtml, fillDetections } from './view.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => $<HTMLInputElement>(id);

type PageState = 'idle' | 'preparing' | 'training' | 'testing' | 'done' | 'error';

const run = {
  worker: null as Worker | null,
  logs: [] as IterationLog[],
  total: 0,
  test: null as { picture: TestImage; detections: Detection[] } | null,
  started: 0,
  plotQueued: false,
  urls: [] as string[],
};

function setState(s: PageState): void {
  document.body.dataset.state = s;
  const busy = s === 'preparing' || s === 'training' || s === 'testing';
  input('start').disabled = busy;
  input('stop').disabled = !busy;
  document.body.classList.toggle('busy', busy);
}
const state = () => document.body.dataset.state as PageState;

function message(text: string, kind: 'error' | 'warn' | '' = 'error'): void {
  const el = $('message');
  el.textContent = text;
  el.className = text ? kind : '';
  el.hidden = !text;
}
const status = (text: string) => {
  $('status').textContent = text;
};

// ---- the browser's abilities --------------------------------------------------------------------

/** The smallest module with a v128 instruction: engines without WASM SIMD refuse to validate it. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

function wasmSimdMissing(): string | null {
  if (typeof WebAssembly !== 'object') return 'This browser has no WebAssembly, which the training runs on.';
  if (!WebAssembly.validate(SIMD_PROBE))
    return "This browser's WebAssembly lacks 128-bit SIMD, which every kernel of the engine uses (even the WebGL backend runs some on WASM): use Chrome/Edge 91+, Firefox 89+ or Safari 16.4+.";
  if (typeof Worker !== 'function') return 'This browser has no Web Workers, which keep the page responsive while it trains.';
  return null;
}

// ---- the form -----------------------------------------------------------------------------------

const int = (id: string, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.floor(+input(id).value) || lo));

function vocFiles(): { path: string; file: File }[] {
  return [...(input('voc-folder').files ?? [])].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
}

function options(): TrainOptions {
  const seed = int('seed', 0, 2 ** 31 - 1);
  const images = int('images', 2, 5000);
  const useVoc = (document.querySelector('input[name=source]:checked') as HTMLInputElement).value === 'voc';
  const [width, height] = $<HTMLSelectElement>('size').value.split('x').map(Number);
  const source: DataSource = useVoc
    ? { kind: 'voc', files: vocFiles(), maxImages: images }
    : { kind: 'synth', scenes: images, seed, width, height };
  const backend = (document.querySelector('input[name=backend]:checked') as HTMLInputElement).value;
  return { source, backend, iterations: int('iterations', 1, 100_000), pretrain: int('pretrain', 0, 100_000), seed };
}

// ---- a run --------------------------------------------------------------------------------------

function start(): void {
  const o = options();
  if (o.source.kind === 'voc' && !o.source.files.length) {
    message('Pick a VOC folder first (the folder holding Annotations/ and JPEGImages/), or train on the synthetic scenes.');
    return;
  }
  stopWorker();
  for (const u of run.urls) URL.revokeObjectURL(u);
  Object.assign(run, { logs: [], total: o.iterations + o.pretrain, test: null, started: performance.now(), urls: [] });
  for (const id of ['validation-body', 'ap-body', 'detections-body', 'warnings']) $(id).replaceChildren();
  for (const id of ['download', 'download-loss', 'warnings']) $(id).hidden = true;
  $('result').hidden = true;
  $('data-info').textContent = '';
  $('backend-note').textContent = '';
  message('');
  drawLossPlot($<HTMLCanvasElement>('plot'), [], run.total);
  setState('preparing');
  status('Starting the training worker…');
  let worker: Worker;
  try {
    worker = new Worker('dist/worker.js');
  } catch (e) {
    fail(
      `The training worker could not start (${(e as Error).message}). Serve the page over http: npm run serve -- --example train-browser`,
    );
    return;
  }
  run.worker = worker;
  worker.onmessage = (e: MessageEvent<FromWorker>) => onWorker(e.data);
  worker.onerror = (e) => {
    e.preventDefault();
    fail(
      `The training worker failed: ${e.message || 'dist/worker.js did not load'}. ` +
        'If the page was opened from disk, serve it instead: npm run serve -- --example train-browser',
    );
  };
  worker.postMessage({ type: 'start', options: o } satisfies ToWorker);
}

function stop(): void {
  if (state() === 'training') {
    // The worker ends training at its next pause, then validates, tests and offers the model as usual.
    run.worker?.postMessage({ type: 'stop' } satisfies ToWorker);
    status('Stopping after this iteration…');
  } else {
    stopWorker();
    setState('idle');
    status('Stopped.');
  }
}

function stopWorker(): void {
  run.worker?.terminate();
  run.worker = null;
}

function fail(text: string): void {
  stopWorker();
  message(text);
  status('');
  setState('error');
}

function onWorker(m: FromWorker): void {
  switch (m.type) {
    case 'backend':
      $('backend-note').textContent = m.note;
      $('backend-note').className = m.name === 'wasm' && m.note ? 'flag' : 'info';
      document.body.dataset.backend = m.name;
      break;
    case 'stage':
      status(m.text);
      break;
    case 'data':
      $('data-info').textContent = m.summary;
      showWarnings(m.warnings);
      break;
    case 'logs':
      if (state() === 'preparing') setState('training');
      run.logs.push(...m.logs);
      run.total = m.total;
      progress();
      queuePlot();
      break;
    case 'validation':
      addValidation(m.iteration, m.table);
      queuePlot();
      break;
    case 'model':
      setState('testing');
      offerDownloads(m.bytes);
      break;
    case 'detections':
      run.test = { picture: m.test, detections: m.detections };
      showTest();
      stopWorker();
      status(
        `Done in ${((performance.now() - run.started) / 1000).toFixed(1)} s: ${run.logs.length} step${run.logs.length === 1 ? '' : 's'} on ${document.body.dataset.backend}.`,
      );
      setState('done');
      break;
    case 'error':
      fail(m.message);
      break;
  }
}

function showWarnings(warnings: string[]): void {
  const list = $('warnings');
  list.hidden = !warnings.length;
  if (!warnings.length) return;
  list.innerHTML =
    `<summary>${warnings.length} warning(s) about the data</summary><ul>` +
    warnings
      .slice(0, 50)
      .map((w) => `<li>${escapeHtml(w)}</li>`)
      .join('') +
    (warnings.length > 50 ? `<li>… ${warnings.length - 50} more</li>` : '') +
    '</ul>';
}

function progress(): void {
  const l = run.logs[run.logs.length - 1];
  if (!l) return;
  const recent = run.logs.slice(-20);
  const spi = recent.reduce((s, x) => s + x.seconds, 0) / recent.length;
  const left = run.total - l.iteration - 1;
  status(
    `${l.phase === 'pretrain' ? 'Pre-training' : 'Training'}: step ${l.iteration + 1} of ${run.total}, loss ${l.loss.toFixed(3)}` +
      ` (cls ${l.lossCls.toFixed(3)}, loc ${l.lossLoc.toFixed(3)}), ${(spi * 1000).toFixed(0)} ms per step, about ${Math.ceil(left * spi)} s left`,
  );
}

/** One redraw per frame however fast the messages come. */
function queuePlot(): void {
  if (run.plotQueued) return;
  run.plotQueued = true;
  requestAnimationFrame(() => {
    run.plotQueued = false;
    drawLossPlot($<HTMLCanvasElement>('plot'), run.logs, run.total);
  });
}

function offerDownloads(bytes: Uint8Array): void {
  const link = (id: string, blob: Blob, label: string) => {
    const a = $<HTMLAnchorElement>(id);
    const url = URL.createObjectURL(blob);
    run.urls.push(url);
    a.href = url;
    a.textContent = label;
    a.hidden = false;
  };
  link(
    'download',
    new Blob([bytes as BlobPart], { type: 'application/octet-stream' }),
    `Download model.safetensors (${(bytes.length / 1e6).toFixed(2)} MB)`,
  );
  const csv = [LOSS_CSV_HEADER, ...run.logs.map(lossCsvRow)].join('\n') + '\n';
  link('download-loss', new Blob([csv], { type: 'text/csv' }), 'loss.csv');
}

/** The test picture and the detections at or above the threshold (the slider only filters). */
function showTest(): void {
  const t = run.test;
  if (!t) return;
  const threshold = +input('threshold').value;
  $('threshold-value').textContent = threshold.toFixed(2);
  const shown = t.detections.filter((d) => d.score >= threshold);
  const canvas = $<HTMLCanvasElement>('test-canvas');
  drawDetections(canvas, t.picture.image, shown);
  // How Node renders the same picture again (the end-to-end test does).
  const s = t.picture.scene;
  canvas.dataset.scene = s ? JSON.stringify(s) : '';
  canvas.dataset.imageHash = imageHash(t.picture.image);
  $('test-name').textContent = t.picture.name;
  fillDetections(shown, t.detections.length, threshold);
  $('result').hidden = false;
}

/** FNV-1a of the pixels: lets a test check that it rendered exactly the page's picture. */
function imageHash(img: { width: number; height: number; data: Uint8Array }): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < img.data.length; i++) h = Math.imul(h ^ img.data[i], 0x01000193);
  return `${img.width}x${img.height}:${(h >>> 0).toString(16)}`;
}

// ---- start --------------------------------------------------------------------------------------

function main(): void {
  // ?backend=auto|webgl|wasm, ?iters=N, ?pretrain=N, ?seed=S, ?scenes=N, ?threshold=T, ?autostart=1.
  const q = new URLSearchParams(location.search);
  const set = (param: string, id: string) => {
    const v = q.get(param);
    if (v !== null && v !== '') input(id).value = v;
  };
  set('iters', 'iterations');
  set('pretrain', 'pretrain');
  set('seed', 'seed');
  set('scenes', 'images');
  set('threshold', 'threshold');
  const wanted = document.querySelector(`input[name=backend][value="${CSS.escape(q.get('backend') ?? '')}"]`) as HTMLInputElement | null;
  if (wanted) wanted.checked = true;
  input('start').addEventListener('click', start);
  input('stop').addEventListener('click', stop);
  input('threshold').addEventListener('input', showTest);
  input('voc-folder').addEventListener('change', () => {
    const n = vocFiles().length;
    if (n) input('source-voc').checked = true;
    $('voc-info').textContent = n ? `${n} files` : '';
  });
  new ResizeObserver(() => queuePlot()).observe($('plot'));
  const missing = wasmSimdMissing();
  if (missing) {
    fail(missing);
    input('start').disabled = true;
    return;
  }
  message('');
  setState('idle');
  status('Ready: press Start.');
  if (q.get('autostart') === '1') start();
}

main();
