// Selective Search (Uijlings et al., IJCV 2013) kernels. The TypeScript side
// (src/proposals/selectiveSearch.ts) allocates every buffer and runs the diversification strategies;
// these files do the per-pixel and per-region work.
export * from './ss_color';
export * from './ss_segment';
export * from './ss_regions';
export * from './ss_group';
