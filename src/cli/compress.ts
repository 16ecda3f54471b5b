// fastrcnn compress: truncated SVD of fc6 / fc7 (the paper's §3.1): parameter counts, fc head time on
// 2000 RoIs before and after, and with --data the mAP before and after.
import { compressModel, fcParameterCounts, timeHead } from '../detection/model/compress.js';
import { formatApTable } from '../detection/testing/evaluate.js';
import { loadModel, saveModel } from '../app/files.js';
import { testStep } from '../app/pipeline.js';
import type { Command } from './command.js';
import { num, parseArgs, required, str } from './args.js';

export const compressCommand: Command = {
  name: 'compress',
  summary: 'compress fc6/fc7 by truncated SVD; report parameters, head time and (with --data) mAP',
  flags: {
    model: { type: 'string', help: 'model file (required)' },
    fc6: { type: 'string', help: 'rank of fc6 (0 = keep)' },
    fc7: { type: 'string', help: 'rank of fc7 (0 = keep)' },
    out: { type: 'string', help: 'compressed model file to write (required)' },
    data: { type: 'string', help: 'VOC directory: also test before and after' },
    split: { type: 'string', help: 'image set for --data (default test)' },
    rois: { type: 'string', help: 'RoIs for the head timing (default 2000)' },
  },
  async run(argv, io) {
    const p = parseArgs(argv, this.flags, 'compress');
    const path = required(p, 'model', 'compress'),
      out = required(p, 'out', 'compress');
    const r6 = num(p, 'fc6', 'compress', { integer: true, min: 0 }) ?? 0,
      r7 = num(p, 'fc7', 'compress', { integer: true, min: 0 }) ?? 0;
    if (!r6 && !r7) throw new Error('compress: give --fc6 and/or --fc7 ranks');
    const rois = num(p, 'rois', 'compress', { integer: true, min: 1 }) ?? 2000;
    const { model, config } = loadModel(path);
    const small = compressModel(model, config, [r6, r7]);
    saveModel(out, small.model, small.config, { compressedFrom: path });
    const a = fcParameterCounts(model),
      b = fcParameterCounts(small.model);
    const ta = timeHead(model, rois),
      tb = timeHead(small.model, rois);
    io.out(`compress: fc6 rank ${r6 || 'kept'}, fc7 rank ${r7 || 'kept'} -> ${out}`);
    io.out(
      `  parameters  fc6 ${a.fc6.toLocaleString('en-US')} -> ${b.fc6.toLocaleString('en-US')}, fc7 ${a.fc7.toLocaleString('en-US')} -> ${b.fc7.toLocaleString('en-US')}`,
    );
    io.out(
      `  on ${rois} RoIs: fc6+fc7 ${(ta.fc * 1000).toFixed(1)} -> ${(tb.fc * 1000).toFixed(1)} ms (${(ta.fc / tb.fc).toFixed(2)}x), ` +
        `whole fc head ${(ta.head * 1000).toFixed(1)} -> ${(tb.head * 1000).toFixed(1)} ms (${(ta.head / tb.head).toFixed(2)}x)`,
    );
    const data = str(p, 'data');
    if (data) {
      const split = str(p, 'split') ?? 'test';
      const before = testStep({ model: { model, config }, data, split, results: `${data}/results/uncompressed`, log: io.err, tty: io.tty });
      const after = testStep({ model: small, data, split, results: `${data}/results/compressed`, log: io.err, tty: io.tty });
      io.out(`before:\n${formatApTable(before.table)}\nafter:\n${formatApTable(after.table)}`);
      io.out(
        `  mAP (VOC07) ${before.table.map07.toFixed(4)} -> ${after.table.map07.toFixed(4)} (${((after.table.map07 - before.table.map07) * 100).toFixed(2)} points); ` +
          `network time per image ${(before.netSecondsPerImage * 1000).toFixed(0)} -> ${(after.netSecondsPerImage * 1000).toFixed(0)} ms`,
      );
    }
    model.dispose();
    small.model.dispose();
    return 0;
  },
};
