// The detector's own kernels, timed: NMS (ours vs TF.js wasm tf.image.nonMaxSuppression, same
// process, same boxes), RoI max pooling and RoIAlign forward/backward on the Fast R-CNN workload
// (2000 RoIs on a 512×38×50 conv5 map, 7×7 bins), and the truncated SVD of a 1024×2048 fc layer at
// rank 256. Usage: node --import tsx examples/bench/detection.ts [--quick]
import { loadWasm } from '../../src/backends/wasm/loader.js';
import { nms } from '../../src/detection/model/wasm/nms.js';
import { truncatedSvd } from '../../src/detection/model/wasm/svd.js';
import { Rng } from '../../src/util/random.js';
import { BenchTable, cliArg, loadTfjsWasm, timeSync, type Timing } from './harness.js';

const quick = cliArg('quick') === 'true';
const rng = new Rng(2015);
const m = loadWasm();
const e = m.exports;
const tf = await loadTfjsWasm();

console.log(`WASM build: ${m.relaxed ? 'relaxed SIMD (FMA)' : 'plain SIMD'}; TF.js: ${tf ? tf.getBackend() : 'unavailable'}`);

// --- NMS -----------------------------------------------------------------------------------
// Proposal-like boxes on an 800×600 image: random centres, sides 16..300 px, uniform scores.
function proposalBoxes(n: number): { boxes: Float32Array; scores: Float32Array } {
  const boxes = new Float32Array(n * 4),
    scores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const w = rng.uniform(16, 300),
      h = rng.uniform(16, 300);
    const x = rng.uniform(0, 800 - w),
      y = rng.uniform(0, 600 - h);
    boxes.set([x, y, x + w, y + h], i * 4);
    scores[i] = rng.next();
  }
  return { boxes, scores };
}

const nmsTable = new BenchTable('NMS (continuous IoU, suppress IoU > 0.7: the rule both implement)');
for (const n of [2000, 20000]) {
  const { boxes, scores } = proposalBoxes(n);
  const thr = 0.7;
  const ours = timeSync(() => nms(boxes, scores, thr, { coding: 'continuous', rule: 'gt' }));
  const keep = nms(boxes, scores, thr, { coding: 'continuous', rule: 'gt' });
  const legacy = timeSync(() => nms(boxes, scores, thr));
  let theirs: Timing | null = null,
    agree = 'n/a';
  if (tf) {
    const yx = new Float32Array(n * 4); // TF.js wants (y1, x1, y2, x2)
    for (let i = 0; i < n; i++) yx.set([boxes[i * 4 + 1], boxes[i * 4], boxes[i * 4 + 3], boxes[i * 4 + 2]], i * 4);
    const bt = tf.tensor2d(yx, [n, 4]),
      st = tf.tensor1d(scores);
    const run = () => {
      const k = tf.image.nonMaxSuppression(bt, st, n, thr);
      const d = k.dataSync();
      k.dispose();
      return d;
    };
    theirs = timeSync(() => {
      run();
    });
    const tk = run();
    agree =
      tk.length === keep.length && tk.every((v, i) => v === keep[i]) ? 'same keep list' : `DIFFERENT (${tk.length} vs ${keep.length})`;
    bt.dispose();
    st.dispose();
  }
  nmsTable.add({ name: `nms ${n} boxes`, ours, theirs, note: `${keep.length} kept; ${agree}; incl. copies in/out` });
  nmsTable.add({ name: `nms ${n} boxes, +1 areas, >=`, ours: legacy, note: 'the default (original Fast R-CNN rule)' });
}
nmsTable.print();

// --- RoI pooling / RoIAlign -------------------------------------------------------------------
const N = 1,
  C = 512,
  H = 38,
  W = 50,
  R = quick ? 500 : 2000,
  P = 7,
  scale = 1 / 16;
const x = Float32Array.from({ length: N * C * H * W }, () => rng.uniform(-1, 1));
const rois = new Float32Array(R * 5);
for (let r = 0; r < R; r++) {
  const w = rng.uniform(16, 500),
    h = rng.uniform(16, 400);
  const x1 = rng.uniform(0, 800 - w),
    y1 = rng.uniform(0, 600 - h);
  rois.set([0, x1, y1, x1 + w, y1 + h], r * 5);
}
const nOut = R * C * P * P;
// Data stays in WASM memory, as the engine keeps it: these rows time the kernels alone.
const px = m.alloc(x.length * 4),
  pr = m.alloc(rois.length * 4);
const out = m.alloc(nOut * 4),
  am = m.alloc(nOut * 4),
  go = m.alloc(nOut * 4),
  gi = m.alloc(x.length * 4);
const xt = m.alloc(N * H * W * C * 4),
  bins = m.alloc(e.roiPoolBinScratchBytes(C, P, P)),
  acc = m.alloc(P * P * C * 4),
  samp = m.alloc(e.roiAlignSampleScratchBytes());
m.f32(px, x.length).set(x);
m.f32(pr, rois.length).set(rois);
{
  const g = m.f32(go, nOut);
  for (let i = 0; i < nOut; i++) g[i] = rng.uniform(-1, 1);
}
const heavy = { warmupRuns: 2, warmupMs: 0, runs: 5, minMs: 0 };
const roiTable = new BenchTable(
  `RoI ops: ${R} RoIs (16..500 px sides at 1/16) on ${N}×${C}×${H}×${W}, ${P}×${P} bins; kernels on resident data`,
);
roiTable.add({
  name: 'roiPool forward',
  ours: timeSync(() => e.roiPoolForward(px, N, C, H, W, pr, R, Math.fround(scale), P, P, out, am, xt, bins), heavy),
  note: 'max + argmax switches',
});
roiTable.add({
  name: 'roiPool backward',
  ours: timeSync(() => e.roiPoolBackward(go, am, pr, R, N, C, H, W, P, P, gi), heavy),
  note: 'paper eq. 4',
});

let cropRef: Timing | null = null;
if (tf) {
  // The closest TF.js op: bilinear crops at 14×14 then 2×2 average = RoIAlign with 2×2 samples.
  const nhwc = new Float32Array(x.length);
  for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) nhwc[p * C + c] = x[c * H * W + p];
  const img = tf.tensor4d(nhwc, [1, H, W, C]);
  const bx = new Float32Array(R * 4);
  for (let r = 0; r < R; r++) {
    bx.set(
      [
        (rois[r * 5 + 2] * scale) / (H - 1),
        (rois[r * 5 + 1] * scale) / (W - 1),
        (rois[r * 5 + 4] * scale) / (H - 1),
        (rois[r * 5 + 3] * scale) / (W - 1),
      ],
      r * 4,
    );
  }
  const bt = tf.tensor2d(bx, [R, 4]),
    bi = tf.tensor1d(new Int32Array(R), 'int32');
  cropRef = timeSync(() => {
    const y = tf.tidy(() => tf.avgPool(tf.image.cropAndResize(img, bt, bi, [2 * P, 2 * P]) as any, 2, 2, 'valid'));
    y.dataSync();
    y.dispose();
  }, heavy);
  img.dispose();
  bt.dispose();
  bi.dispose();
}
roiTable.add({
  name: 'roiAlign forward (2×2 samples)',
  ours: timeSync(() => e.roiAlignForward(px, N, C, H, W, pr, R, scale, P, P, 2, 0, out, xt, acc, samp), heavy),
  theirs: cropRef,
  note: 'TF.js: cropAndResize 14×14 + avgPool 2×2 (same sampling work), incl. readback',
});
roiTable.add({
  name: 'roiAlign backward (2×2 samples)',
  ours: timeSync(() => e.roiAlignBackward(go, N, C, H, W, pr, R, scale, P, P, 2, 0, gi, xt, acc, samp), heavy),
  note: 'TF.js wasm has no CropAndResize gradient',
});
roiTable.add({
  name: 'roiAlign forward (adaptive)',
  ours: timeSync(() => e.roiAlignForward(px, N, C, H, W, pr, R, scale, P, P, -1, 0, out, xt, acc, samp), heavy),
  note: 'ceil(roi/7)² samples per bin',
});
roiTable.print();
for (const p of [px, pr, out, am, go, gi, xt, bins, acc, samp]) m.free(p);

// --- Truncated SVD -----------------------------------------------------------------------------
const [u, v, t] = quick ? [256, 512, 64] : [1024, 2048, 256];
const Wfc = Float64Array.from({ length: u * v }, () => rng.uniform(-1, 1));
const svdTable = new BenchTable(`Truncated SVD (float64), W ${u}×${v} at rank ${t}`);
svdTable.add({
  name: `svd ${u}x${v} rank ${t}`,
  ours: timeSync(() => truncatedSvd(Wfc, u, v, t), { warmupRuns: 1, warmupMs: 0, runs: 3, minMs: 0 }),
  note: 'exact: Gram + Householder + QL (TF.js has no SVD)',
});
svdTable.print();
