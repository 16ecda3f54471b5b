// fastrcnn test: detections over a split -> VOC results files and the AP / mAP table.
import { formatApTable } from '../detection/testing/evaluate.js';
import { testStep } from '../app/pipeline.js';
import type { Command } from './command.js';
import { apTableJson, fmtSeconds } from './common.js';
import { UsageError, bool, num, parseArgs, required, setPairs, str } from './args.js';
import { baseConfig } from '../detection/model/config.js';
import { applyOverrides } from '../detection/model/configOverrides.js';

export const testCommand: Command = {
  name: 'test',
  summary: 'run a model over a split: results files and the AP / mAP table',
  flags: {
    model: { type: 'string', help: 'model file (required)' },
    data: { type: 'string', help: 'VOC directory (required)' },
    split: { type: 'string', help: 'image set (default test)' },
    results: { type: 'string', help: 'results folder (default <data>/results)' },
    proposals: { type: 'string', help: 'proposals cache (default <data>/proposals)' },
    set: { type: 'list', help: 'test setting override, e.g. --set test.scales=[200,240] (repeatable)' },
    workers: { type: 'string', help: 'threads running the detector, 1 or 2 (default 2 where the machine has 2 or more cores)' },
    json: { type: 'boolean', help: 'print the AP table as JSON (classes, ground truth, AP VOC07 and VOC2010, mAP, timing)' },
  },
  async run(argv, io) {
    const p = parseArgs(argv, this.flags, 'test');
    const pairs = setPairs(p, 'test');
    for (const k of Object.keys(pairs))
      if (!k.startsWith('test.')) throw new UsageError(`test: only test.* settings can be changed here, got '${k}'`);
    const test = Object.keys(pairs).length ? applyOverrides(baseConfig(), pairs).test : undefined;
    const picked = test ? Object.fromEntries(Object.keys(pairs).map((k) => [k.slice(5), (test as any)[k.slice(5)]])) : undefined;
    const r = testStep({
      model: required(p, 'model', 'test'),
      data: required(p, 'data', 'test'),
      split: str(p, 'split') ?? 'test',
      results: str(p, 'results'),
      proposalsDir: str(p, 'proposals'),
      test: picked,
      log: io.err,
      tty: io.tty,
      workers: num(p, 'workers', 'test', { integer: true, min: 1, max: 2 }),
    });
    if (bool(p, 'json')) {
      io.out(
        apTableJson(r.table, {
          split: str(p, 'split') ?? 'test',
          images: r.images,
          seconds: r.seconds,
          msPerImageInNetwork: r.netSecondsPerImage * 1000,
          proposalsPerImage: r.proposalsPerImage,
          results: r.resultsDir,
        }),
      );
      return 0;
    }
    io.out(formatApTable(r.table));
    io.out(
      `test: ${r.images} images in ${fmtSeconds(r.seconds)} (${(r.netSecondsPerImage * 1000).toFixed(0)} ms/image in the network, ` +
        `${r.proposalsPerImage.toFixed(0)} proposals/image); results in ${r.resultsDir}`,
    );
    return 0;
  },
};
