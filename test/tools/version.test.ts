// `version` (API and `fastrcnn --version`) is the package.json version, not a second number to forget.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { version } from '../../src/index.js';
import { cli } from '../helpers/cli.js';

const test = suite('tools: version');

test('version and --version equal package.json', async () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  assert.is(version, pkg.version);
  const r = await cli('--version');
  assert.is(r.code, 0);
  assert.is(r.out, `fastrcnn ${pkg.version}\n`);
});

test.run();
