// fastrcnn synth: writes the built-in synthetic shapes dataset as a VOC directory.
import { synthesize } from '../app/data/synth.js';
import type { Command } from './command.js';
import { choice, num, parseArgs, required } from './args.js';

export const synthCommand: Command = {
  name: 'synth',
  summary: 'write the built-in synthetic dataset (VOC format): shapes on cluttered backgrounds',
  flags: {
    out: { type: 'string', help: 'output directory (required)' },
    images: { type: 'string', help: 'number of images (default 400)' },
    seed: { type: 'string', help: 'random seed (default 1)' },
    'test-fraction': { type: 'string', help: 'fraction of images in the test split (default 0.5)' },
    format: { type: 'string', help: 'jpeg (default) or png' },
  },
  async run(argv, io) {
    const p = parseArgs(argv, this.flags, 'synth');
    const out = required(p, 'out', 'synth');
    const images = num(p, 'images', 'synth', { integer: true, min: 1 }) ?? 400;
    const seed = num(p, 'seed', 'synth', { integer: true }) ?? 1;
    const format = choice(p, 'format', 'synth', ['jpeg', 'png'] as const, 'jpeg');
    const t0 = performance.now();
    const s = synthesize({ outDir: out, images, seed, testFraction: num(p, 'test-fraction', 'synth', { min: 0, max: 1 }), format });
    io.out(`synth: ${images} images in ${((performance.now() - t0) / 1000).toFixed(1)} s -> ${out}`);
    io.out(`  classes: ${s.classes.join(', ')}`);
    io.out(
      `  splits: ${Object.entries(s.splits)
        .map(([k, v]) => `${k} ${v.length}`)
        .join(', ')}`,
    );
    io.out(
      `  objects: ${Object.entries(s.objects)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')} (${s.difficult} difficult)`,
    );
    return 0;
  },
};
