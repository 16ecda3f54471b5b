// Output piped into a reader that has gone (`fastrcnn ... | head`) ends the CLI quietly: exit 0 and no
// "write EPIPE" stack trace on stderr (issue 12).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('a closed stdout ends the CLI quietly', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'train', '--help'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy(); // the reader is gone before the CLI writes a byte
  let err = '';
  child.stderr.on('data', (b) => {
    err += b;
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.is(err, '', 'nothing on stderr');
  assert.is(code, 0);
});

test.run();
