// dw[oc, c, kh, kw] from conv2d_grad_filter.glsl's layers: the sum over the S splits of layer
// (oc % R)·CBV + (c/4) % CBV, texel s·blocks + ((oc/R·KH + kh)·KW + kw)·CBB + c/(4·CBV), component c % 4.
uniform int outTexels;
uniform int total;
uniform int C; uniform int KH; uniform int KW;
uniform int blocks; uniform int CBB; uniform int splits;
uniform sampler2DArray parts; uniform int partsLw;
out vec4 y;

float at(int e) {
  int t = e / KW;
  int kw = e - t * KW;
  int t2 = t / KH;
  int kh = t - t2 * KH;
  int oc = t2 / C;
  int c = t2 - oc * C;
  int ocb = oc / R;
  int cb = c >> 2;
  int cbb = cb / CBV;
  int layer = (oc - ocb * R) * CBV + (cb - cbb * CBV);
  int b = ((ocb * KH + kh) * KW + kw) * CBB + cbb;
  float acc = 0.0;
  for (int s = 0; s < splits; s++) acc += texelL(parts, partsLw, b + s * blocks, layer)[c & 3];
  return acc;
}

void main() {
  int t = outTexel();
  if (t >= outTexels) return;
  int e = t * 4;
  y = vec4(at(e), e + 1 < total ? at(e + 1) : 0.0, e + 2 < total ? at(e + 2) : 0.0, e + 3 < total ? at(e + 3) : 0.0);
}
