// fastrcnn export: a model file's network as an ONNX model (src/app/onnx/exportOnnx.ts); prints the
// graph's inputs and outputs and the preprocessing they expect.
import { existsSync, statSync } from 'node:fs';
import { atomicWrite, loadModel } from '../app/files.js';
import { ONNX_OPSET, exportOnnx, onnxSignature } from '../app/onnx/exportOnnx.js';
import type { Command } from './command.js';
import { UsageError, parseArgs, required } from './args.js';

/** loadModel, with a hint when the input is already an ONNX file (a common mix-up of the two flags). */
function readModel(path: string): ReturnType<typeof loadModel> {
  try {
    return loadModel(path);
  } catch (e) {
    if (/\.onnx$/i.test(path)) throw new Error(`${(e as Error).message} (--model takes a fastrcnn model file, not an ONNX file)`);
    throw e;
  }
}

export const exportCommand: Command = {
  name: 'export',
  summary: "write a model's network as ONNX (image blob and RoIs in, class probabilities and box deltas out)",
  flags: {
    model: { type: 'string', help: 'model file (required)' },
    onnx: { type: 'string', help: 'ONNX file to write (required)' },
  },
  async run(argv, io) {
    const p = parseArgs(argv, this.flags, 'export');
    const path = required(p, 'model', 'export'),
      out = required(p, 'onnx', 'export');
    if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`export: --onnx ${out} is a directory; give a file name`);
    const { model, config } = readModel(path);
    const bytes = exportOnnx(model, config, { metadata: { source: path } });
    try {
      atomicWrite(out, bytes);
    } catch (e) {
      throw new Error(`cannot write ${out}: ${(e as Error).message}`);
    }
    const sig = onnxSignature(model);
    const all = [...sig.inputs, ...sig.outputs].map((v) => `${v.name} [${v.shape.join(', ')}]`);
    const w = Math.max(...all.map((s) => s.length)) + 2;
    const fmt = (v: (typeof sig.inputs)[number]) => `${v.name} [${v.shape.join(', ')}]`.padEnd(w) + v.doc;
    io.out(`export: ${path} -> ${out} (ONNX opset ${ONNX_OPSET}, ${(bytes.length / 2 ** 20).toFixed(2)} MiB)`);
    sig.inputs.forEach((v, i) => io.out(`  ${i ? '        ' : 'inputs  '}${fmt(v)}`));
    sig.outputs.forEach((v, i) => io.out(`  ${i ? '        ' : 'outputs '}${fmt(v)}`));
    io.out(
      `  preprocessing: RGB, short side ${config.test.scales.join(' or ') || '(the training scale)'} (long side at most ${config.test.maxSize}), ` +
        `minus pixel means [${config.pixelMeans}], divided by pixel stds [${config.pixelStds}]; see docs/onnx.md`,
    );
    model.dispose();
    return 0;
  },
};
