// Proposal files: one JSON file per image, `{ "image_id": "...", "boxes": [[x1,y1,x2,y2], ...],
// "scores"?: [...] }`, boxes VOC pixel-inclusive and 0-based, in a cache directory laid out as
// `<dir>/<image_id>.json`. Parsing and serializing are pure (browsers use them on fetched text); the
// disk functions reach `node:fs` only when called, through process.getBuiltinModule, so importing
// this file never pulls Node modules into a browser bundle.

export interface ProposalRecord {
  imageId: string;
  /** Flat [n*4] (x1, y1, x2, y2). */
  boxes: Float32Array;
  /** Optional per-box scores, [n]. */
  scores?: Float32Array;
}

/** Serializes one image's proposals as the file format (boxes as nested 4-arrays). */
export function serializeProposals(rec: ProposalRecord): string {
  checkRecord(rec, 'serializeProposals');
  const boxes: number[][] = [];
  for (let i = 0; i < rec.boxes.length; i += 4) boxes.push([rec.boxes[i], rec.boxes[i + 1], rec.boxes[i + 2], rec.boxes[i + 3]]);
  const out: Record<string, unknown> = { image_id: rec.imageId, boxes };
  if (rec.scores) out.scores = Array.from(rec.scores);
  return JSON.stringify(out);
}

/** Parses and validates a proposals file's text. `source` names it in error messages. */
export function parseProposals(text: string, source = 'proposals'): ProposalRecord {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not valid JSON (${(e as Error).message})`);
  }
  return proposalsFromJson(obj, source);
}

/** Validates an already-parsed proposals object. */
function proposalsFromJson(obj: unknown, source = 'proposals'): ProposalRecord {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
    throw new Error(`${source}: expected a JSON object with "image_id" and "boxes"`);
  const o = obj as Record<string, unknown>;
  const id = o.image_id;
  if (typeof id !== 'string' && !(typeof id === 'number' && Number.isInteger(id))) {
    throw new Error(`${source}: "image_id" must be a string (or an integer), got ${describe(id)}`);
  }
  const imageId = String(id);
  if (!Array.isArray(o.boxes)) throw new Error(`${source}: "boxes" must be an array of [x1, y1, x2, y2], got ${describe(o.boxes)}`);
  const n = o.boxes.length;
  const boxes = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const b = o.boxes[i];
    if (!Array.isArray(b) || b.length !== 4) {
      throw new Error(
        `${source}: boxes[${i}] must be [x1, y1, x2, y2] (4 numbers), got ${Array.isArray(b) ? `${b.length} values` : describe(b)}`,
      );
    }
    for (let c = 0; c < 4; c++) {
      if (typeof b[c] !== 'number' || !Number.isFinite(b[c]))
        throw new Error(`${source}: boxes[${i}][${c}] is ${describe(b[c])}, not a finite number`);
      boxes[4 * i + c] = b[c];
    }
    if (b[2] < b[0] || b[3] < b[1]) throw new Error(`${source}: boxes[${i}] = [${b.join(', ')}] has x2 < x1 or y2 < y1`);
  }
  const rec: ProposalRecord = { imageId, boxes };
  if (o.scores !== undefined) {
    if (!Array.isArray(o.scores)) throw new Error(`${source}: "scores" must be an array of numbers, got ${describe(o.scores)}`);
    if (o.scores.length !== n) throw new Error(`${source}: "scores" has ${o.scores.length} values for ${n} boxes`);
    rec.scores = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const s = o.scores[i];
      if (typeof s !== 'number' || !Number.isFinite(s)) throw new Error(`${source}: scores[${i}] is ${describe(s)}, not a finite number`);
      rec.scores[i] = s;
    }
  }
  return rec;
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? s.slice(0, 37) + '...' : s;
}

function checkRecord(rec: ProposalRecord, where: string): void {
  checkImageId(rec.imageId);
  if (rec.boxes.length % 4 !== 0) throw new Error(`${where}: boxes must be a flat [n*4] array, got length ${rec.boxes.length}`);
  if (rec.scores && rec.scores.length !== rec.boxes.length / 4) {
    throw new Error(`${where}: ${rec.scores.length} scores for ${rec.boxes.length / 4} boxes`);
  }
}

/** An image id must be usable as a file name: non-empty, no path separators, not '.' or '..'. */
function checkImageId(id: string): void {
  if (typeof id !== 'string' || id === '' || id === '.' || id === '..' || /[/\\\0]/.test(id)) {
    throw new Error(`proposal files: image id ${JSON.stringify(id)} cannot be a file name`);
  }
}

/** `<dir>/<imageId>.json` */
export function proposalPath(dir: string, imageId: string): string {
  checkImageId(imageId);
  return `${dir.replace(/[/\\]+$/, '') || '/'}/${imageId}.json`;
}

type NodeFs = typeof import('node:fs');
function nodeFs(): NodeFs {
  const fs = (globalThis as any).process?.getBuiltinModule?.('node:fs') as NodeFs | undefined;
  if (!fs) throw new Error('proposal files on disk need Node.js (>= 20.16); in a browser use parseProposals/serializeProposals');
  return fs;
}

/** Writes `<dir>/<imageId>.json`, creating the directory (via a temporary file, so readers never see half a file). */
export function saveProposals(dir: string, rec: ProposalRecord): string {
  const fs = nodeFs();
  const path = proposalPath(dir, rec.imageId);
  const text = serializeProposals(rec);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${path}.${(globalThis as any).process?.pid ?? 0}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, path);
  return path;
}

/** Reads and validates `<dir>/<imageId>.json`; its image_id must match. */
export function loadProposals(dir: string, imageId: string): ProposalRecord {
  const path = proposalPath(dir, imageId);
  let text: string;
  try {
    text = nodeFs().readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read proposals (${(e as Error).message})`);
  }
  const rec = parseProposals(text, path);
  if (rec.imageId !== imageId) throw new Error(`${path}: image_id is "${rec.imageId}", expected "${imageId}"`);
  return rec;
}

/** Like loadProposals, but null when the file does not exist. */
export function loadProposalsIfPresent(dir: string, imageId: string): ProposalRecord | null {
  return nodeFs().existsSync(proposalPath(dir, imageId)) ? loadProposals(dir, imageId) : null;
}

/** The image ids that have a proposals file in `dir` (sorted; [] when the directory is missing). */
export function listProposalIds(dir: string): string[] {
  const fs = nodeFs();
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Loads `<dir>/<imageId>.json` if present, else computes the boxes, saves and returns them. */
export function cachedProposals(dir: string, imageId: string, compute: () => Float32Array): ProposalRecord {
  const have = loadProposalsIfPresent(dir, imageId);
  if (have) return have;
  const rec: ProposalRecord = { imageId, boxes: compute() };
  saveProposals(dir, rec);
  return rec;
}
