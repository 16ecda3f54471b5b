// fastrcnn eval: scores VOC results files (comp4_det_<split>_<class>.txt) against a split.
import { formatApTable } from '../detection/testing/evaluate.js';
import { evalStep } from '../app/pipeline.js';
import { readClassesFile } from '../app/data/voc.js';
import type { Command } from './command.js';
import { bool, parseArgs, required, str } from './args.js';
import { apTableJson } from './common.js';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'score VOC results files against a split (AP / mAP, VOC07 and VOC2010)',
  flags: {
    data: { type: 'string', help: 'VOC directory (required)' },
    split: { type: 'string', help: 'image set (default test)' },
    results: { type: 'string', help: 'folder with comp4_det_<split>_<class>.txt (default <data>/results)' },
    classes: { type: 'string', help: 'class list file (default <data>/classes.txt or the names in the annotations)' },
    json: { type: 'boolean', help: 'print the AP table as JSON (classes, ground truth, AP VOC07 and VOC2010, mAP)' },
  },
  async run(argv, io) {
    const p = parseArgs(argv, this.flags, 'eval');
    const data = required(p, 'data', 'eval');
    const file = str(p, 'classes');
    const r = evalStep({
      data,
      split: str(p, 'split') ?? 'test',
      results: str(p, 'results') ?? `${data}/results`,
      classes: file ? readClassesFile(file) : undefined,
    });
    io.out(bool(p, 'json') ? apTableJson(r.table, { split: str(p, 'split') ?? 'test' }) : formatApTable(r.table));
    return 0;
  },
};
