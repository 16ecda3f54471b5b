// Smooth-L1 on the WASM backend. Elementwise loss and its gradient; see src/ops/smoothL1.ts.
import { SmoothL1, SmoothL1Grad } from '../../../core/kernels.js';
import { registerKernel } from '../../registry.js';
import { sizeOf } from '../../../core/types.js';
import type { WasmBackend } from '../backend.js';

registerKernel('wasm', SmoothL1, ([x, t], { beta }, bk) => {
  const be = bk as WasmBackend;
  const y = be.out(x.shape.slice());
  be.m.exports.smoothL1Forward(be.ptr(x), be.ptr(t), sizeOf(x.shape), beta, be.ptr(y));
  return [y];
});

// d loss / d input = clamp((x − t)/β, −1, 1) · dy   (sign(x − t) when β = 0)
registerKernel('wasm', SmoothL1Grad, ([dy, x, t], { beta }, bk) => {
  const be = bk as WasmBackend;
  const dx = be.out(x.shape.slice());
  be.m.exports.smoothL1Backward(be.ptr(x), be.ptr(t), sizeOf(x.shape), beta, be.ptr(dy), 1, be.ptr(dx));
  return [dx];
});
