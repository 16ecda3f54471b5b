// Max pooling, two outputs through two render targets: y[n, c, oh, ow] and its argmax, the flat
// ih·W + iw in the channel plane (as a float; int32 tensors hold floats). The first maximum in
// row-major window order wins, padding never wins, a NaN wins (the first one), and a window with no
// input element gives 0 and -1 (the WASM kernel's rules). ROW4 (OW % 4 == 0): the four outputs of
// a texel share their row.
uniform int outTexels;
uniform int H; uniform int W; uniform int OH; uniform int OW;
uniform int KH; uniform int KW;
uniform int strideH; uniform int strideW; uniform int padH; uniform int padW;
uniform sampler2D x; uniform int xLw;
layout(location = 0) out vec4 y;
layout(location = 1) out vec4 arg;

vec2 pool1(int plane, int oh, int ow) {
  int h0 = oh * strideH - padH, w0 = ow * strideW - padW;
  int hs = max(h0, 0), he = min(h0 + KH, H), ws = max(w0, 0), we = min(w0 + KW, W);
  float best = 0.0;
  int at = -1;
  int base = plane * H * W;
  for (int ih = hs; ih < he; ih++) {
    for (int iw = ws; iw < we; iw++) {
      int i = ih * W + iw;
      float v = elem(x, xLw, base + i);
      if (at < 0 || v > best || (isnan(v) && !isnan(best))) { best = v; at = i; }
    }
  }
  return vec2(best, float(at));
}

vec2 pool(int e) {
  int q = e / OW;
  int plane = q / OH;
  return pool1(plane, q - plane * OH, e - q * OW);
}

void main() {
  int t = outTexel();
  if (t >= outTexels) return;
  int e = t * 4;
#if ROW4
  int q = e / OW;
  int plane = q / OH;
  int oh = q - plane * OH, ow = e - q * OW;
  vec2 p0 = pool1(plane, oh, ow), p1 = pool1(plane, oh, ow + 1), p2 = pool1(plane, oh, ow + 2), p3 = pool1(plane, oh, ow + 3);
#else
  vec2 p0 = pool(e), p1 = pool(e + 1), p2 = pool(e + 2), p3 = pool(e + 3);
#endif
  y = vec4(p0.x, p1.x, p2.x, p3.x);
  arg = vec4(p0.y, p1.y, p2.y, p3.y);
}
