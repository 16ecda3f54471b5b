// The browser example: Selective Search + Fast R-CNN on an image in the page, on WebGL or WASM.
// Everything it needs (library, WASM, shaders, samples, model) is inside the one bundle. The live
// mode (camera or video file, frame after frame) is camera.ts.
import {
  type Box,
  type Detection,
  type LoadedModel,
  type RgbImage,
  type ShapeKind,
  type WebGLBackend,
  Rng,
  SHAPE_KINDS,
  decodeImage,
  engine,
  memory,
  modelFromBytes,
  renderScene,
  resizeBilinear,
  sniffImageFormat,
  threadInfo,
} from '../../../src/index.js';
import { SAMPLES, SHIPPED_MODEL, SHIPPED_MODEL_NAME } from './assets.js';
import { LiveMode } from './camera.js';
import { type RunResult, type StageTimes, runDetection } from './pipeline.js';
import { drawScene, escapeHtml, fillDetections, fillTimings, fmtMs, label } from './view.js';

/** Larger images are scaled down first: Selective Search time grows with the pixels, and the model sees a 240-pixel short side anyway. */
const MAX_SIDE = 800;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

interface Picture {
  image: RgbImage;
  name: string;
  groundTruth: { name: string; box: Box }[];
}

const state = {
  model: null as LoadedModel | null,
  modelName: '',
  modelBytes: SHIPPED_MODEL,
  picture: null as Picture | null,
  pictureInfo: '',
  last: null as RunResult | null,
  times: new Map<string, { times: StageTimes; cold: boolean }>(),
  runsPerBackend: new Map<string, number>(),
  webglError: null as string | null,
  busy: false,
  again: false,
  runs: 0,
  sceneSeed: 1,
};

function setState(s: 'loading' | 'running' | 'ready' | 'error'): void {
  document.body.dataset.state = s;
}
function status(msg: string): void {
  $('status').textContent = msg;
}
function message(msg: string, kind: 'error' | 'warn' | '' = 'error'): void {
  const el = $('message');
  el.textContent = msg;
  el.className = msg ? kind : '';
  el.hidden = !msg;
}
const paint = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));

function backendChoice(): string {
  return (document.querySelector('input[name=backend]:checked') as HTMLInputElement | null)?.value ?? 'wasm';
}
function threshold(): number {
  return +$<HTMLInputElement>('threshold').value;
}

// ---- WebGL probe --------------------------------------------------------------------------------

function probeWebGL(): void {
  const info = $('renderer');
  try {
    const gl = engine.findBackend('webgl') as WebGLBackend;
    const software = gl.memory().softwareRenderer === 1;
    info.innerHTML =
      `WebGL renderer: <b>${escapeHtml(gl.caps.renderer)}</b>` +
      (software ? ' <span class="flag">software rasterizer: WebGL runs on the CPU here, so WASM is faster</span>' : '');
    info.dataset.software = String(software);
  } catch (e) {
    state.webglError = (e as Error).message;
    const radio = document.querySelector('input[name=backend][value=webgl]') as HTMLInputElement;
    radio.disabled = true;
    (document.querySelector('input[name=backend][value=wasm]') as HTMLInputElement).checked = true;
    info.innerHTML = `<span class="flag">WebGL unavailable: ${escapeHtml(state.webglError)}. Running on WASM.</span>`;
  }
}

/** Whether WASM runs on several threads here (a cross-origin isolated page) or on one, and why. */
function showThreads(): void {
  const t = threadInfo();
  const el = $('threads');
  el.textContent = t.threads > 1 ? `WASM: ${t.threads} threads (shared memory)` : `WASM: one thread${t.note ? ` (${t.note})` : ''}`;
  el.dataset.threads = String(t.threads);
}

// ---- inputs -------------------------------------------------------------------------------------

function useModel(bytes: Uint8Array, name: string): void {
  const loaded = modelFromBytes(bytes, { source: name }); // throws a message naming the file
  state.model?.model.dispose();
  state.model = loaded;
  state.modelName = name;
  state.modelBytes = bytes;
  state.times.clear();
  state.runsPerBackend.clear();
  const fc = loaded.config.model.svd.some((r) => r > 0) ? `, fc6/fc7 SVD ranks ${loaded.config.model.svd.join('/')}` : '';
  $('model-info').textContent =
    `${name} (${(bytes.length / 1e6).toFixed(2)} MB): classes ${loaded.model.classes.join(', ')}; ` +
    `test scale ${loaded.config.test.scales.join('/')}${fc}`;
}

function usePicture(p: Picture, note = ''): void {
  let image = p.image;
  const long = Math.max(image.width, image.height);
  if (long > MAX_SIDE) {
    const s = MAX_SIDE / long;
    image = resizeBilinear(image, Math.max(1, Math.round(image.width * s)), Math.max(1, Math.round(image.height * s)));
    note = `scaled down from ${p.image.width}×${p.image.height} to ${image.width}×${image.height}`;
    p = { ...p, image, groundTruth: p.groundTruth.map((g) => ({ ...g, box: g.box.map((v) => v * s) as Box })) };
  }
  state.picture = p;
  state.pictureInfo = $('image-info').textContent =
    `${p.name}: ${image.width}×${image.height}${note ? ` (${note})` : ''}` +
    (p.groundTruth.length ? `; ground truth (dashed): ${p.groundTruth.map((g) => g.name).join(', ')}` : '');
  const c = $<HTMLCanvasElement>('canvas');
  c.dataset.imageHash = imageHash(image);
  drawScene(c, image, [], p.groundTruth);
}

/** FNV-1a of the pixels: lets a test check the page decoded exactly what Node decoded. */
function imageHash(img: RgbImage): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < img.data.length; i++) h = Math.imul(h ^ img.data[i], 0x01000193);
  return `${img.width}x${img.height}:${(h >>> 0).toString(16)}`;
}

async function readFile(input: HTMLInputElement): Promise<{ bytes: Uint8Array; name: string } | null> {
  const f = input.files?.[0];
  if (!f) return null;
  return { bytes: new Uint8Array(await f.arrayBuffer()), name: f.name };
}

async function onImageFile(input: HTMLInputElement): Promise<void> {
  const f = await readFile(input);
  input.value = '';
  if (!f) return;
  if (!sniffImageFormat(f.bytes)) {
    message(`${f.name} is not an image this page can read: choose a PNG or JPEG file.`);
    return;
  }
  let image: RgbImage;
  try {
    image = await decodeImage(f.bytes);
  } catch (e) {
    message(`${f.name}: the browser could not decode it as an image (${(e as Error).message}).`);
    return;
  }
  message('');
  live.stop();
  selectThumb(null);
  usePicture({ image, name: f.name, groundTruth: [] });
  await run();
}

async function onModelFile(input: HTMLInputElement): Promise<void> {
  const f = await readFile(input);
  input.value = '';
  if (!f) return;
  try {
    useModel(f.bytes, f.name);
  } catch (e) {
    message(
      `Cannot use this model file: ${(e as Error).message}. Still using ${state.modelName}. ` +
        'A model file is what `fastrcnn train` or `fastrcnn compress` writes (.safetensors with the classes and config inside).',
    );
    return;
  }
  message('');
  await run();
}

async function onSample(i: number): Promise<void> {
  const s = SAMPLES[i];
  live.stop();
  selectThumb(i);
  usePicture({ image: await decodeImage(s.bytes), name: `sample ${s.name}`, groundTruth: s.objects });
  message('');
  await run();
}

async function onRandomScene(): Promise<void> {
  const seed = state.sceneSeed++;
  // The model's classes when they are all shapes the generator draws (the synthetic set's), else its default set.
  const classes = state.model?.model.classes ?? [];
  const shapes =
    classes.length && classes.every((c) => (SHAPE_KINDS as readonly string[]).includes(c)) ? (classes as ShapeKind[]) : undefined;
  const scene = renderScene(new Rng(1_000_003 + seed), { classes: shapes });
  live.stop();
  selectThumb(null);
  usePicture({ image: scene.image, name: `random scene #${seed}`, groundTruth: scene.objects.filter((o) => !o.difficult) });
  message('');
  await run();
}

function selectThumb(i: number | null): void {
  document.querySelectorAll('#samples button').forEach((b, k) => b.classList.toggle('selected', k === i));
}

// ---- running ------------------------------------------------------------------------------------

async function run(): Promise<void> {
  if (live.running) return; // the live loop picks up the new backend or model on its next frame
  if (state.busy) {
    state.again = true;
    return;
  }
  if (!state.model || !state.picture) return;
  state.busy = true;
  // A just-stopped live loop may still be detecting: both switch the engine's backend.
  await live.settled();
  setState('running');
  document.body.classList.add('busy');
  const backend = backendChoice();
  try {
    const r = await runDetection(state.model, state.picture.image, backend, async (msg) => {
      status(msg);
      await paint();
    });
    const n = (state.runsPerBackend.get(backend) ?? 0) + 1;
    state.runsPerBackend.set(backend, n);
    state.times.set(backend, { times: r.times, cold: n === 1 });
    state.last = r;
    show();
    const m = memory();
    status(`Done on ${label(backend)} in ${fmtMs(r.times.total)}. Live tensors after the run: ${m.numTensors}.`);
    setState('ready');
  } catch (e) {
    console.error(e);
    message(`Detection failed on ${label(backend)}: ${(e as Error).message}`);
    status('');
    setState('error');
  } finally {
    state.runs++;
    document.body.dataset.runs = String(state.runs);
    document.body.classList.remove('busy');
    state.busy = false;
  }
  if (state.again) {
    state.again = false;
    await run();
  }
}

/** Redraws the picture and tables from the last run (the threshold only filters). */
function show(): void {
  const r = state.last,
    p = state.picture;
  if (!r || !p) return;
  const t = threshold();
  $('threshold-value').textContent = t.toFixed(2);
  const shown: Detection[] = r.detections.filter((d) => d.score >= t);
  if (!live.running) {
    const c = $<HTMLCanvasElement>('canvas');
    c.dataset.imageHash = imageHash(p.image); // the live mode may have drawn other pixels since
    $('image-info').textContent = state.pictureInfo;
    drawScene(c, p.image, shown, p.groundTruth);
  }
  fillDetections(r, shown, t);
  fillTimings(state.times);
}

// ---- live mode (camera.ts) ----------------------------------------------------------------------

const live = new LiveMode(
  {
    model: () => state.modelBytes,
    backend: backendChoice,
    minScore: threshold,
    busy: () => state.busy,
    starting: () => status(''), // the still run's line no longer describes the canvas
    message,
    show(frame, detections) {
      $('image-info').textContent =
        `live: ${document.body.dataset.liveSource === 'camera' ? 'the camera' : 'the video file'}, frame after frame ` +
        "(the tables below are the still picture's)";
      const c = $<HTMLCanvasElement>('canvas');
      c.dataset.imageHash = imageHash(frame);
      drawScene(c, frame, detections);
    },
  },
  $<HTMLVideoElement>('video'),
);

// ---- start --------------------------------------------------------------------------------------

async function main(): Promise<void> {
  setState('loading');
  message('');
  const thumbs = $('samples');
  SAMPLES.forEach((s, i) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.title = `sample ${s.name}: ${s.objects.map((o) => o.name).join(', ')}`;
    const img = document.createElement('img');
    img.src = URL.createObjectURL(new Blob([s.bytes as BlobPart], { type: 'image/png' }));
    img.alt = `sample ${s.name}`;
    b.append(img);
    b.addEventListener('click', () => void onSample(i));
    thumbs.append(b);
  });
  $('random').addEventListener('click', () => void onRandomScene());
  $('image-file').addEventListener('change', (e) => void onImageFile(e.target as HTMLInputElement));
  $('model-file').addEventListener('change', (e) => void onModelFile(e.target as HTMLInputElement));
  $('model-reset').addEventListener('click', () => {
    useModel(SHIPPED_MODEL, SHIPPED_MODEL_NAME);
    message('');
    void run();
  });
  document.querySelectorAll('input[name=backend]').forEach((r) => r.addEventListener('change', () => void run()));
  $('threshold').addEventListener('input', show);
  $('run').addEventListener('click', () => {
    live.stop();
    void run();
  });
  // For tests: the last live frame's pixels and detections (camera.ts, LiveMode.snapshot).
  Object.assign(window, { __liveFrame: () => live.snapshot() });
  // ?backend=wasm|webgl and ?sample=N (0-based) pick the starting point, e.g. for links and tests.
  const q = new URLSearchParams(location.search);
  const wanted = document.querySelector(`input[name=backend][value="${CSS.escape(q.get('backend') ?? '')}"]`) as HTMLInputElement | null;
  if (wanted) wanted.checked = true;
  probeWebGL();
  showThreads();
  useModel(SHIPPED_MODEL, SHIPPED_MODEL_NAME);
  await onSample(Math.min(SAMPLES.length - 1, Math.max(0, Math.floor(+(q.get('sample') ?? 0)) || 0)));
}

main().catch((e) => {
  console.error(e);
  message(`The example failed to start: ${(e as Error).message}`);
  setState('error');
});
