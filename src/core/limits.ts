// Input limits, checked before anything is allocated for the input: a small file must not be able to
// ask for gigabytes (a PNG header saying 60000×3072, a model config asking for fc 30000×30000, a 50 MB
// annotation). The defaults are far above real data; setLimits() (or FASTRCNN_LIMITS='{"maxImagePixels":
// 100e6}' for the CLI) raises them for a user who needs more.

export interface Limits {
  /** Pixels (width × height, read from the file header before decoding) of one image. */
  maxImagePixels: number;
  /** Bytes of one annotation file. */
  maxAnnotationBytes: number;
  /** Objects in one annotation file. */
  maxObjects: number;
  /** Classes of a dataset or a model. */
  maxClasses: number;
  /** Characters of one class name. */
  maxClassNameLength: number;
  /** Bytes of a safetensors header (a model's metadata and tensor index). */
  maxHeaderBytes: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxImagePixels: 50_000_000,
  maxAnnotationBytes: 4 * 1024 * 1024,
  maxObjects: 5000,
  maxClasses: 1000,
  maxClassNameLength: 100,
  maxHeaderBytes: 16 * 1024 * 1024,
});

let current: Limits = { ...DEFAULT_LIMITS };

export function getLimits(): Readonly<Limits> {
  return current;
}

/** Changes some limits (each a positive integer); returns the previous ones, to restore later. */
export function setLimits(changes: Partial<Limits>): Limits {
  const next = { ...current };
  for (const [k, v] of Object.entries(changes)) {
    if (!(k in DEFAULT_LIMITS)) throw new Error(`setLimits: unknown limit '${k}' (limits: ${Object.keys(DEFAULT_LIMITS).join(', ')})`);
    if (!Number.isSafeInteger(v) || (v as number) < 1)
      throw new Error(`setLimits: ${k} must be a positive integer, got ${JSON.stringify(v)}`);
    next[k as keyof Limits] = v as number;
  }
  const prev = current;
  current = next;
  return prev;
}

/** The error for a value over a limit, saying how to raise it. */
export function overLimit(what: string, value: number, key: keyof Limits): Error {
  return new Error(
    `${what}: ${value.toLocaleString('en-US')} is over the limit of ${current[key].toLocaleString('en-US')} ` +
      `(raise it with setLimits({ ${key}: N }) or FASTRCNN_LIMITS='{"${key}":N}')`,
  );
}
