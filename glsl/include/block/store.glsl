// The block's accumulators to its render targets: c<r><c> to target r·BC + c.
#if BC == 1
o0 = c00;
#if R > 1
o1 = c10;
#endif
#if R > 2
o2 = c20; o3 = c30;
#endif
#if R > 4
o4 = c40; o5 = c50; o6 = c60; o7 = c70;
#endif
#else
o0 = c00; o1 = c01;
#if R > 1
o2 = c10; o3 = c11;
#endif
#if R > 2
o4 = c20; o5 = c21; o6 = c30; o7 = c31;
#endif
#endif
