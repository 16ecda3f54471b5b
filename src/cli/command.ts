// What every CLI command is: a name, a one-line summary, its flags and an async run.
import type { FlagSpec } from './args.js';
import type { Io } from './common.js';

export interface Command {
  name: string;
  summary: string;
  flags: Record<string, FlagSpec>;
  /** Returns the process exit code. */
  run(argv: string[], io: Io): Promise<number>;
}
