// Runs the engine's uvu suites in headless Chromium against the WebGL backend (and a WASM smoke
// test in the same page). Usage: node test/browser/run.mjs [substring filters...]
// The page is not cross-origin isolated (the WASM engine runs on one thread there); with
// browser/threads.test.ts selected, a second page served with COOP/COEP runs test/browser/isolated.ts.
// Bundles the test files with esbuild (one chunk per file, loaded in order so each suite lands in its
// own uvu queue slot), serves the bundle and test/fixtures/reference/ from 127.0.0.1, and ends
// with the line `browser: N passed, N failed, N skipped`.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumPath, launchChromium } from '../../scripts/chromium.mjs';
import { glslPlugin } from '../../scripts/glsl.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const testDir = join(root, 'test');
const fixtureDir = join(testDir, 'fixtures/reference');
/** Test directories that bundle for the browser (no Node APIs beyond the fixture reader). */
const DIRS = ['ops', 'autograd', 'nn', 'webgl', 'detection', 'eval', 'browser'];
const TIMEOUT_MS = +(process.env.BROWSER_TEST_TIMEOUT_MS ?? 8 * 60 * 1000);

function walk(d) {
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .sort()
    .flatMap((f) => {
      const p = join(d, f);
      return statSync(p).isDirectory() ? walk(p) : f.endsWith('.test.ts') ? [p] : [];
    });
}

const filters = process.argv.slice(2);
const candidates = DIRS.flatMap((d) => walk(join(testDir, d))).filter(
  (f) => !filters.length || filters.some((x) => relative(testDir, f).includes(x)),
);
// ---- bundle ------------------------------------------------------------------------------------
const shims = {
  fs: `
export function readFileSync(p, enc) {
  const x = new XMLHttpRequest();
  x.open('GET', String(p), false);
  if (!enc) x.overrideMimeType('text/plain; charset=x-user-defined');
  x.send();
  if (x.status !== 200) { const e = new Error("ENOENT: no such file (browser fetch " + p + " -> " + x.status + ")"); e.code = 'ENOENT'; throw e; }
  if (enc) return x.responseText;
  const s = x.responseText, b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 255;
  return b;
}
export function existsSync(p) { const x = new XMLHttpRequest(); x.open('HEAD', String(p), false); x.send(); return x.status === 200; }
const no = (n) => () => { throw new Error('node:fs ' + n + ' is not available in the browser test runner'); };
export const writeFileSync = no('writeFileSync'), mkdirSync = no('mkdirSync'), readdirSync = no('readdirSync'), statSync = no('statSync');
export default { readFileSync, existsSync, writeFileSync, mkdirSync, readdirSync, statSync };
`,
  url: `
export function fileURLToPath(u) { return new URL(String(u)).pathname; }
export function pathToFileURL(p) { return new URL(p, location.origin); }
export default { fileURLToPath, pathToFileURL };
`,
};

/** The page always gets the current glsl/, whether or not the build has regenerated the module. */
const glsl = glslPlugin(join(root, 'glsl'));

const shimPlugin = {
  name: 'browser-shims',
  setup(b) {
    b.onResolve({ filter: /^(node:)?(fs|url)$/ }, (a) => ({ path: a.path.replace('node:', ''), namespace: 'shim' }));
    b.onLoad({ filter: /.*/, namespace: 'shim' }, (a) => ({ contents: shims[a.path], loader: 'js' }));
  },
};

const esbuild = await import('esbuild');
const t0 = Date.now();
// A test file that imports Node-only modules (node:path, pngjs, ...) does not bundle for the browser:
// it is left out and named.
const bundles = await Promise.all(
  candidates.map((f) =>
    esbuild
      .build({
        entryPoints: [f],
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'browser',
        logLevel: 'silent',
        plugins: [shimPlugin, glsl],
        absWorkingDir: root,
      })
      .then(
        () => true,
        () => false,
      ),
  ),
);
const files = candidates.filter((_, i) => bundles[i]);
// test/browser/threads.test.ts also runs the isolated page (test/browser/isolated.ts)
const isolatedRun = files.some((f) => relative(testDir, f) === join('browser', 'threads.test.ts'));
const nodeOnly = candidates.filter((_, i) => !bundles[i]).map((f) => relative(testDir, f));
if (nodeOnly.length) console.log(`not run in the browser (they import Node-only modules): ${nodeOnly.join(', ')}`);
if (!files.length) {
  console.log('no browser test files match');
  console.log('\nbrowser: 0 passed, 0 failed, 0 skipped');
  process.exit(0);
}
const out = mkdtempSync(join(tmpdir(), 'fastrcnn-browser-'));
const names = files.map((f) => relative(testDir, f));
const entry = join(out, 'entry.js');
writeFileSync(
  entry,
  `
globalThis.FASTRCNN_TEST_BACKEND = 'webgl';
globalThis.UVU_DEFER = 1;
globalThis.UVU_QUEUE = [];
globalThis.UVU_INDEX = 0;
const names = ${JSON.stringify(names)};
const loaders = [${files.map((f) => `() => import(${JSON.stringify(f)})`).join(',\n')}];
window.__runTests = async () => {
  const report = window.__report;
  let passed = 0, failed = 0, skipped = 0;
  for (let i = 0; i < loaders.length; i++) {
    globalThis.UVU_INDEX = i;
    globalThis.UVU_QUEUE[i] = [names[i]];
    try { await loaders[i](); }
    catch (e) { failed++; await report({ name: names[i], error: 'failed to load: ' + (e && e.stack || e) }); globalThis.UVU_QUEUE[i] = [names[i]]; }
  }
  for (const group of globalThis.UVU_QUEUE) {
    const name = group.shift();
    for (const runner of group) {
      const t0 = performance.now();
      let res;
      try { res = await runner(); } catch (e) { res = [String(e && e.stack || e), 0, 0, 1]; }
      const [errs, ran, skip, total] = res;
      passed += ran; skipped += skip; failed += total - ran;
      await report({ name, passed: ran, total, skipped: skip, ms: performance.now() - t0, error: errs === true ? null : errs });
    }
  }
  return { passed, failed, skipped };
};
`,
);

try {
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    splitting: true,
    outdir: join(out, 'bundle'),
    target: 'es2022',
    logLevel: 'error',
    plugins: [shimPlugin, glsl],
    absWorkingDir: root,
    nodePaths: [join(root, 'node_modules')],
    define: { 'process.env.NODE_ENV': '"test"' },
  });
  // the kernel threads in a cross-origin isolated page (/isolated.html, run after the suites)
  if (isolatedRun)
    await esbuild.build({
      entryPoints: [join(testDir, 'browser/isolated.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      outfile: join(out, 'bundle/isolated.js'),
      target: 'es2022',
      logLevel: 'error',
      plugins: [shimPlugin, glsl],
      absWorkingDir: root,
    });
  // the library inside a worker (test/browser/worker.test.ts loads /bundle/worker.js)
  await esbuild.build({
    entryPoints: [join(testDir, 'browser/worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    outfile: join(out, 'bundle/worker.js'),
    target: 'es2022',
    logLevel: 'error',
    plugins: [shimPlugin, glsl],
    absWorkingDir: root,
  });
} catch (e) {
  console.log(`bundling failed: ${e.message}`);
  console.log('\nbrowser: 0 passed, 1 failed, 0 skipped');
  rmSync(out, { recursive: true, force: true });
  process.exit(1);
}
console.log(`bundled ${files.length} test files in ${((Date.now() - t0) / 1000).toFixed(1)}s`);

// ---- serve -------------------------------------------------------------------------------------
const types = { '.js': 'text/javascript', '.html': 'text/html', '.json': 'application/json', '.map': 'application/json' };
const server = http.createServer((req, res) => {
  const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  let file = null;
  if (url === '/favicon.ico') {
    res.statusCode = 204;
    res.end();
    return;
  }
  if (url === '/isolated.html') {
    // cross-origin isolated: SharedArrayBuffer, and with it the kernel threads (its scripts are same-origin)
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    res.setHeader('cross-origin-embedder-policy', 'require-corp');
    res.setHeader('content-type', 'text/html');
    res.end(
      '<!doctype html><meta charset="utf-8"><title>fastrcnn threads</title><script type="module" src="/bundle/isolated.js"></script>',
    );
    return;
  }
  if (url === '/') {
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><meta charset="utf-8"><title>fastrcnn tests</title><script type="module" src="/bundle/entry.js"></script>');
    return;
  }
  if (url.startsWith('/bundle/')) file = join(out, url);
  else if (url.startsWith('/fixtures/reference/')) file = join(fixtureDir, url.slice('/fixtures/reference/'.length));
  // the example page's model and sample pictures (test/browser/detector.test.ts)
  else if (url.startsWith('/examples/browser/')) file = join(root, url);
  if (!file || file.includes('..') || !existsSync(file) || !statSync(file).isFile()) {
    res.statusCode = 404;
    res.end('not found');
    return;
  }
  res.setHeader('content-type', types[extname(file)] ?? 'application/octet-stream');
  res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;

// ---- run ---------------------------------------------------------------------------------------
const browser = await launchChromium(chromiumPath);
const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
let status = 0;
const timer = setTimeout(() => {
  console.log(`\nbrowser suite timed out after ${TIMEOUT_MS / 1000}s`);
  console.log(failures.join('\n'));
  console.log(`\nbrowser: ${totals.passed} passed, ${totals.failed + 1} failed, ${totals.skipped} skipped`);
  browser.close().finally(() => process.exit(1));
}, TIMEOUT_MS);
try {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e.stack ?? e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/GPU stall due to ReadPixels/.test(m.text())) pageErrors.push(m.text());
  });
  await page.exposeFunction('__report', (r) => {
    if ('passed' in r) {
      totals.passed += r.passed;
      totals.failed += r.total - r.passed;
      totals.skipped += r.skipped;
      console.log(`${r.name.padEnd(40)} ${r.passed}/${r.total}${r.skipped ? ` (${r.skipped} skipped)` : ''}  ${(r.ms / 1000).toFixed(1)}s`);
    } else {
      totals.failed++;
      console.log(`${r.name.padEnd(40)} LOAD ERROR`);
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips the ANSI colour codes of uvu's error text
    if (r.error) failures.push(`--- ${r.name}\n${String(r.error).replace(/\x1b\[[0-9;]*m/g, '')}`);
  });
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => typeof window.__runTests === 'function', null, { timeout: 60000 });
  await page.evaluate(() => window.__runTests());
  if (pageErrors.length) console.log(`\npage errors:\n${pageErrors.slice(0, 20).join('\n').slice(0, 8000)}`);
  if (isolatedRun) {
    const iso = await browser.newPage();
    const t0 = Date.now();
    await iso.goto(`http://127.0.0.1:${port}/isolated.html`);
    await iso.waitForFunction(() => window.__isolated, null, { timeout: 120000 });
    const r = await iso.evaluate(() => window.__isolated);
    const name = 'browser/isolated.ts (COOP/COEP page)';
    console.log(`${name.padEnd(40)} ${r.problems.length ? 0 : 1}/1  ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    if (r.problems.length) {
      totals.failed++;
      failures.push(`--- ${name}\n${r.problems.join('\n')}`);
    } else totals.passed++;
    await iso.close();
  }
} catch (e) {
  status = 1;
  totals.failed++;
  console.log(`browser runner error: ${e.stack ?? e}`);
} finally {
  clearTimeout(timer);
  await browser.close();
  server.close();
  rmSync(out, { recursive: true, force: true });
}
if (failures.length) console.log('\n' + failures.join('\n'));
console.log(`\nbrowser: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(status || totals.failed ? 1 : 0);
