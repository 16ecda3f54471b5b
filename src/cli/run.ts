// The CLI dispatcher: `fastrcnn <command> [options]`. Errors print one clear line (no stack trace
// for expected errors) and give exit code 1; usage errors give 2.
import { UsageError, usage } from './args.js';
import { setLimits } from '../core/limits.js';
import { setThreads } from '../backends/wasm/index.js';
import { version } from '../core/version.js';
import type { Command } from './command.js';
import { type Io, nodeIo } from './common.js';
import { compressCommand } from './compress.js';
import { demoCommand } from './demo.js';
import { detectCommand } from './detect.js';
import { evalCommand } from './evalCmd.js';
import { exportCommand } from './exportCmd.js';
import { proposalsCommand } from './proposals.js';
import { synthCommand } from './synth.js';
import { testCommand } from './test.js';
import { trainCommand } from './train.js';

const COMMANDS: Command[] = [
  demoCommand,
  synthCommand,
  proposalsCommand,
  trainCommand,
  detectCommand,
  testCommand,
  evalCommand,
  compressCommand,
  exportCommand,
];

const THREADS_FLAG = {
  threads: { type: 'string', help: 'threads of the WASM kernels, 1 to 16 (default: the cores, up to 4); results do not depend on it' },
} as const;

function help(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'fastrcnn: Fast R-CNN (Girshick, ICCV 2015) in Node, no native code',
    '',
    `usage: fastrcnn <command> [options]   (fastrcnn <command> --help for its options; fastrcnn --version)`,
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'every command also takes --threads N: threads of the WASM kernels, 1 to 16 (default: the cores, up to 4)',
  ].join('\n');
}

export async function runCli(argv: string[], io: Io = nodeIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    io.out(`fastrcnn ${version}`);
    return 0;
  }
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.out(help());
    return 0;
  }
  // FASTRCNN_LIMITS='{"maxImagePixels":100000000}' raises the input limits (src/core/limits.ts) for one run.
  const limits = process.env.FASTRCNN_LIMITS;
  if (limits) {
    try {
      setLimits(JSON.parse(limits));
    } catch (e) {
      io.err(`fastrcnn: FASTRCNN_LIMITS: ${(e as Error).message.replace(/^setLimits: /, '')}`);
      return 2;
    }
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.err(`fastrcnn: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(usage(cmd.name, cmd.summary, { ...cmd.flags, ...THREADS_FLAG }));
    return 0;
  }
  // --threads N (or --threads=N), taken before the command's own options
  const at = rest.findIndex((a) => a === '--threads' || a.startsWith('--threads='));
  if (at >= 0) {
    const inline = rest[at].startsWith('--threads=');
    const v = inline ? rest[at].slice('--threads='.length) : rest[at + 1];
    const n = Number(v);
    if (v === undefined || v === '' || !Number.isInteger(n) || n < 1 || n > 16) {
      io.err(`fastrcnn ${name}: --threads needs a whole number from 1 to 16, got ${v === undefined ? 'nothing' : `'${v}'`}`);
      return 2;
    }
    rest.splice(at, inline ? 1 : 2);
    setThreads(n);
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    const err = e as Error;
    // One line: the error, and where the options are listed (the message's own command prefix dropped).
    if (err instanceof UsageError) {
      io.err(`fastrcnn ${name}: ${err.message.replace(`${name}: `, '')} (fastrcnn ${name} --help lists the options)`);
      return 2;
    }
    io.err(`fastrcnn ${name}: error: ${err.message}`);
    if (process.env.FASTRCNN_DEBUG) io.err(String(err.stack));
    return 1;
  }
}
