// Physical layout of a tensor in a texture. Every tensor is its flat row-major values packed four to
// an RGBA32F texel: element e lives in texel e >> 2, component e & 3, and texel t at
// (t & (width - 1), t >> log2(width)). The width is a power of two, so shaders find a texel with two
// bit operations, and any shape fits however long one dimension is; reshape is free. Textures are
// about square (width the power of two at or above sqrt(texels)): renderers split a draw's rows
// between threads and shade 2x2 quads, so a wide, short output would run on one thread.
// Kernels that need alignment (matmul, conv) repack their operands themselves.

/** Widest texture row, in texels (log2). */
const MAX_WIDTH_LOG2 = 13;

export interface Layout {
  /** Texels holding the values (ceil(elements / 4), at least 1). */
  texels: number;
  /** log2 of the texture width in texels. */
  lw: number;
  width: number;
  /** Rows that hold values (ceil(texels / width)). */
  rows: number;
}

export function layoutFor(elements: number, maxTextureSize = 8192): Layout {
  if (!Number.isInteger(elements) || elements < 0) throw new Error(`webgl: invalid element count ${elements}`);
  const texels = Math.max(1, Math.ceil(elements / 4));
  let lw = 0;
  while (2 ** (2 * lw) < texels && lw < MAX_WIDTH_LOG2 && 2 ** (lw + 1) <= maxTextureSize) lw++;
  const width = 1 << lw;
  const rows = Math.ceil(texels / width);
  if (rows > maxTextureSize || width > maxTextureSize) {
    throw new Error(
      `webgl: a tensor of ${elements} elements needs ${rows} texture rows of ${width} texels, more than MAX_TEXTURE_SIZE ${maxTextureSize}`,
    );
  }
  return { texels, lw, width, rows };
}

/**
 * Allocated height for `rows`: small heights exactly, larger ones rounded up to 1/8 of their power of
 * two, so textures of similar sizes can be reused from the pool (at most 12.5% unused).
 */
export function bucketRows(rows: number, maxTextureSize = 8192): number {
  if (rows <= 8) return rows;
  let p = 1;
  while (p * 2 <= rows) p *= 2;
  const step = p / 8;
  return Math.min(Math.ceil(rows / step) * step, maxTextureSize);
}

/**
 * Rows of a band of `width` fragments each costing `cost`, so one draw does about `budget` work; even
 * (whole 2x2 quads), at least 2.
 */
export function bandRows(width: number, rows: number, cost: number, budget: number): number {
  const b = Math.floor(budget / Math.max(1, width * cost));
  return Math.min(rows, Math.max(2, b & ~1));
}
