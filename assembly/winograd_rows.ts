// Shared by the two Winograd convolutions (winograd.ts, winograd4.ts): the zero-padded input rows
// of one segment of tiles. Not part of the ABI (index.ts does not export it).

// Input channels whose transformed filters go to a scratch block first, then to the 16 or 36
// matrices a run at a time (a store per matrix and filter touched a new page each: 4-7x slower).
export const FILTER_CHUNK: i32 = 64;

@inline export function al64(n: usize): usize { return (n + 63) & ~(<usize>63); }

/**
 * Copies `rows` input rows from row0 of the plane xc [H][W], columns c0 .. c0 + width, into line
 * buffers of LF floats each; rows and columns outside the image read as zero.
 */
export function fillPatchRows(xc: usize, H: i32, W: i32, row0: i32, rows: i32, c0: i32, width: i32, line: usize, LF: i32): void {
  const a = max(c0, 0), e = min(c0 + width, W);
  for (let i = 0; i < rows; i++) {
    const row = row0 + i;
    const dst = line + (<usize>(i * LF) << 2);
    if (row < 0 || row >= H) { memory.fill(dst, 0, <usize>width << 2); continue; }
    if (a > c0 || e < c0 + width) memory.fill(dst, 0, <usize>width << 2);
    if (e > a) memory.copy(dst + (<usize>(a - c0) << 2), xc + (<usize>(row * W + a) << 2), <usize>(e - a) << 2);
  }
}
