// dx[n, c, ih, iw] = Σ dy[n, c, oh, ow] over the windows containing (ih, iw) whose argmax is
// ih·W + iw (overlapping windows add up). Only windows whose rows and columns cover the element are
// visited: oh in [ceil((ih + padH − KH + 1) / strideH), floor((ih + padH) / strideH)], columns alike.
// DISJOINT (stride = kernel, no padding): the one window (ih / KH, iw / KW). ROW4 (W % 4 == 0): the
// four elements of a texel share their row.
uniform int outTexels;
uniform int H; uniform int W; uniform int OH; uniform int OW;
uniform int KH; uniform int KW;
uniform int strideH; uniform int strideW; uniform int padH; uniform int padW;
uniform sampler2D dy; uniform int dyLw;
uniform sampler2D arg; uniform int argLw;
out vec4 dx;

int ceilDiv(int a, int b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

#if DISJOINT
float grad1(int plane, int ih, int iw) {
  int oh = ih / KH, ow = iw / KW;
  if (oh >= OH || ow >= OW) return 0.0;
  int o = (plane * OH + oh) * OW + ow;
  return int(elem(arg, argLw, o)) == ih * W + iw ? elem(dy, dyLw, o) : 0.0;
}
#else
float grad1(int plane, int ih, int iw) {
  int here = ih * W + iw;
  int oh0 = max(0, ceilDiv(ih + padH - KH + 1, strideH)), oh1 = min(OH - 1, (ih + padH) / strideH);
  int ow0 = max(0, ceilDiv(iw + padW - KW + 1, strideW)), ow1 = min(OW - 1, (iw + padW) / strideW);
  float acc = 0.0;
  int base = plane * OH * OW;
  for (int oh = oh0; oh <= oh1; oh++) {
    for (int ow = ow0; ow <= ow1; ow++) {
      int o = base + oh * OW + ow;
      if (int(elem(arg, argLw, o)) == here) acc += elem(dy, dyLw, o);
    }
  }
  return acc;
}
#endif

float grad(int e) {
  int q = e / W;
  int plane = q / H;
  return grad1(plane, q - plane * H, e - q * W);
}

void main() {
  int t = outTexel();
  if (t >= outTexels) return;
  int e = t * 4;
#if ROW4
  int q = e / W;
  int plane = q / H;
  int ih = q - plane * H, iw = e - q * W;
  dx = vec4(grad1(plane, ih, iw), grad1(plane, ih, iw + 1), grad1(plane, ih, iw + 2), grad1(plane, ih, iw + 3));
#else
  dx = vec4(grad(e), grad(e + 1), grad(e + 2), grad(e + 3));
#endif
}
