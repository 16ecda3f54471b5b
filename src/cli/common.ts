// Shared CLI pieces: the configuration from --config FILE and --set key=value, and output helpers.
import { existsSync, readFileSync } from 'node:fs';
import { type FastRcnnConfig, baseConfig, validateConfig } from '../detection/model/config.js';
import { applyOverrides, mergeConfig } from '../detection/model/configOverrides.js';
import { type FlagSpec, type Parsed, UsageError, setPairs, str } from './args.js';
import type { ApTable } from '../detection/testing/evaluate.js';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Whether stderr is a terminal (progress bars). */
  tty: boolean;
}

export const nodeIo: Io = {
  out: (s) => process.stdout.write(s + '\n'),
  err: (s) => process.stderr.write(s + '\n'),
  tty: !!process.stderr.isTTY,
};

export const CONFIG_FLAGS: Record<string, FlagSpec> = {
  config: { type: 'string', help: 'JSON file with config overrides (deep-merged into the defaults)' },
  set: { type: 'list', help: 'override one setting, e.g. --set train.iterations=500 (repeatable)' },
};

/** Defaults ← --config file ← --set pairs ← command shortcuts (e.g. --iterations). */
export function loadConfig(
  p: Parsed,
  command: string,
  shortcuts: Record<string, string | undefined> = {},
  base: FastRcnnConfig = baseConfig(),
): FastRcnnConfig {
  let cfg = base;
  const file = str(p, 'config');
  if (file) {
    if (!existsSync(file)) throw new UsageError(`${command}: config file not found: ${file}`);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new UsageError(`${command}: ${file} is not valid JSON (${(e as Error).message})`);
    }
    cfg = asUsage(command, () => validateConfig(mergeConfig(cfg, json)), `--config ${file}`);
  }
  const pairs: Record<string, string> = { ...setPairs(p, command) };
  for (const [k, v] of Object.entries(shortcuts)) if (v !== undefined) pairs[k] = v;
  return asUsage(command, () => applyOverrides(cfg, pairs), '--set');
}

/** A bad config value is a usage error (exit 2, one line), as a bad flag is. */
function asUsage<T>(command: string, fn: () => T, where: string): T {
  try {
    return fn();
  } catch (e) {
    throw new UsageError(`${command}: ${where}: ${(e as Error).message}`);
  }
}

/** An AP table as JSON for `--json` (scripts read this instead of the text table). */
export function apTableJson(t: ApTable, extra: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      ...extra,
      classes: t.classes.map((name, i) => ({ name, groundTruth: t.npos[i], ap07: t.ap07[i], apAll: t.apAll[i] })),
      map07: t.map07,
      mapAll: t.mapAll,
    },
    null,
    1,
  );
}

export function fmtSeconds(s: number): string {
  return s >= 60 ? `${Math.floor(s / 60)} min ${(s % 60).toFixed(0)} s` : `${s.toFixed(1)} s`;
}
