// Argument checks every wrapper in this folder shares, so that each rejects bad input in
// TypeScript with a message before any WASM memory is touched.

// Validation helpers (errors name the function and the offending value)

export function fail(fn: string, msg: string): never { throw new Error(`${fn}: ${msg}`); }

export function checkPositiveInt(fn: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) fail(fn, `${name} must be a positive integer, got ${v}`);
}

export function checkLength(fn: string, name: string, a: ArrayLike<number>, n: number, what: string): void {
  if (a.length !== n) fail(fn, `${name} has ${a.length} values, expected ${n} (${what})`);
}
