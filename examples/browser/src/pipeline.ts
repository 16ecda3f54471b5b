// One detection run as the page does it: Selective Search ("fast mode", as `fastrcnn detect`), then
// Fast R-CNN (detect) on the chosen backend, timed per stage like the paper's Figure 2.
import {
  type Detection,
  type FastRCNN,
  type LoadedModel,
  type RgbImage,
  type SelectiveSearchOptions,
  detect,
  selectiveSearch,
  setBackend,
} from '../../../src/index.js';

/** The proposals `fastrcnn detect` computes when given no proposals file. */
export const SS_OPTIONS: SelectiveSearchOptions = { mode: 'paper', maxBoxes: 2000 };

/** Milliseconds per stage. */
export interface StageTimes {
  /** Selective Search (always WASM: it is not a tensor computation). */
  proposals: number;
  /** The conv layers over the whole image, finished (read back) before the RoIs are pooled. */
  conv: number;
  /** RoI max pooling (WASM by design), fc6, fc7, cls_score + softmax, bbox_pred, box decoding. */
  heads: number;
  /** Per-class score threshold and NMS, best 100 over all classes. */
  nms: number;
  total: number;
}

export interface RunResult {
  backend: string;
  detections: Detection[];
  numProposals: number;
  times: StageTimes;
}

const convClock = new WeakMap<FastRCNN, { ms: number }>();

/**
 * Times the conv stage by wrapping the model's forward (the whole-image backbone pass). The wrapper
 * reads the feature map back, so a GPU backend's queued draws finish inside the conv time instead of
 * in the first RoI pooling, which runs on WASM and would otherwise wait for them.
 */
function convTimer(model: FastRCNN): { ms: number } {
  const clock = convClock.get(model);
  if (clock) return clock;
  const c = { ms: 0 };
  const forward = model.forward.bind(model);
  model.forward = (images) => {
    const t0 = performance.now();
    const features = forward(images);
    features.dataSync();
    c.ms += performance.now() - t0;
    return features;
  };
  convClock.set(model, c);
  return c;
}

/** Runs the detector on `image` on `backend` ('webgl' | 'wasm'); `onStage` lets the page repaint between stages. */
export async function runDetection(
  loaded: LoadedModel,
  image: RgbImage,
  backend: string,
  onStage: (msg: string) => Promise<void> = async () => {},
): Promise<RunResult> {
  setBackend(backend);
  await onStage('Selective Search (fast mode)…');
  const t0 = performance.now();
  const proposals = selectiveSearch(image, SS_OPTIONS);
  const proposalsMs = performance.now() - t0;
  await onStage(`Fast R-CNN on ${backend === 'webgl' ? 'WebGL' : 'WASM'} with ${proposals.length / 4} proposals…`);
  const clock = convTimer(loaded.model);
  clock.ms = 0;
  const r = detect(loaded.model, image, proposals, loaded.config);
  const net = r.netSeconds * 1000,
    nms = r.postSeconds * 1000;
  return {
    backend,
    detections: r.detections,
    numProposals: r.numProposals,
    times: { proposals: proposalsMs, conv: clock.ms, heads: Math.max(0, net - clock.ms), nms, total: proposalsMs + net + nms },
  };
}
