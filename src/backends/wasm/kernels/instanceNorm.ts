// Instance normalization on the WASM backend (assembly/instance_norm.ts); on WebGL the op composes
// dense ops instead (src/ops/norm.ts). The forward also returns the per-(n, c) mean and 1/sqrt(var + eps) that the
// backward reuses, so the statistics are computed once per step. Both passes run on the kernel threads
// (planes forward, channels backward) when large enough.
import { InstanceNorm, InstanceNormGrad } from '../../../core/kernels.js';
import { registerKernel } from '../../registry.js';
import type { WasmBackend } from '../backend.js';
import { parallelRange } from '../threads.js';

// inputs x [N,C,H,W], gamma [C], beta [C] -> y [N,C,H,W], mean [N,C], inv [N,C]
registerKernel('wasm', InstanceNorm, ([x, gamma, beta], { eps }, bk) => {
  const be = bk as WasmBackend;
  const [N, C, H, W] = x.shape;
  const y = be.out(x.shape.slice()),
    mean = be.out([N, C]),
    inv = be.out([N, C]);
  // threads: blocks of (n, c) planes
  parallelRange(
    be.m,
    'instanceNormForwardRange',
    [be.ptr(x), be.ptr(gamma), be.ptr(beta), N, C, H * W, eps, be.ptr(y), be.ptr(mean), be.ptr(inv)],
    N * C,
    { scratchBytes: 0, scratchOffsets: [], work: 8 * N * C * H * W },
  );
  return [y, mean, inv];
});

// inputs dy, x, gamma, mean, inv -> [dx, dgamma, dbeta], or [dgamma, dbeta] when needDx is false
registerKernel('wasm', InstanceNormGrad, ([dy, x, gamma, mean, inv], { needDx = true }, bk) => {
  const be = bk as WasmBackend;
  const [N, C, H, W] = x.shape;
  const dx = needDx ? be.out(x.shape.slice()) : null;
  const dgamma = be.out([C]),
    dbeta = be.out([C]);
  // threads: blocks of channels (dgamma, dbeta of a channel sum over the batch in one thread)
  parallelRange(
    be.m,
    'instanceNormBackwardRange',
    [be.ptr(dy), be.ptr(x), be.ptr(gamma), be.ptr(mean), be.ptr(inv), N, C, H * W, dx ? be.ptr(dx) : 0, be.ptr(dgamma), be.ptr(dbeta)],
    C,
    { scratchBytes: 0, scratchOffsets: [], work: 10 * N * C * H * W },
  );
  return dx ? [dx, dgamma, dbeta] : [dgamma, dbeta];
});
