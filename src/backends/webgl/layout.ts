// Physical layout of a tensor in a texture. Every tensor is its flat row-major values packed four to
// an RGBA32F texel: element e lives in texel e >> 2, component e & 3, and texel t at
// (t & (width - 1), t >> log2(width)). The width is a power of two (at most 4096), so shaders find a
// texel with two bit operations and any shape fits, however long one dimension is; reshape is free.
// Kernels that need alignment (matmul, conv) repack their operands themselves.

/** Widest texture row, in texels (log2). 4096 texels = 16384 floats per row. */
export const MAX_WIDTH_LOG2 = 12;

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
  while ((1 << lw) < texels && lw < MAX_WIDTH_LOG2) lw++;
  const width = 1 << lw;
  const rows = Math.ceil(texels / width);
  if (rows > maxTextureSize || width > maxTextureSize) {
    throw new Error(`webgl: a tensor of ${elements} elements needs ${rows} texture rows of ${width} texels, more than MAX_TEXTURE_SIZE ${maxTextureSize}`);
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

/** Rows of a band of `width` fragments each costing `cost`, so one draw does about `budget` work. */
export function bandRows(width: number, rows: number, cost: number, budget: number): number {
  return Math.max(1, Math.min(rows, Math.floor(budget / Math.max(1, width * cost))));
}
