// What the browser example's end-to-end tests share: serving the page (scripts/serve.mjs), collecting
// the page's errors, hashing pixels as the page does, and matching the page's detections to Node's.
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import type { RgbImage } from '../../src/index.node.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const example = join(root, 'examples/browser');

export interface Row {
  class: string;
  score: number;
  box: number[];
}

/**
 * Starts scripts/serve.mjs on a free port for an example (`browser`, `train-browser`; it builds the
 * bundles when stale); resolves to the URL and the process.
 */
export async function serveExample(name = 'browser'): Promise<{ url: string; server: ChildProcess }> {
  const server = spawn(process.execPath, [join(root, 'scripts/serve.mjs'), '--example', name, '--port', '0'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`serve.mjs printed no URL in 120 s:\n${log}`)), 120_000);
    const take = (b: Buffer) => {
      log += b;
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(log);
      if (m) {
        clearTimeout(timer);
        ok(m[0]);
      }
    };
    server.stdout!.on('data', take);
    server.stderr!.on('data', take);
    server.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`serve.mjs exited (${code}):\n${log}`));
    });
  });
  return { url, server };
}

/** Uncaught errors and console errors of the page, as they come. */
export function pageErrors(page: Page): string[] {
  const errs: string[] = [];
  page.on('pageerror', (e) => errs.push(String(e.stack ?? e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/favicon|GPU stall/.test(m.text())) errs.push(m.text());
  });
  return errs;
}

export const waitRuns = (page: Page, n: number) =>
  page.waitForFunction((n) => +(document.body.dataset.runs ?? 0) >= n, n, { timeout: 120_000 });

/** Same FNV-1a as the page's (examples/browser/src/main.ts), kept separate so a change to either shows. */
export function imageHash(img: RgbImage): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < img.data.length; i++) h = Math.imul(h ^ img.data[i], 0x01000193);
  return `${img.width}x${img.height}:${(h >>> 0).toString(16)}`;
}

/**
 * Every page row matches one Node detection (same class, score within tol, each box edge within
 * boxTol), and every Node detection clearly above the threshold is listed. Detections within tol
 * of the threshold may be on either side of it. Returns a line for the log.
 */
export function compareDetections(page: Row[], node: Row[], tol: number, threshold: number, what: string, boxTol = 1): string {
  const used = new Set<number>();
  let dScore = 0,
    dBox = 0;
  for (const p of page) {
    const i = node.findIndex(
      (n, k) =>
        !used.has(k) &&
        n.class === p.class &&
        Math.abs(n.score - p.score) <= tol &&
        n.box.every((v, j) => Math.abs(v - p.box[j]) <= boxTol),
    );
    assert.ok(
      i >= 0,
      `${what}: page lists ${p.class} ${p.score.toFixed(4)} [${p.box.map((v) => v.toFixed(1))}] which Node does not find\n` +
        `Node: ${node
          .filter((n) => n.score >= threshold - tol)
          .map((n) => `${n.class} ${n.score.toFixed(4)} [${n.box.map((v) => v.toFixed(1))}]`)
          .join('; ')}`,
    );
    used.add(i);
    dScore = Math.max(dScore, Math.abs(node[i].score - p.score));
    node[i].box.forEach((v, j) => {
      dBox = Math.max(dBox, Math.abs(v - p.box[j]));
    });
    assert.ok(p.score >= threshold, `${what}: a listed score ${p.score} is under the threshold ${threshold}`);
  }
  node.forEach((n, k) => {
    if (n.score >= threshold + tol)
      assert.ok(
        used.has(k),
        `${what}: Node finds ${n.class} ${n.score.toFixed(4)} [${n.box.map((v) => v.toFixed(1))}] but the page does not list it`,
      );
  });
  return `${what}: ${page.length} detection(s) >= ${threshold} match Node (max |score diff| ${dScore.toExponential(1)}, max box diff ${dBox.toFixed(3)} px)`;
}
