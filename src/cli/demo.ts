// fastrcnn demo (`npm run demo`): synth -> proposals -> train -> test -> detect, timed, paths printed.
import { formatApTable } from '../detection/testing/evaluate.js';
import { DEMO_IMAGES, runDemo } from '../app/demo.js';
import { presetConfig } from '../detection/model/presets.js';
import type { Command } from './command.js';
import { CONFIG_FLAGS, fmtSeconds, loadConfig } from './common.js';
import { num, parseArgs, str } from './args.js';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'synthesize a dataset, compute proposals, train, test and detect (the whole pipeline)',
  flags: {
    out: { type: 'string', help: 'output folder (default ./out/demo)' },
    images: { type: 'string', help: `images to synthesize (default ${DEMO_IMAGES})` },
    seed: { type: 'string', help: 'dataset seed (default 1)' },
    iterations: { type: 'string', help: 'training iterations (shortcut for --set train.iterations=N)' },
    workers: { type: 'string', help: 'threads for training and testing, 1 or 2 (default 2 on a machine with 2+ cores)' },
    ...CONFIG_FLAGS,
  },
  async run(argv, io) {
    const p = parseArgs(argv, this.flags, 'demo');
    const cfg = loadConfig(p, 'demo', { 'train.iterations': str(p, 'iterations') }, presetConfig('shapes'));
    const r = await runDemo({
      out: str(p, 'out'),
      images: num(p, 'images', 'demo', { integer: true, min: 4 }),
      seed: num(p, 'seed', 'demo', { integer: true }),
      config: cfg,
      log: io.err,
      tty: io.tty,
      workers: num(p, 'workers', 'demo', { integer: true, min: 1, max: 2 }),
    });
    io.out(`\n${formatApTable(r.table)}\n`);
    io.out(`steps: ${r.steps.map((s) => `${s.name} ${s.seconds.toFixed(1)} s`).join(', ')}`);
    io.out(`total: ${fmtSeconds(r.seconds)} (training ${r.secondsPerIter.toFixed(3)} s/iteration)`);
    io.out(
      `proposal recall (test): ${(r.recall.test.recall[0] * 100).toFixed(1)}% @0.5, ${(r.recall.test.recall[1] * 100).toFixed(1)}% @0.7, ${r.recall.test.meanBoxesPerImage.toFixed(0)} boxes/image`,
    );
    io.out('\noutputs:');
    const labels: Record<string, string> = {
      data: 'dataset (VOC format)',
      model: 'model',
      checkpoint: 'checkpoint',
      lossCsv: 'loss (CSV)',
      lossSvg: 'loss plot (SVG)',
      results: 'VOC results files',
      picture: 'detections picture',
      detectionsJson: 'detections (JSON)',
    };
    for (const [k, label] of Object.entries(labels)) io.out(`  ${label.padEnd(22)} ${r.paths[k]}`);
    return 0;
  },
};
