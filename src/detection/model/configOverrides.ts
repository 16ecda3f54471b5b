// Config files and `--set` pairs on top of a config: a deep merge that refuses unknown keys and values
// of the wrong kind (item by item in lists), dotted `key=value` overrides, and the keys where two
// configs differ (what `--resume` compares). The config's shape, defaults and ranges are config.ts.
import { type FastRcnnConfig, unresolvedKeys, validateConfig } from './config.js';

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Deep-merges `override` into a copy of `base`. Unknown keys and values of the wrong type are errors
 * naming the dotted key, so a typo in a JSON file cannot silently do nothing.
 */
export function mergeConfig<T>(base: T, override: unknown, path = ''): T {
  if (override === undefined) return structuredClone(base);
  if (!isPlain(override)) throw new Error(`config${path ? ` '${path}'` : ''}: expected an object, got ${JSON.stringify(override)}`);
  const out = structuredClone(base) as Plain;
  for (const [k, v] of Object.entries(override)) {
    const key = path ? `${path}.${k}` : k;
    if (!(k in out)) throw new Error(`config: unknown key '${key}' (known: ${Object.keys(out).join(', ')})`);
    const cur = out[k];
    if (isPlain(cur)) out[k] = mergeConfig(cur, v, key);
    else out[k] = checkValue(key, cur, v);
  }
  return out as T;
}

function checkValue(key: string, cur: unknown, v: unknown): unknown {
  const kind = (x: unknown) => (Array.isArray(x) ? 'array' : typeof x);
  const shown = (x: unknown) => JSON.stringify(x)?.slice(0, 80);
  if (kind(cur) !== kind(v)) throw new Error(`config '${key}': expected ${kind(cur)}, got ${shown(v)}`);
  if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`config '${key}': must be a finite number, got ${v}`);
  // An array's items have the kind of the default's first item (every list here holds numbers, or
  // lists of numbers, and the empty defaults are scale lists): ["a"] for stepFractions is an error.
  if (Array.isArray(v)) {
    const item = (cur as unknown[]).length ? (cur as unknown[])[0] : 0;
    v.forEach((x, i) => checkValue(`${key}[${i}]`, item, x));
  }
  return structuredClone(v);
}

/**
 * Applies `key=value` overrides with dotted keys (`train.iterations=500`, `test.scales=[200,240]`).
 * Values parse as JSON when they can, else stay strings.
 */
export function applyOverrides(cfg: FastRcnnConfig, pairs: Record<string, string | number | boolean | unknown[]>): FastRcnnConfig {
  let out = cfg;
  for (const [key, raw] of Object.entries(pairs)) {
    let v: unknown = raw;
    if (typeof raw === 'string') {
      try {
        v = JSON.parse(raw);
      } catch {
        v = raw;
      }
    }
    const obj: Plain = {};
    let cur = obj;
    const parts = key.split('.');
    parts.slice(0, -1).forEach((p) => {
      const n: Plain = {};
      cur[p] = n;
      cur = n;
    });
    cur[parts[parts.length - 1]] = v;
    out = mergeConfig(out, obj);
  }
  return validateConfig(out);
}

/**
 * The dotted keys whose values differ between two configs, as `key: a vs b` (arrays compared whole),
 * skipping `skip` and the keys `a` leaves to the data or the plan (an empty list or a 0 there).
 */
export function configDifferences(a: FastRcnnConfig, b: FastRcnnConfig, skip: string[] = []): string[] {
  const open = new Set(unresolvedKeys(a));
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, key: string) => {
    if (skip.includes(key) || open.has(key)) return;
    if (isPlain(x)) {
      for (const k of Object.keys(x)) walk((x as Plain)[k], (y as Plain | undefined)?.[k], key ? `${key}.${k}` : k);
      return;
    }
    if (JSON.stringify(x) !== JSON.stringify(y))
      out.push(`${key}: ${JSON.stringify(y)?.slice(0, 40)} vs ${JSON.stringify(x)?.slice(0, 40)}`);
  };
  walk(a, b, '');
  return out;
}
