// fastrcnn train: Fast R-CNN training on a VOC directory (proposals computed when not cached).
import { parseDuration } from '../detection/training/planner.js';
import { PRESET_NAMES, PRESETS, presetConfig } from '../detection/model/presets.js';
import { existsSync } from 'node:fs';
import { trainDetector } from '../app/train.js';
import { readCheckpointMeta } from '../app/trainData.js';
import { trainPaths } from '../app/trainProgress.js';
import { configDifferences } from '../detection/model/configOverrides.js';
import type { Command } from './command.js';
import { CONFIG_FLAGS, fmtSeconds, loadConfig } from './common.js';
import { UsageError, bool, num, parseArgs, required, str } from './args.js';

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a detector on a VOC directory (SGD, checkpoints, loss curve, validation)',
  flags: {
    data: { type: 'string', help: 'VOC directory (required)' },
    out: { type: 'string', help: 'model file to write (required), e.g. model.safetensors' },
    preset: { type: 'string', help: `recipe: ${PRESET_NAMES.map((n) => `${n} (${PRESETS[n].summary})`).join('; ')}. Default: default` },
    time: { type: 'string', help: 'time budget for the whole run, e.g. 90s, 10m, 1h: iterations are planned to fit' },
    split: { type: 'string', help: 'image set to train on (default trainval)' },
    'val-split': {
      type: 'string',
      help: "validate on this image set during training (or 'auto': hold out part of the training set); writes <out stem>.best.safetensors",
    },
    'val-every': { type: 'string', help: 'validate every N Fast R-CNN iterations (default: 5 times over the run) and at the end' },
    proposals: { type: 'string', help: 'proposals cache (default <data>/proposals)' },
    iterations: { type: 'string', help: 'Fast R-CNN iterations (shortcut for --set train.iterations=N; default: from the dataset size)' },
    resume: { type: 'boolean', help: 'continue from <out>.ckpt bit-identically (after Ctrl-C, a kill or a crash)' },
    checkpoint: { type: 'string', help: 'checkpoint file (default <out stem>.ckpt)' },
    'init-from': {
      type: 'string',
      help: 'safetensors file whose tensors start the parameters of the same names (e.g. VGG16 converted by python/fastrcnn_torch); reports what was loaded, left at init and ignored',
    },
    workers: { type: 'string', help: 'threads computing gradients, 1 or 2 (default 2 where the machine has 2 or more cores)' },
    ...CONFIG_FLAGS,
  },
  async run(argv, io) {
    const p = parseArgs(argv, this.flags, 'train');
    const preset = str(p, 'preset') ?? 'default';
    if (!(PRESET_NAMES as readonly string[]).includes(preset))
      throw new UsageError(`train: unknown preset '${preset}' (presets: ${PRESET_NAMES.join(', ')})`);
    num(p, 'iterations', 'train', { integer: true, min: 1 });
    const cfg = loadConfig(p, 'train', { 'train.iterations': str(p, 'iterations') }, presetConfig(preset));
    // A checkpoint carries its whole config, which --resume continues: settings given again must agree.
    const ckpt = str(p, 'checkpoint') ?? trainPaths(required(p, 'out', 'train')).checkpoint;
    if (bool(p, 'resume') && ['preset', 'config', 'set'].some((f) => p.flags[f] !== undefined) && existsSync(ckpt)) {
      const planned = ['train.iterations', 'train.pretrain.iterations', 'train.stepFractions']; // --iterations/--time replan these
      const diff = configDifferences(cfg, readCheckpointMeta(ckpt).config, planned);
      if (diff.length)
        throw new UsageError(
          `train: --resume continues ${ckpt} with its own settings, and --preset/--config/--set ask for others (checkpoint vs asked: ${diff.slice(0, 3).join('; ')}${diff.length > 3 ? `; ${diff.length - 3} more` : ''}); give the same, or drop them`,
        );
    }
    const time = str(p, 'time');
    let timeBudget: number | undefined;
    if (time !== undefined) {
      try {
        timeBudget = parseDuration(time);
      } catch (e) {
        throw new UsageError(`train: --time: ${(e as Error).message}`);
      }
      if (str(p, 'iterations')) throw new UsageError('train: give --time or --iterations, not both');
    }
    const workers = num(p, 'workers', 'train', { integer: true, min: 1, max: 2 });
    const r = await trainDetector({
      data: required(p, 'data', 'train'),
      out: required(p, 'out', 'train'),
      split: str(p, 'split'),
      config: cfg,
      preset,
      proposalsDir: str(p, 'proposals'),
      resume: bool(p, 'resume'),
      checkpoint: str(p, 'checkpoint'),
      initFrom: str(p, 'init-from'),
      timeBudget,
      valSplit: str(p, 'val-split'),
      valEvery: num(p, 'val-every', 'train', { integer: true, min: 1 }),
      log: io.err,
      progress: io.tty ? 'bar' : 'lines',
      workers,
      handleSignals: true,
    });
    const plan = `${r.plan.pretrain ? `${r.plan.pretrain} pre-training steps + ` : ''}${r.plan.iterations} iterations`;
    io.out(
      `train: ${plan}${r.interrupted ? ` (interrupted after ${r.iterations} steps)` : ''} in ${fmtSeconds(r.seconds)} (${r.secondsPerIter.toFixed(3)} s/step)` +
        (r.last ? `, last loss ${r.last.loss.toFixed(3)} (cls ${r.last.lossCls.toFixed(3)}, loc ${r.last.lossLoc.toFixed(3)})` : ''),
    );
    if (r.validation.length)
      io.out(`  validation mAP (VOC07): ${r.validation.map((v) => `${v.map07.toFixed(4)} @${v.iteration + 1}`).join(', ')}`);
    io.out(
      `  model ${r.modelPath ?? '(not written: interrupted; continue with --resume)'}\n  checkpoint ${r.checkpoint}\n  loss ${r.lossCsv}, ${r.lossSvg}` +
        (r.bestPath ? `\n  best ${r.bestPath}` : ''),
    );
    r.model.dispose();
    return r.interrupted ? 130 : 0;
  },
};
