#!/usr/bin/env node
// The CLI sets, for its own process only, the V8 flag that lets Node 20 compile the relaxed-SIMD
// (FMA) build; the library never changes the host's flags (it feature-detects). Worker threads share
// the process's flags. Then it loads the bundled CLI.
import v8 from 'node:v8';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
await import('../dist/node/cli.js');
