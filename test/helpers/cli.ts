// The CLI in-process: runCli with its output captured, for the CLI suites.
import { runCli } from '../../src/cli/run.js';

/** Runs `fastrcnn <argv>` in this process; the exit code and what it wrote to stdout and stderr. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '',
    err = '';
  const code = await runCli(argv, {
    out: (s) => {
      out += s + '\n';
    },
    err: (s) => {
      err += s + '\n';
    },
    tty: false,
  });
  return { code, out, err };
}
