// fastrcnn proposals: Selective Search ("fast mode") for a split, cached as one JSON file per image,
// with recall at IoU 0.5 / 0.7 and boxes per image.
import { proposalsStep } from '../app/pipeline.js';
import type { Command } from './command.js';
import { choice, num, parseArgs, required, str } from './args.js';

export const proposalsCommand: Command = {
  name: 'proposals',
  summary: 'compute and cache Selective Search proposals for a split; report recall',
  flags: {
    data: { type: 'string', help: 'VOC directory (required)' },
    split: { type: 'string', help: 'image set (default trainval)' },
    out: { type: 'string', help: 'cache directory (default <data>/proposals)' },
    mode: {
      type: 'string',
      help: "Selective Search mode: 'paper' (default, what train/test/detect compute: the published fast mode), 'fast' (more recall per box, about 2x the time) or 'single'",
    },
    'max-boxes': { type: 'string', help: 'boxes kept per image (default 2000)' },
    workers: { type: 'string', help: 'worker threads (default: the number of cores)' },
  },
  async run(argv, io) {
    const p = parseArgs(argv, this.flags, 'proposals');
    const mode = choice(p, 'mode', 'proposals', ['paper', 'fast', 'single'] as const, 'paper');
    const r = await proposalsStep({
      workers: num(p, 'workers', 'proposals', { integer: true, min: 1, max: 64 }),
      data: required(p, 'data', 'proposals'),
      split: str(p, 'split') ?? 'trainval',
      dir: str(p, 'out'),
      ss: { mode, maxBoxes: num(p, 'max-boxes', 'proposals', { integer: true, min: 1 }) ?? 2000 },
      log: io.err,
      tty: io.tty,
    });
    io.out(
      `proposals: ${r.images} images (${r.computed} computed, ${r.images - r.computed} cached) in ${r.seconds.toFixed(1)} s -> ${r.dir}`,
    );
    io.out(
      `  recall@0.5 ${(r.recall.recall[0] * 100).toFixed(1)}%  recall@0.7 ${(r.recall.recall[1] * 100).toFixed(1)}%  ` +
        `ABO ${r.recall.averageBestOverlap.toFixed(3)}  boxes/image ${r.recall.meanBoxesPerImage.toFixed(0)}  (${r.recall.groundTruth} non-difficult objects)`,
    );
    return 0;
  },
};
