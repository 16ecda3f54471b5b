// Minimal argument parsing for the CLI: `--name value`, `--name=value`, boolean `--flag`, repeatable
// `--set key=value` (no positionals: a stray word is an error). Unknown flags are errors naming the known flags.

export interface FlagSpec {
  /** 'string' takes a value; 'boolean' does not; 'list' takes a value and may repeat. */
  type: 'string' | 'boolean' | 'list';
  help: string;
}

export interface Parsed {
  flags: Record<string, string | boolean | string[]>;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseArgs(argv: string[], spec: Record<string, FlagSpec>, command: string): Parsed {
  const flags: Parsed['flags'] = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      // No command takes positional arguments: a stray word is a mistyped option or a missing '--'.
      throw new UsageError(`${command}: unexpected argument '${a.slice(0, 80)}' (options start with --)`);
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq > 0 ? eq : undefined);
    if (name === '') throw new UsageError(`${command}: '--' is not an option`);
    const s = spec[name];
    if (!s)
      throw new UsageError(
        `${command}: unknown option --${name} (options: ${Object.keys(spec)
          .map((k) => `--${k}`)
          .join(', ')})`,
      );
    if (s.type === 'boolean') {
      if (eq > 0) throw new UsageError(`${command}: --${name} takes no value`);
      flags[name] = true;
      continue;
    }
    let v: string;
    if (eq > 0) v = a.slice(eq + 1);
    else {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw new UsageError(`${command}: --${name} needs a value`);
      v = argv[++i];
    }
    if (s.type === 'list') flags[name] = [...((flags[name] as string[] | undefined) ?? []), v];
    else flags[name] = v;
  }
  return { flags };
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function required(p: Parsed, name: string, command: string): string {
  const v = str(p, name);
  if (v === undefined || v === '') throw new UsageError(`${command}: --${name} is required`);
  return v;
}

/** A numeric flag, checked: an integer where asked, within [min, max]; never clamped. */
export function num(
  p: Parsed,
  name: string,
  command: string,
  opts: { integer?: boolean; min?: number; max?: number } = {},
): number | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  const x = v.trim() === '' ? Number.NaN : Number(v);
  const { min, max } = opts;
  if (!Number.isFinite(x) || (opts.integer && !Number.isInteger(x)) || (min !== undefined && x < min) || (max !== undefined && x > max)) {
    const range =
      min !== undefined && max !== undefined
        ? ` in [${min}, ${max}]`
        : min !== undefined
          ? ` >= ${min}`
          : max !== undefined
            ? ` <= ${max}`
            : '';
    throw new UsageError(`${command}: --${name} must be ${opts.integer ? 'an integer' : 'a number'}${range}, got '${v.slice(0, 40)}'`);
  }
  return x;
}

/** A flag with a fixed set of values. */
export function choice<T extends string>(p: Parsed, name: string, command: string, values: readonly T[], fallback: T): T {
  const v = str(p, name);
  if (v === undefined) return fallback;
  if (!(values as readonly string[]).includes(v))
    throw new UsageError(`${command}: --${name} must be ${values.join(' or ')}, got '${v.slice(0, 40)}'`);
  return v as T;
}

export function bool(p: Parsed, name: string): boolean {
  return p.flags[name] === true;
}

function list(p: Parsed, name: string): string[] {
  const v = p.flags[name];
  return Array.isArray(v) ? v : [];
}

/** `--set key=value` pairs as an object. */
export function setPairs(p: Parsed, command: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of list(p, 'set')) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new UsageError(`${command}: --set expects key=value (e.g. train.iterations=500), got '${s}'`);
    out[s.slice(0, eq)] = s.slice(eq + 1);
  }
  return out;
}

export function usage(command: string, summary: string, spec: Record<string, FlagSpec>): string {
  const w = Math.max(...Object.keys(spec).map((k) => k.length + (spec[k].type === 'boolean' ? 2 : 8)), 10);
  const lines = Object.entries(spec).map(([k, s]) => `  ${(`--${k}` + (s.type === 'boolean' ? '' : ' <value>')).padEnd(w + 2)}  ${s.help}`);
  return `fastrcnn ${command}: ${summary}\n\n${lines.join('\n')}`;
}
