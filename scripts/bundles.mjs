// The browser bundle's esbuild options, and what it must not contain: the Node layer (src/app/,
// src/node.ts) and Node's APIs. Used by scripts/build.mjs (the build fails on a finding) and by
// test/tools/bundle.test.ts (which bundles src/index.ts in memory).
export const browserBundleOptions = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  logLevel: 'warning',
  platform: 'browser',
  entryPoints: { index: 'src/index.ts' },
  external: ['node:*', 'fs', 'path', 'url', 'v8', 'os', 'zlib', 'crypto'],
};

const FORBIDDEN = [
  [
    'an import of a Node built-in',
    /\b(?:from|import|require)\s*\(?\s*["'](?:node:|(?:fs|path|os|url|v8|zlib|crypto|worker_threads|child_process)["'])/,
  ],
  ['worker_threads', /worker_threads/],
  ['the PNG/JPEG codecs of Node (pngjs, jpeg-js)', /["'](?:pngjs|jpeg-js)["']|decodePng|decodeJpeg/],
  [
    'the Node application (trainDetector, proposalsStep, testStep, detectStep, runDemo, atomicWrite)',
    /\b(trainDetector|proposalsStep|testStep|detectStep|runDemo|atomicWrite|readImageFile|synthesize)\b/,
  ],
];

/** What the browser bundle's text contains that it must not (an empty list when it is clean). */
export function browserBundleProblems(text) {
  return FORBIDDEN.filter(([, re]) => re.test(text)).map(([what, re]) => `${what}: ${JSON.stringify(text.match(re)[0])}`);
}
