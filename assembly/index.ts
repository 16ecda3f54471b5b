// The whole WASM ABI. Every kernel takes pointers into linear memory and plain sizes; memory is
// allocated by the TypeScript side (src/backends/wasm/allocator.ts), so no kernel allocates.
// Scratch space, where a kernel needs it, is passed in as a pointer too.
export * from './memory';
export * from './elementwise';
export * from './gemm';
export * from './conv';
export * from './pool';
export * from './roi_pool';
export * from './roi_align';
export * from './smooth_l1';
export * from './nms';
export * from './boxes';
export * from './svd';
export * from './selective_search';
export * from './instance_norm';
export * from './winograd';
export * from './winograd4';
