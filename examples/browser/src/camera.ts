// Live mode: detects on a <video> (the camera, or a video file) frame after frame with the library's
// Detector API (loadDetector + detect), draws each frame with its boxes and shows the frames per
// second. One loop at a time; every frame is followed by a repaint so the page stays responsive.
import { type Detection, type Detector, type Prediction, type RgbImage, loadDetector, rgbaToRgb } from '../../../src/index.js';

/**
 * Frames are scaled so the longer side is at most this: Selective Search time grows with the pixels,
 * and the shipped model sees a 240-pixel short side anyway.
 */
const MAX_SIDE = 320;
/** Frames per second: a moving average over the last this many frames. */
const FPS_FRAMES = 10;

export interface LiveHost {
  /** The page's current model file; a different array rebuilds the detectors. */
  model(): Uint8Array;
  backend(): string;
  minScore(): number;
  /** True while a still-image run is in progress: frames wait, as both switch the engine's backend. */
  busy(): boolean;
  /** A camera or video is being opened. */
  starting(): void;
  message(msg: string): void;
  /** Draws one frame with its detections. */
  show(frame: RgbImage, detections: Detection[]): void;
}

/** The last detected frame: exactly the pixels the detector got, and what it found (for tests). */
interface LiveFrame {
  index: number;
  backend: string;
  image: RgbImage;
  predictions: Prediction[];
}

const STILL_WORKS = ' The still-image mode works as before.';

type LiveState = 'off' | 'starting' | 'running' | 'stopped' | 'error';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const paint = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));

export class LiveMode {
  private stream: MediaStream | null = null;
  private fileUrl = '';
  /** Bumped by every start and stop: a loop ends when its generation is no longer current. */
  private generation = 0;
  private detectors = new Map<string, Promise<Detector>>();
  private detectorsFor: Uint8Array | null = null;
  private grabber: OffscreenCanvasRenderingContext2D | null = null;
  private inFlight: Promise<unknown> = Promise.resolve();
  private last: LiveFrame | null = null;

  /** Wires the page's live controls (#camera, #video-file, #live-stop) to this. */
  constructor(
    private readonly host: LiveHost,
    private readonly video: HTMLVideoElement,
  ) {
    $('camera').addEventListener('click', () => void this.startCamera());
    $('video-file').addEventListener('change', (e) => {
      const input = e.target as HTMLInputElement,
        f = input.files?.[0];
      input.value = '';
      if (f) void this.startFile(f);
    });
    $('live-stop').addEventListener('click', () => this.stop());
  }

  get running(): boolean {
    const s = document.body.dataset.camera;
    return s === 'starting' || s === 'running';
  }

  async startCamera(): Promise<void> {
    this.stop();
    // Browsers hide getUserMedia outside secure contexts (https, http://localhost, 127.0.0.1).
    if (!navigator.mediaDevices?.getUserMedia) {
      this.fail(
        (window.isSecureContext
          ? 'This browser gives no camera access (no navigator.mediaDevices.getUserMedia).'
          : 'The camera needs a secure page: open it over https:// or from http://localhost / http://127.0.0.1 (npm run serve).') +
          STILL_WORKS,
      );
      return;
    }
    const gen = this.begin('camera');
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
    } catch (e) {
      if (gen === this.generation) this.fail(cameraError(e as Error));
      return;
    }
    if (gen !== this.generation) {
      for (const t of stream.getTracks()) t.stop(); // stopped while the browser was asking
      return;
    }
    this.stream = stream;
    for (const t of stream.getVideoTracks())
      t.addEventListener('ended', () => {
        if (gen === this.generation) {
          this.stop();
          this.host.message('The camera stopped sending frames (unplugged, or taken by another program).');
        }
      });
    this.video.srcObject = stream;
    await this.play(gen, 'the camera');
  }

  async startFile(file: File): Promise<void> {
    this.stop();
    const gen = this.begin('file');
    this.fileUrl = URL.createObjectURL(file);
    this.video.src = this.fileUrl;
    this.video.loop = true;
    await this.play(gen, file.name);
  }

  /** Ends the loop and the stream (its tracks stopped, so the camera light goes off). */
  stop(): void {
    this.generation++;
    const was = this.running;
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = null;
    this.video.pause();
    this.video.srcObject = null;
    if (this.fileUrl) {
      this.video.removeAttribute('src');
      this.video.load();
      URL.revokeObjectURL(this.fileUrl);
      this.fileUrl = '';
    }
    this.video.hidden = true;
    if (was) this.setState('stopped');
  }

  /** Resolves when no frame is being detected (a stopped loop may still have one in flight). */
  async settled(): Promise<void> {
    await this.inFlight;
  }

  /** The last frame as plain data: the pixels base64-encoded (RGB, row-major), for a test to detect on. */
  snapshot() {
    const f = this.last;
    if (!f) return null;
    let bin = '';
    for (let i = 0; i < f.image.data.length; i += 0x8000) bin += String.fromCharCode(...f.image.data.subarray(i, i + 0x8000));
    const { image, ...rest } = f;
    return { ...rest, width: image.width, height: image.height, rgb: btoa(bin) };
  }

  private begin(source: 'camera' | 'file'): number {
    const gen = ++this.generation;
    document.body.dataset.liveSource = source;
    document.body.dataset.frames = '0';
    delete document.body.dataset.fps;
    this.last = null;
    this.setState('starting');
    this.host.starting();
    $('live-info').textContent = source === 'camera' ? 'Starting the camera…' : 'Opening the video…';
    return gen;
  }

  private async play(gen: number, what: string): Promise<void> {
    this.video.muted = true;
    this.video.hidden = false;
    try {
      await this.video.play();
    } catch (e) {
      if (gen === this.generation) this.fail(`${what}: the browser cannot play it (${(e as Error).message}).`);
      return;
    }
    if (gen !== this.generation) return;
    this.host.message('');
    this.setState('running');
    await this.loop(gen);
  }

  private async loop(gen: number): Promise<void> {
    const stamps: number[] = [];
    let frames = 0;
    await this.settled(); // a previous loop's last frame (a quick stop and start)
    while (gen === this.generation) {
      // No frame yet (the stream is warming up, a file is seeking) or a still run: wait for the next repaint.
      if (this.video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || !this.video.videoWidth || this.host.busy()) {
        await paint();
        continue;
      }
      const backend = this.host.backend();
      const frame = this.grab();
      const t0 = performance.now();
      let found: Prediction[], classes: string[];
      try {
        const work = this.detector(backend).then(async (d) => ({
          classes: d.classes,
          found: await d.detect(frame, { minScore: this.host.minScore() }),
        }));
        this.inFlight = work.catch(() => {});
        ({ found, classes } = await work);
      } catch (e) {
        console.error(e);
        if (gen === this.generation) this.fail(`Live detection failed on ${backend}: ${(e as Error).message}`);
        return;
      }
      if (gen !== this.generation) return;
      const ms = performance.now() - t0;
      frames++;
      this.last = { index: frames, backend, image: frame, predictions: found };
      this.host.show(
        frame,
        found.map((p) => ({ classIndex: classes.indexOf(p.className) + 1, className: p.className, score: p.score, box: p.box })),
      );
      stamps.push(performance.now());
      if (stamps.length > FPS_FRAMES + 1) stamps.shift();
      const fps = stamps.length > 1 ? ((stamps.length - 1) * 1000) / (stamps[stamps.length - 1] - stamps[0]) : 0;
      const d = document.body.dataset;
      d.frames = String(frames);
      d.liveBackend = backend;
      d.liveDetections = String(found.length);
      if (fps > 0) d.fps = fps.toFixed(2);
      $('live-info').textContent =
        (fps > 0 ? `${fps.toFixed(1)} frames/s (over the last ${stamps.length - 1}); ` : '') +
        `frame ${frames}: ${frame.width}×${frame.height}, ${found.length} detection(s), ${ms.toFixed(0)} ms on ${backend === 'webgl' ? 'WebGL' : 'WASM'}`;
      await paint();
    }
  }

  /** The current video frame, scaled to MAX_SIDE, as RGB: grabbed once so the drawn, detected and exposed pixels are one frame. */
  private grab(): RgbImage {
    const v = this.video;
    const k = Math.min(1, MAX_SIDE / Math.max(v.videoWidth, v.videoHeight));
    const w = Math.max(1, Math.round(v.videoWidth * k)),
      h = Math.max(1, Math.round(v.videoHeight * k));
    if (this.grabber?.canvas.width !== w || this.grabber.canvas.height !== h)
      this.grabber = new OffscreenCanvas(w, h).getContext('2d', { willReadFrequently: true })!;
    this.grabber.drawImage(v, 0, 0, w, h);
    return rgbaToRgb(this.grabber.getImageData(0, 0, w, h).data, w, h);
  }

  /** One detector per backend for the page's current model (a new model file disposes the old ones). */
  private detector(backend: string): Promise<Detector> {
    const bytes = this.host.model();
    if (bytes !== this.detectorsFor) {
      for (const d of this.detectors.values()) void d.then((x) => x.dispose()).catch(() => {});
      this.detectors.clear();
      this.detectorsFor = bytes;
    }
    let d = this.detectors.get(backend);
    if (!d) {
      d = loadDetector(bytes, { backend, maxSide: MAX_SIDE });
      d.catch(() => {
        if (this.detectors.get(backend) === d) this.detectors.delete(backend); // a failed load is retried next time
      });
      this.detectors.set(backend, d);
    }
    return d;
  }

  private fail(msg: string): void {
    this.stop();
    this.host.message(msg);
    this.setState('error');
    $('live-info').textContent = '';
  }

  private setState(s: LiveState): void {
    document.body.dataset.camera = s;
    $<HTMLButtonElement>('live-stop').disabled = !(s === 'starting' || s === 'running');
  }
}

/** getUserMedia's errors in words (their names are the standard's). */
function cameraError(e: Error): string {
  const tail = STILL_WORKS;
  switch (e.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return `Camera permission was denied (${e.message}): allow the camera for this page in the browser's site settings.${tail}`;
    case 'NotFoundError':
    case 'OverconstrainedError':
      return `No camera found.${tail}`;
    case 'NotReadableError':
    case 'AbortError':
      return `The camera could not be started: another program may be using it (${e.message}).${tail}`;
    default:
      return `The camera could not be started: ${e.name}: ${e.message}.${tail}`;
  }
}
