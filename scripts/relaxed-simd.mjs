// Preloaded by the project's own Node processes (tests, benchmarks: `node --import ./scripts/relaxed-simd.mjs`)
// so that Node 20 compiles the relaxed-SIMD (FMA) build, as the CLI does in bin/fastrcnn.js. The
// library itself changes no V8 flag; setFlagsFromString ignores a flag a newer Node no longer has.
import v8 from 'node:v8';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
