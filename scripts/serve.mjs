// `npm run serve`: builds the browser example when its bundle is missing or stale, then serves
// examples/browser/ on 127.0.0.1 and prints the URL. Usage: node scripts/serve.mjs [--port N] [--rebuild]
// [--example browser|train-browser] [--no-isolation] (--port 0 picks a free port; --example
// train-browser serves the training page instead). Only files under the example's folder are served,
// with the COOP/COEP headers that make the page cross-origin isolated, so the WASM engine runs its
// kernels on threads there (--no-isolation leaves them out: one thread).
import { existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const argv = process.argv.slice(2);
// Each example folder has a build.mjs exporting exampleDir, bundleIsStale and buildExample.
const EXAMPLES = ['browser', 'train-browser'];
const exampleArg = argv.indexOf('--example');
const example = exampleArg >= 0 ? argv[exampleArg + 1] : 'browser';
if (!EXAMPLES.includes(example)) {
  console.error(`serve: unknown example '${example}' (examples: ${EXAMPLES.join(', ')})`);
  process.exit(2);
}
const { buildExample, bundleIsStale, exampleDir } = await import(`../examples/${example}/build.mjs`);
const portArg = argv.indexOf('--port');
const port = portArg >= 0 ? +argv[portArg + 1] : +(process.env.PORT ?? 8080);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`serve: bad port '${argv[portArg + 1]}'`);
  process.exit(2);
}

if (argv.includes('--rebuild') || bundleIsStale()) await buildExample();
// COOP/COEP on every response unless --no-isolation (which shows the one-thread fallback)
const isolated = !argv.includes('--no-isolation');

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.md': 'text/markdown; charset=utf-8',
  '.safetensors': 'application/octet-stream',
};
const server = http.createServer((req, res) => {
  let path;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    res.statusCode = 400;
    res.end();
    return;
  }
  if (path.endsWith('/')) path += 'index.html';
  const file = normalize(join(exampleDir, path));
  if (!file.startsWith(exampleDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
    res.statusCode = 404;
    res.setHeader('content-type', 'text/plain');
    res.end(`not found: ${path}`);
    return;
  }
  res.setHeader('content-type', types[extname(file)] ?? 'application/octet-stream');
  res.setHeader('cache-control', 'no-cache');
  if (isolated) {
    // cross-origin isolation: SharedArrayBuffer, so the WASM engine runs its kernels on threads
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    res.setHeader('cross-origin-embedder-policy', 'require-corp');
  }
  res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
});
server.on('error', (e) => {
  console.error(`serve: ${e.message}${e.code === 'EADDRINUSE' ? ' (try --port 0 or --port N)' : ''}`);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => {
  console.log(
    `serving examples/${example} at http://127.0.0.1:${server.address().port}/  (${isolated ? 'cross-origin isolated: WASM threads' : 'not isolated: one WASM thread'}; Ctrl-C to stop)`,
  );
});
