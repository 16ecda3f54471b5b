// Blocked GEMM kernels (conv2d, conv2d_grad_filter, matmul) compute an R × BC block per fragment:
// R row operands a0 .. a(R−1) (vec4) times BC column matrices B0, B1 (mat4), accumulated in c<r><c>
// (vec4) and written to render target r·BC + c. The kernel defines R (1, 2, 4 or 8), BC (1 or 2,
// R·BC ≤ 8) and MAC(acc, a, B), the multiply-add in its operand order, and includes, in order:
// block/targets.glsl (here: the render targets), block/zero.glsl (the accumulators, in main),
// block/rows.glsl (a0 .. with its ROW(i), per step) or its own, block/mac.glsl (per step, once
// B0 and B1 are fetched) and block/store.glsl (the outputs, at the end).
layout(location = 0) out vec4 o0;
#if R * BC > 1
layout(location = 1) out vec4 o1;
#endif
#if R * BC > 2
layout(location = 2) out vec4 o2;
layout(location = 3) out vec4 o3;
#endif
#if R * BC > 4
layout(location = 4) out vec4 o4;
layout(location = 5) out vec4 o5;
layout(location = 6) out vec4 o6;
layout(location = 7) out vec4 o7;
#endif
