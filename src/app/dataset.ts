// Node glue between a VOC directory and the detector: reading a split (warnings collected, never
// thrown per image), decoding images once (corrupt ones skipped with a warning), and the proposals
// of each image from the cache directory, computed with Selective Search when missing.
import { join } from 'node:path';
import { loadVocImage, readVoc, type VocDataset, type VocRecord } from './data/voc.js';
import type { RgbImage } from '../data/types.js';
import { cachedProposals, loadProposalsIfPresent } from '../proposals/proposalFiles.js';
import { DEFAULT_SS_OPTIONS, selectiveSearch, type SelectiveSearchOptions } from '../proposals/selectiveSearch.js';

/** Default proposals cache of a dataset. */
export function defaultProposalsDir(dataDir: string): string {
  return join(dataDir, 'proposals');
}

/** Selective Search settings used by the CLI and the demo (the paper's "fast mode", at most 2000 boxes). */
export { DEFAULT_SS_OPTIONS };

export function readSplit(dataDir: string, split: string, classes?: string[]): VocDataset {
  return readVoc(dataDir, { split, classes });
}

/** Decoded images by id; a record whose image does not decode is dropped with a warning. */
export function decodeImages(records: VocRecord[], warnings: string[]): { records: VocRecord[]; images: Map<string, RgbImage> } {
  const images = new Map<string, RgbImage>();
  const ok: VocRecord[] = [];
  for (const r of records) {
    try {
      const img = loadVocImage(r);
      if (img.width !== r.width || img.height !== r.height) {
        warnings.push(`${r.id}: decoded image is ${img.width}x${img.height}, header said ${r.width}x${r.height}; using the decoded size`);
        const sx = img.width / r.width,
          sy = img.height / r.height;
        for (const o of r.objects) o.box = [o.box[0] * sx, o.box[1] * sy, o.box[2] * sx, o.box[3] * sy];
        r.width = img.width;
        r.height = img.height;
      }
      images.set(r.id, img);
      ok.push(r);
    } catch (e) {
      warnings.push(`${r.id}: image cannot be decoded (${(e as Error).message}), image skipped`);
    }
  }
  return { records: ok, images };
}

export interface ProposalOptions {
  /** Cache directory (default <data>/proposals). */
  dir: string;
  /** Compute missing ones with Selective Search (default true); false = images without a file get none. */
  compute?: boolean;
  ss?: SelectiveSearchOptions;
  onProgress?: (done: number, total: number, computed: number) => void;
}

/**
 * Proposals of each record from `<dir>/<id>.json`; missing files are computed from the image (and
 * cached) unless compute is false. A bad file is a warning and the image gets no proposals.
 */
export function proposalsFor(
  records: VocRecord[],
  image: (r: VocRecord) => RgbImage,
  opts: ProposalOptions,
  warnings: string[],
): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  let computed = 0;
  records.forEach((r, i) => {
    try {
      const rec =
        opts.compute === false
          ? loadProposalsIfPresent(opts.dir, r.id)
          : cachedProposals(opts.dir, r.id, () => {
              computed++;
              return selectiveSearch(image(r), opts.ss ?? DEFAULT_SS_OPTIONS);
            });
      if (rec) {
        if (rec.boxes.length === 0) warnings.push(`${r.id}: no proposals`);
        out.set(r.id, rec.boxes);
      } else {
        warnings.push(`${r.id}: no proposals file in ${opts.dir}`);
      }
    } catch (e) {
      warnings.push(`${r.id}: proposals unusable (${(e as Error).message})`);
    }
    opts.onProgress?.(i + 1, records.length, computed);
  });
  return out;
}
