// This step's row operands a0 .. a(R−1) of the block, fetched by the kernel's ROW(i).
vec4 a0 = ROW(0);
#if R > 1
vec4 a1 = ROW(1);
#endif
#if R > 2
vec4 a2 = ROW(2), a3 = ROW(3);
#endif
#if R > 4
vec4 a4 = ROW(4), a5 = ROW(5), a6 = ROW(6), a7 = ROW(7);
#endif
