// The layers of src/, bottom to top. A module may import its own layer and the layers below it,
// never a layer above: `npm run layers` (and `npm test`) fail on such an import, naming the rule.
// docs/layering-check.txt shows the failure a deliberately wrong import gives; docs/ARCHITECTURE.md
// describes the layers and the detector's rooms.
const LAYERS = [
  ['core', 'shape/dtype helpers, the kernel contract, the Backend interface, seeded randomness', '^src/(core|util)/'],
  ['tensor', 'Tensor and the engine (dispatch, scopes, memory, the seam to the tape)', '^src/tensor/'],
  ['backends', 'the WASM and WebGL backends and their kernels', '^src/backends/'],
  ['autograd', 'the tape, the gradient registry, grad()/valueAndGrad()', '^src/autograd/'],
  ['ops', 'the public tensor ops (validate, then run one kernel)', '^src/ops/'],
  ['gradients', 'the gradient rules, written with ops', '^src/gradients/'],
  ['wiring', 'ready(): backends, tape and rules wired into the engine once', '^src/ready\\.ts$'],
  ['nn', 'modules, layers, optimizers, weight files', '^src/nn/'],
  ['data', "the detector's data: images, boxes (the +1 pixel rules), VOC records, proposals, VOC AP", '^src/(data|proposals|eval)/'],
  [
    'model',
    'the detector as in the paper: FastRCNN, box coding, sampleRois, targets, the loss, post-processing, compression, model file, config',
    '^src/detection/model/',
  ],
  [
    'training',
    'the training step (mini-batches, hard mining, pre-training, planner, validation) and the test step (detections and mAP of a split)',
    '^src/detection/(training|testing)/',
  ],
  ['entry', 'the browser-safe package entry `fastrcnn`', '^src/(index|detection/index)\\.ts$'],
  [
    'app',
    'the Node application: image files, VOC directories and datasets on disk, pipeline steps, train, demo, worker threads',
    '^src/app/',
  ],
  [
    'node-entry',
    'the Node package entries: `fastrcnn/node`, and `fastrcnn` under Node (the codecs registered)',
    '^src/(node|index\\.node)\\.ts$',
  ],
  ['cli', 'the command line', '^src/cli/'],
];

// Modules that need Node (the file system, worker threads, PNG/JPEG codecs): the app layer (with its
// data/: image files, VOC directories, the synthetic dataset writer, the codecs), the Node entries and
// the CLI. Everything below the app layer is browser-safe.
const NODE_ONLY = '^src/(app/|cli/|(node|index\\.node)\\.ts$)';

module.exports = {
  forbidden: [
    ...LAYERS.slice(0, -1).map(([name, comment, path], i) => ({
      name: `layer-${name}-imports-no-higher-layer`,
      comment: `${name} (${comment}) may not import ${LAYERS.slice(i + 1)
        .map((l) => l[0])
        .join(', ')}`,
      severity: 'error',
      from: { path },
      to: { path: LAYERS.slice(i + 1).map((l) => l[2]) },
    })),
    {
      name: 'browser-entry-reaches-no-node-module',
      comment: 'src/index.ts (`fastrcnn`, the browser bundle) may not reach a Node-only module, directly or through others',
      severity: 'error',
      from: { path: '^src/index\\.ts$' },
      to: { path: NODE_ONLY, reachable: true },
    },
    {
      name: 'node-apis-only-in-node-modules',
      comment: 'only the Node-only modules (app, cli, the node entries) import Node built-ins or the PNG/JPEG codecs',
      severity: 'error',
      from: { path: '^src/', pathNot: NODE_ONLY },
      to: {
        dependencyTypesNot: ['type-only', 'type-import'],
        path: '^(node:|fs$|path$|os$|url$|worker_threads$|child_process$)|node_modules/(pngjs|jpeg-js)/',
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.generated\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
