// One step of the block: c<r><c> = MAC(c<r><c>, a<r>, B<c>) for every row r and column matrix c.
MAC(c00, a0, B0);
#if R > 1
MAC(c10, a1, B0);
#endif
#if R > 2
MAC(c20, a2, B0); MAC(c30, a3, B0);
#endif
#if R > 4
MAC(c40, a4, B0); MAC(c50, a5, B0); MAC(c60, a6, B0); MAC(c70, a7, B0);
#endif
#if BC > 1
MAC(c01, a0, B1);
#if R > 1
MAC(c11, a1, B1);
#endif
#if R > 2
MAC(c21, a2, B1); MAC(c31, a3, B1);
#endif
#endif
