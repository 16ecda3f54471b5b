// A first-fit allocator over WASM linear memory with coalescing free blocks. It lives on the
// TypeScript side so kernels stay allocation-free (asc's stub runtime has no free()).
// Blocks are 64-byte aligned (cache lines, SIMD loads); memory grows on demand.

const ALIGN = 64;
const PAGE = 65536;

export class Allocator {
  private free: { ptr: number; size: number }[] = []; // sorted by ptr, non-adjacent
  private used = new Map<number, number>(); // ptr -> size
  private top: number; // end of the highest block ever handed out
  bytesInUse = 0;

  constructor(
    private memory: WebAssembly.Memory,
    base: number,
  ) {
    this.top = align(base);
  }

  alloc(bytes: number): number {
    const size = align(Math.max(bytes, 1));
    const free = this.free;
    for (let i = 0; i < free.length; i++) {
      const b = free[i];
      if (b.size >= size) {
        const ptr = b.ptr;
        if (b.size === size) free.splice(i, 1);
        else {
          b.ptr += size;
          b.size -= size;
        }
        return this.take(ptr, size);
      }
    }
    // Grow from the top; a free block ending at the top is extended instead of skipped.
    let ptr = this.top;
    const last = free[free.length - 1];
    if (last && last.ptr + last.size === this.top) {
      ptr = last.ptr;
      free.pop();
    }
    const end = ptr + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      try {
        this.memory.grow(pages);
      } catch (e) {
        throw new Error(`WASM memory: cannot grow by ${pages * PAGE} bytes to ${end} (${(e as Error).message}); in use ${this.bytesInUse}`);
      }
    }
    this.top = end;
    return this.take(ptr, size);
  }

  private take(ptr: number, size: number): number {
    this.used.set(ptr, size);
    this.bytesInUse += size;
    return ptr;
  }

  release(ptr: number): void {
    const size = this.used.get(ptr);
    if (size === undefined) throw new Error(`WASM allocator: free of unknown pointer ${ptr}`);
    this.used.delete(ptr);
    this.bytesInUse -= size;
    // insert sorted, then merge with neighbours
    const free = this.free;
    let lo = 0,
      hi = free.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (free[mid].ptr < ptr) lo = mid + 1;
      else hi = mid;
    }
    free.splice(lo, 0, { ptr, size });
    if (lo + 1 < free.length && free[lo].ptr + free[lo].size === free[lo + 1].ptr) {
      free[lo].size += free[lo + 1].size;
      free.splice(lo + 1, 1);
    }
    if (lo > 0 && free[lo - 1].ptr + free[lo - 1].size === free[lo].ptr) {
      free[lo - 1].size += free[lo].size;
      free.splice(lo, 1);
    }
  }

  sizeOf(ptr: number): number | undefined {
    return this.used.get(ptr);
  }
  get liveBlocks(): number {
    return this.used.size;
  }
  get heapBytes(): number {
    return this.memory.buffer.byteLength;
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
