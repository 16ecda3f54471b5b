// The detector's typed-array WASM wrappers (./boxes.ts, ./nms.ts, ./svd.ts: box geometry, NMS and the
// truncated SVD, which have no tensor op) reject bad input in TypeScript with a message naming the
// function before any WASM memory is touched. (RoI pooling, RoIAlign and smooth-L1 are tensor ops:
// src/ops/roi.ts, src/ops/smoothL1.ts.)

export function fail(fn: string, msg: string): never {
  throw new Error(`${fn}: ${msg}`);
}
