// Selective Search over many images on worker threads (Node): the images are split among workers,
// each decodes its images and writes <dir>/<id>.json, so the result is the same files a single
// thread would write. The worker is this module started by ./protocol.ts (task TASKS.proposals).
import { availableParallelism } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { readImageFile } from '../data/fs.js';
import { cachedProposals, loadProposalsIfPresent } from '../../proposals/proposalFiles.js';
import { selectiveSearch, type SelectiveSearchOptions } from '../../proposals/selectiveSearch.js';
import { type ProposalsJob as Job, type ProposalsMsg as Msg, TASKS, spawnTask, workerTask } from './protocol.js';

/** Worker threads to use: the machine's cores (at most `max`). */
export function defaultWorkers(max = 4): number {
  try {
    return Math.max(1, Math.min(max, availableParallelism()));
  } catch {
    return 1;
  }
}

function runJobs(jobs: Job[], dir: string, ss: SelectiveSearchOptions, report: (m: Msg) => void): void {
  for (const j of jobs) {
    try {
      cachedProposals(dir, j.id, () => selectiveSearch(readImageFile(j.imagePath), ss));
      report({ done: j.id });
    } catch (e) {
      report({ error: `${j.id}: proposals failed (${(e as Error).message})` });
    }
  }
}

/**
 * Computes the proposals of every image that has no file in `dir` yet, on `workers` threads (1 = in
 * this thread). Resolves with the per-image errors (an undecodable image is an error, not a throw).
 */
export async function computeProposalsParallel(
  images: Job[],
  dir: string,
  ss: SelectiveSearchOptions,
  opts: { workers?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<{ computed: number; errors: string[] }> {
  const todo = images.filter((j) => !loadProposalsIfPresent(dir, j.id));
  const errors: string[] = [];
  let done = 0;
  const total = todo.length;
  const onMsg = (m: Msg) => {
    if (m.error) errors.push(m.error);
    if (m.done || m.error) opts.onProgress?.(++done, total);
  };
  const W = Math.max(1, Math.min(opts.workers ?? defaultWorkers(), total));
  if (total === 0) return { computed: 0, errors };
  if (W === 1) {
    runJobs(todo, dir, ss, onMsg);
    return { computed: total, errors };
  }
  const chunks: Job[][] = Array.from({ length: W }, () => []);
  todo.forEach((j, i) => chunks[i % W].push(j));
  await Promise.all(
    chunks.map(
      (jobs) =>
        new Promise<void>((resolve, reject) => {
          const w = spawnTask(TASKS.proposals, { jobs, dir, ss }, import.meta.url);
          w.on('message', (m: Msg) => onMsg(m));
          w.on('error', reject);
          w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`proposal worker exited with code ${code}`))));
        }),
    ),
  );
  return { computed: total, errors };
}

// Worker side.
const task = workerTask(TASKS.proposals);
if (task) runJobs(task.jobs, task.dir, task.ss, (m) => parentPort!.postMessage(m));
