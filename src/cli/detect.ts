// fastrcnn detect: detections on one image, written as JSON and as a picture with the boxes drawn.
import { detectStep } from '../app/pipeline.js';
import type { Command } from './command.js';
import { num, parseArgs, required, str } from './args.js';

export const detectCommand: Command = {
  name: 'detect',
  summary: 'detect objects in one image; write a picture with boxes and a JSON file',
  flags: {
    model: { type: 'string', help: 'model file (required)' },
    image: { type: 'string', help: 'PNG or JPEG image (required)' },
    out: { type: 'string', help: 'picture to write (default ./<image>.detections.png)' },
    json: { type: 'string', help: 'JSON to write (default: the picture path with .json)' },
    proposals: { type: 'string', help: 'proposals JSON file (default: Selective Search on the image)' },
    threshold: { type: 'string', help: 'score needed to report a detection (default 0.5)' },
  },
  async run(argv, io) {
    const p = parseArgs(argv, this.flags, 'detect');
    const r = detectStep({
      model: required(p, 'model', 'detect'),
      image: required(p, 'image', 'detect'),
      out: str(p, 'out'),
      json: str(p, 'json'),
      proposals: str(p, 'proposals'),
      threshold: num(p, 'threshold', 'detect', { min: 0, max: 1 }),
    });
    for (const d of r.detections) io.out(`${d.className.padEnd(12)} ${d.score.toFixed(3)}  [${d.box.map((v) => v.toFixed(0)).join(', ')}]`);
    io.out(
      `detect: ${r.detections.length} detection(s) from ${r.numProposals} proposals in ${r.seconds.toFixed(2)} s -> ${r.picture}, ${r.json}`,
    );
    return 0;
  },
};
