import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.js';
import '../helpers/backend.js';
import { assertClose } from '../helpers/close.js';

const test = suite('autograd: tape, scopes, memory');

test('backward fills .grad of leaves and accumulates across calls', () => {
  const w = fr.tensor([1, 2, 3]);
  w.requiresGrad = true;
  const x = fr.tensor([4, 5, 6]);
  const loss = fr.sum(fr.mul(fr.mul(w, w), x)); // d/dw = 2 w x
  loss.backward();
  assert.equal(Array.from(w.grad!.dataSync()), [8, 20, 36]);
  assert.is(x.grad, null);
  fr.sum(w).backward();
  assert.equal(Array.from(w.grad!.dataSync()), [9, 21, 37]);
  assert.is(fr.engine.tape.length, 0);
});

test('a tensor used twice gets both contributions (x*x, x+x)', () => {
  const x = fr.tensor([3]);
  x.requiresGrad = true;
  fr.sum(fr.add(fr.mul(x, x), fr.add(x, x))).backward();
  assert.equal(Array.from(x.grad!.dataSync()), [8]); // 2x + 2
});

test('noGrad records nothing; grad of a non-requiring tensor is an error', () => {
  const w = fr.tensor([1, 2]);
  w.requiresGrad = true;
  const y = fr.noGrad(() => fr.sum(fr.mul(w, w)));
  assert.is(y.requiresGrad, false);
  assert.is(fr.engine.tape.length, 0);
  assert.throws(() => y.backward(), /does not require grad/);
  const z = fr.mul(w, 2);
  assert.throws(() => z.backward(), /not a scalar; pass dy/);
  fr.engine.tape.clear();
});

test('grad / valueAndGrads do not touch .grad or a running tape', () => {
  const p = fr.tensor([2]);
  p.requiresGrad = true;
  const pending = fr.mul(p, p); // recorded on the main tape
  const g = fr.grad((x) => fr.sum(fr.exp(x)))(fr.tensor([0, 1]));
  assertClose(g.dataSync(), [1, Math.E], 1e-6);
  const { grads } = fr.valueAndGrads((a, b) => fr.sum(fr.mul(a, b)))(fr.tensor([1, 2]), fr.tensor([3, 4]));
  assert.equal(Array.from(grads[0].dataSync()), [3, 4]);
  assert.equal(Array.from(grads[1].dataSync()), [1, 2]);
  assert.is(p.grad, null);
  fr.sum(pending).backward();
  assert.equal(Array.from(p.grad!.dataSync()), [4]);
});

test('rules skip gradients no input needs (conv1 computes no image gradient)', () => {
  const calls: string[] = [];
  const orig = fr.engine.runKernel.bind(fr.engine);
  (fr.engine as any).runKernel = (name: string, ins: fr.Tensor[], attrs?: any) => {
    calls.push(name);
    return (orig as any)(name, ins, attrs);
  };
  try {
    const w = fr.randomNormal([2, 3, 3, 3], 0, 1, { seed: 1 });
    w.requiresGrad = true;
    const x = fr.randomNormal([1, 3, 5, 5], 0, 1, { seed: 2 });
    fr.sum(fr.conv2d(x, w, null, { padding: 1 })).backward();
    assert.ok(calls.includes('Conv2DBackpropFilter'));
    assert.not.ok(calls.includes('Conv2DBackpropInput'), 'no gradient for an input that does not require it');
    calls.length = 0;
    x.requiresGrad = true;
    fr.sum(fr.conv2d(x, w, null, { padding: 1 })).backward();
    assert.ok(calls.includes('Conv2DBackpropInput'));
    assert.ok(x.grad !== null && w.grad !== null);
  } finally {
    (fr.engine as any).runKernel = orig;
  }
});

test('tidy frees everything but the result; keep survives; nested scopes', () => {
  const before = fr.memory();
  let kept!: fr.Tensor;
  const out = fr.tidy(() => {
    const a = fr.ones([10]);
    kept = fr.keep(fr.mul(a, 3));
    const inner = fr.tidy(() => fr.add(a, fr.ones([10])));
    return { r: fr.sum(inner), list: [fr.zeros([2])] };
  });
  const after = fr.memory();
  assert.is(after.numTensors - before.numTensors, 3);
  assert.is(out.r.item(), 20);
  assert.is(kept.dataSync()[9], 3);
  out.r.dispose();
  out.list[0].dispose();
  kept.dispose();
  assert.is(fr.memory().numTensors, before.numTensors);
  assert.is(fr.memory().numBytes, before.numBytes);
});

test('memory is flat over a 200-step training loop (tensors and WASM bytes)', () => {
  const rng = new fr.Rng(5);
  const w = fr.keep(fr.randomNormal([8, 4], 0, 0.1, { rng }));
  w.requiresGrad = true;
  const b = fr.keep(fr.zeros([4]));
  b.requiresGrad = true;
  const x = fr.randomNormal([16, 8], 0, 1, { rng });
  const labels = fr.tensor(
    Int32Array.from({ length: 16 }, (_, i) => i % 4),
    [16],
  );
  let snap: ReturnType<typeof fr.memory> | null = null;
  let heap = 0;
  for (let step = 0; step < 200; step++) {
    const loss = fr.tidy(() => {
      const h = fr.relu(fr.add(fr.mul(fr.sum(fr.reshape(x, [16, 8, 1]), 2), 1), 0));
      const logits = fr.add(
        fr.gather(fr.transpose(fr.concat([fr.slice(w, [0, 0], [8, 4]), fr.zeros([0, 4])], 0), [1, 0]), [0, 1, 2, 3]),
        0,
      );
      const z = fr.add(fr.sum(fr.mul(fr.reshape(h, [16, 1, 8]), fr.reshape(logits, [1, 4, 8])), 2), b);
      return fr.softmaxCrossEntropy(fr.maximum(z, fr.tensor(-50)), labels);
    });
    loss.backward();
    fr.noGrad(() => {
      for (const p of [w, b]) {
        const nv = fr.tidy(() => fr.sub(p, fr.mul(p.grad!, 0.1)));
        p.assign(nv);
        nv.dispose();
        p.grad!.dispose();
        p.grad = null;
      }
    });
    loss.dispose();
    if (step === 10) {
      snap = fr.memory();
      heap = snap.details.heapBytes;
    }
    if (step > 10) {
      const m = fr.memory();
      assert.is(m.numTensors, snap!.numTensors, `tensors at step ${step}`);
      assert.is(m.numBytes, snap!.numBytes, `bytes at step ${step}`);
      assert.is(m.numBuffers, snap!.numBuffers);
      assert.is(m.details.heapBytes, heap, 'WASM heap did not grow');
    }
  }
  assert.is(fr.engine.tape.length, 0);
  w.dispose();
  b.dispose();
  x.dispose();
  labels.dispose();
});

test.run();
