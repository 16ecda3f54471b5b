// fastrcnn detect: detections on one or more images (files or folders), each written as JSON and as a
// picture with the boxes drawn.
import { basename, extname, join } from 'node:path';
import { detectStep, imageFiles } from '../app/detectStep.js';
import { loadModel } from '../app/files.js';
import type { Command } from './command.js';
import { UsageError, num, parseArgs, required, str } from './args.js';

export const detectCommand: Command = {
  name: 'detect',
  summary: 'detect objects in images (files or folders); write pictures with boxes and JSON files',
  flags: {
    model: { type: 'string', help: 'model file (required)' },
    image: { type: 'list', help: 'PNG or JPEG image, or a folder of them (required; repeatable)' },
    out: { type: 'string', help: 'picture to write for one image (default ./<image>.detections.png), or the folder for several' },
    json: { type: 'string', help: 'JSON to write for one image (default: the picture path with .json)' },
    proposals: { type: 'string', help: 'proposals JSON file for one image (default: Selective Search on the image)' },
    threshold: { type: 'string', help: 'score needed to report a detection (default 0.5)' },
    'max-side': {
      type: 'string',
      help: 'scale larger photos down to this longer side before detecting (default 640; 0 = never); boxes are in the file pixels',
    },
  },
  async run(argv, io) {
    const p = parseArgs(argv, this.flags, 'detect');
    const modelPath = required(p, 'model', 'detect');
    const given = (p.flags.image as string[] | undefined) ?? [];
    if (!given.length) required(p, 'image', 'detect');
    const threshold = num(p, 'threshold', 'detect', { min: 0, max: 1 });
    const maxSide = num(p, 'max-side', 'detect', { integer: true, min: 0 });
    if (maxSide !== undefined && maxSide > 0 && maxSide < 32) throw new UsageError('detect: --max-side must be 0 (never) or at least 32');
    const model = loadModel(modelPath);
    const files = imageFiles(given);
    const several = files.length > 1;
    if (several && (str(p, 'json') || str(p, 'proposals')))
      throw new UsageError('detect: --json and --proposals name the files of one image; with several, --out is their folder');
    const t0 = performance.now();
    let total = 0;
    for (const image of files) {
      const out = several ? join(str(p, 'out') ?? 'detections', `${basename(image, extname(image))}.detections.png`) : str(p, 'out');
      const r = detectStep({ model, image, out, json: str(p, 'json'), proposals: str(p, 'proposals'), threshold, maxSide });
      if (several) io.out(`${image}:`);
      for (const d of r.detections)
        io.out(`${d.className.padEnd(12)} ${d.score.toFixed(3)}  [${d.box.map((v) => v.toFixed(0)).join(', ')}]`);
      io.out(
        `detect: ${r.detections.length} detection(s) from ${r.numProposals} proposals in ${r.seconds.toFixed(2)} s` +
          `${r.orientation > 1 ? ` (EXIF orientation ${r.orientation} applied)` : ''} -> ${r.picture}, ${r.json}`,
      );
      total += r.detections.length;
    }
    if (several) io.out(`detect: ${files.length} images, ${total} detection(s) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    model.model.dispose();
    return 0;
  },
};
