// The browser bundle (src/index.ts, bundled as scripts/build.mjs does it) holds none of the Node layer:
// no Node built-in imports, no worker_threads, no pngjs/jpeg-js, none of the Node application's steps.
// And the check itself catches them: the Node entry's bundle fails it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
// @ts-expect-error: a plain .mjs script without type declarations
import { browserBundleOptions, browserBundleProblems } from '../../scripts/bundles.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function bundle(entry?: string): Promise<string> {
  const r = await build({
    ...browserBundleOptions,
    ...(entry ? { entryPoints: { index: entry } } : {}),
    write: false,
    outdir: 'out',
    absWorkingDir: root,
    logLevel: 'silent',
    external: [...browserBundleOptions.external, 'pngjs', 'jpeg-js'],
  });
  return r.outputFiles!.find((f) => f.path.endsWith('.js'))!.text;
}

test('the browser bundle contains no Node layer; the Node entry would fail the same check', async () => {
  const browser = await bundle();
  assert.equal(browserBundleProblems(browser), []);
  assert.ok(/\bdetect\b/.test(browser) && browser.includes('modelFromBytes'), 'the detector is in the browser bundle');
  const node = browserBundleProblems(await bundle('src/node.ts')) as string[];
  assert.ok(
    node.some((p) => p.startsWith('an import of a Node built-in')),
    node.join('; '),
  );
  assert.ok(
    node.some((p) => p.startsWith('the Node application')),
    node.join('; '),
  );
});

test.run();
