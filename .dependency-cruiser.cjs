// The layers of src/, bottom to top. A module may import its own layer and the layers below it,
// never a layer above: `npm run layers` (and `npm test`) fail on such an import, naming the rule.
// docs/layering-check.txt shows the failure a deliberately wrong import gives.
const LAYERS = [
  ['core', 'shape/dtype helpers, the kernel contract, the Backend interface, seeded randomness', '^src/(core|util)/'],
  ['tensor', 'Tensor and the engine (dispatch, scopes, memory, the seam to the tape)', '^src/tensor/'],
  ['backends', 'the WASM and WebGL backends and their kernels', '^src/backends/'],
  ['autograd', 'the tape, the gradient registry, grad()/valueAndGrad()', '^src/autograd/'],
  ['ops', 'the public tensor ops (validate, then run one kernel)', '^src/ops/'],
  ['gradients', 'the gradient rules, written with ops', '^src/gradients/'],
  ['wiring', 'ready(): backends, tape and rules wired into the engine once', '^src/ready\\.ts$'],
  ['nn', 'modules, layers, optimizers, weight files', '^src/nn/'],
  ['detector', 'the detector and its data, proposals and evaluation', '^src/(detection|proposals|data|eval)/'],
  ['entry', 'the package entries', '^src/(index|node)\\.ts$'],
  ['cli', 'the command line', '^src/cli/'],
];

module.exports = {
  forbidden: LAYERS.slice(0, -1).map(([name, comment, path], i) => ({
    name: `layer-${name}-imports-no-higher-layer`,
    comment: `${name} (${comment}) may not import ${LAYERS.slice(i + 1).map((l) => l[0]).join(', ')}`,
    severity: 'error',
    from: { path },
    to: { path: LAYERS.slice(i + 1).map((l) => l[2]) },
  })),
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.generated\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
