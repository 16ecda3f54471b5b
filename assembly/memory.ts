// First byte the allocator on the TypeScript side may hand out (after static data).
export function heapBase(): usize {
  return (__heap_base + 63) & ~(<usize>63);
}
