// Engine-level rows: the public ops (tensors, dispatch, autograd) side by side with TensorFlow.js 4.22's
// WASM backend in the same process. The issue's rows: matmul 512³/1024³, conv2d 3×3 forward on three
// VGG-like shapes, the conv backward passes (TF.js wasm has no kernel for them), and a 5-layer conv
// backbone (3→32→64→128→128→256 on 224², 2×2 max pools) forward and one training step.
//
// Usage: node --import tsx examples/bench/ops.ts [--no-tfjs] [--quick] [--json out.json]
import { writeFileSync } from 'node:fs';
import * as fr from '../../src/index.js';
import { BenchTable, cliArg, loadTfjsWasm, timeSync, type TimingOptions } from './harness.js';

const quick = cliArg('quick') !== undefined;
const topts: TimingOptions = quick ? { runs: 3, minMs: 100, warmupMs: 100 } : {};
const tf = cliArg('no-tfjs') ? null : await loadTfjsWasm();
const rng = new fr.Rng(1);
const table = new BenchTable(
  `engine ops (WASM backend${fr.engine.memory().details.relaxedSimd ? ', relaxed SIMD' : ', SIMD'}) vs TF.js 4.22 wasm, 1 thread`,
);

function both(name: string, flops: number | undefined, ours: () => void, theirs: (() => void) | null, note?: string) {
  const o = timeSync(ours, topts);
  const t = theirs ? timeSync(theirs, topts) : null;
  table.add({ name, flops, ours: o, theirs: t, note });
}

for (const n of [512, 1024]) {
  const a = fr.randomNormal([n, n], 0, 1, { rng }),
    b = fr.randomNormal([n, n], 0, 1, { rng });
  const ta = tf?.randomNormal([n, n]),
    tb = tf?.randomNormal([n, n]);
  both(
    `matmul ${n}³`,
    2 * n ** 3,
    () => fr.matMul(a, b).dispose(),
    tf
      ? () => {
          const y = tf.matMul(ta!, tb!);
          y.dataSync();
          y.dispose();
        }
      : null,
  );
  both(
    `matmul ${n}³ (bᵀ)`,
    2 * n ** 3,
    () => fr.matMul(a, b, false, true).dispose(),
    tf
      ? () => {
          const y = tf.matMul(ta!, tb!, false, true);
          y.dataSync();
          y.dispose();
        }
      : null,
  );
  a.dispose();
  b.dispose();
  ta?.dispose();
  tb?.dispose();
}

for (const [hw, c] of [
  [56, 64],
  [28, 128],
  [14, 256],
]) {
  const x = fr.randomNormal([1, c, hw, hw], 0, 1, { rng }),
    w = fr.randomNormal([c, c, 3, 3], 0, 0.1, { rng });
  const flops = 2 * hw * hw * c * c * 9;
  const tx = tf?.randomNormal([1, hw, hw, c]) as any,
    tw = tf?.randomNormal([3, 3, c, c]) as any;
  both(
    `conv3×3 fwd ${hw}²×${c}→${c}`,
    flops,
    () => fr.conv2d(x, w, null, { padding: 1 }).dispose(),
    tf
      ? () => {
          const y = tf.conv2d(tx, tw, 1, 'same');
          y.dataSync();
          y.dispose();
        }
      : null,
  );
  const dy = fr.randomNormal([1, c, hw, hw], 0, 1, { rng });
  const attrs = { stride: [1, 1] as [number, number], pad: [1, 1] as [number, number] };
  both(
    `conv3×3 bwd input ${hw}²×${c}`,
    flops,
    () => fr.engine.runKernel('Conv2DBackpropInput', [dy, w], { ...attrs, inputShape: x.shape })[0].dispose(),
    null,
    'TF.js wasm: no kernel',
  );
  both(
    `conv3×3 bwd filter ${hw}²×${c}`,
    flops,
    () => fr.engine.runKernel('Conv2DBackpropFilter', [x, dy], { ...attrs, filterShape: w.shape })[0].dispose(),
    null,
    'TF.js wasm: no kernel',
  );
  [x, w, dy].forEach((t) => t.dispose());
  tx?.dispose();
  tw?.dispose();
}

// The 5-layer backbone: conv3×3+ReLU, 2×2 max pool after each of the first four.
const chans = [3, 32, 64, 128, 128, 256];
const net = new fr.Sequential(
  chans.slice(1).flatMap((c, i) => {
    const layers: fr.Module[] = [new fr.Conv2d(chans[i], c, 3, { padding: 1, rng, weightInit: fr.kaiming }), new fr.ReLU()];
    if (i < 4) layers.push(new fr.MaxPool2d(2));
    return layers;
  }),
);
let bbFlops = 0;
{
  let s = 224;
  for (let i = 0; i < 5; i++) {
    bbFlops += 2 * s * s * chans[i] * chans[i + 1] * 9;
    if (i < 4) s /= 2;
  }
}
const img = fr.randomNormal([1, 3, 224, 224], 0, 1, { rng });
let tfForward: (() => void) | null = null;
if (tf) {
  const ws = chans.slice(1).map((c, i) => tf.randomNormal([3, 3, chans[i], c], 0, 0.1) as any);
  const timg = tf.randomNormal([1, 224, 224, 3]) as any;
  tfForward = () => {
    const y = tf.tidy(() => {
      let h = timg;
      ws.forEach((w, i) => {
        h = tf.relu(tf.conv2d(h, w, 1, 'same'));
        if (i < 4) h = tf.maxPool(h, 2, 2, 'valid');
      });
      return h;
    });
    y.dataSync();
    y.dispose();
  };
}
both('backbone 224² forward', bbFlops, () => fr.noGrad(() => fr.tidy(() => net.forward(img))).dispose(), tfForward);
const opt = new fr.SGD(net.parameters(), { lr: 1e-4 });
both(
  'backbone 224² train step',
  3 * bbFlops,
  () => {
    const loss = fr.tidy(() => fr.mean(net.forward(img)));
    loss.backward();
    opt.step();
    opt.zeroGrad();
    loss.dispose();
  },
  null,
  'fwd+bwd+SGD; TF.js wasm cannot train convs',
);

table.print();
const fwd = table.rows.filter((r) => r.name.startsWith('conv3×3 fwd'));
const bwd = table.rows.filter((r) => r.name.includes('bwd'));
const g = (r: (typeof table.rows)[number]) => r.flops! / r.ours!.median / 1e6;
if (fwd.length)
  console.log(
    `conv backward GFLOP/s as a share of forward: ${bwd.map((r) => `${r.name.replace('conv3×3 bwd ', '')} ${((100 * g(r)) / g(fwd[Math.floor(bwd.indexOf(r) / 2)])).toFixed(0)}%`).join(', ')}\n`,
  );
const out = cliArg('json');
if (out && out !== 'true') writeFileSync(out, JSON.stringify(table.toJSON(), null, 1));
