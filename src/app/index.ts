// The Node application's public names (exported by `fastrcnn/node`, src/node.ts): files (atomic
// writes, model files), VOC datasets and proposal caches on disk, the training command, the pipeline
// steps behind the CLI, results files, the demo and the ONNX export.
export * from './files.js';
export * from './dataset.js';
export * from './train.js';
export * from './pipeline.js';
export * from './resultsFiles.js';
export * from './demo.js';
export * from './detectStep.js';
export { exportOnnx, onnxSignature, ONNX_OPSET, type ExportOnnxOptions, type OnnxIo } from './onnx/exportOnnx.js';
export { readOnnxMetadata } from './onnx/onnxMetadata.js';
