// The inference path a page downloads (loadDetector + detect with both backends and the WASM,
// minified, gzipped) stays within the 150 KB budget (issue 13); scripts/size.mjs measures it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
// @ts-expect-error: a plain .mjs script without type declarations
import { sizes } from '../../scripts/size.mjs';

test('the inference path is at most 150 KB gzipped, and smaller than the whole entry', async () => {
  const s = await sizes();
  assert.ok(s.detector.gzip <= 150 * 1024, `${(s.detector.gzip / 1024).toFixed(1)} KB`);
  assert.ok(s.detector.gzip < s.full.gzip, 'tree-shaking drops what inference does not use');
});

test.run();
