// fastrcnn train: Fast R-CNN training on a VOC directory (proposals computed when not cached).
import { trainDetector } from '../detection/train.js';
import { type Command } from './command.js';
import { CONFIG_FLAGS, fmtSeconds, loadConfig } from './common.js';
import { bool, num, parseArgs, required, str } from './args.js';

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a detector on a VOC directory (SGD, checkpoints, loss curve)',
  flags: {
    data: { type: 'string', help: 'VOC directory (required)' },
    out: { type: 'string', help: 'model file to write (required), e.g. model.safetensors' },
    split: { type: 'string', help: 'image set to train on (default trainval)' },
    proposals: { type: 'string', help: 'proposals cache (default <data>/proposals)' },
    iterations: { type: 'string', help: 'SGD iterations (shortcut for --set train.iterations=N)' },
    resume: { type: 'boolean', help: 'continue from <out>.ckpt bit-identically' },
    checkpoint: { type: 'string', help: 'checkpoint file (default <out stem>.ckpt)' },
    workers: { type: 'string', help: 'threads computing gradients, 1 (default) or 2' },
    ...CONFIG_FLAGS,
  },
  async run(argv, io) {
    const p = parseArgs(argv, this.flags, 'train');
    const cfg = loadConfig(p, 'train', { 'train.iterations': str(p, 'iterations') });
    num(p, 'iterations', 'train', { integer: true, min: 1 });
    const r = trainDetector({
      data: required(p, 'data', 'train'), out: required(p, 'out', 'train'), split: str(p, 'split'), config: cfg,
      proposalsDir: str(p, 'proposals'), resume: bool(p, 'resume'), checkpoint: str(p, 'checkpoint'),
      log: io.err, progress: io.tty ? 'bar' : 'lines', workers: num(p, 'workers', 'train', { integer: true, min: 1 }),
    });
    io.out(`train: ${r.iterations} iterations in ${fmtSeconds(r.seconds)} (${r.secondsPerIter.toFixed(3)} s/iter)` +
      (r.last ? `, last loss ${r.last.loss.toFixed(3)} (cls ${r.last.lossCls.toFixed(3)}, loc ${r.last.lossLoc.toFixed(3)})` : ''));
    io.out(`  model ${r.modelPath}\n  checkpoint ${r.checkpoint}\n  loss ${r.lossCsv}, ${r.lossSvg}`);
    r.model.dispose();
    return 0;
  },
};
