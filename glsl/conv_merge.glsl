// y[n, oc, oh, ow] (+ bias[oc]) from conv2d.glsl's block layers: block ((n·OCB + oc/R)·OH + oh)·OWB
// + ow/(4·PB), layer (oc % R)·PB + (ow % (4·PB))/4, component ow % 4. VEC (OW % 4 == 0): a whole
// output texel is one texel of one layer.
uniform int outTexels;
uniform int OC; uniform int OH; uniform int OW; uniform int OWB; uniform int OCB;
uniform sampler2DArray parts; uniform int partsLw;
#if BIAS
uniform sampler2D bias; uniform int biasLw;
#endif
out vec4 y;

vec4 partial(int e, out int oc) {
  int q = e / OW;
  int ow = e - q * OW;
  int r = q / OH;
  int oh = q - r * OH;
  int n = r / OC;
  oc = r - n * OC;
  int ocb = oc / R;
  int owb = ow / (4 * PB);
  int layer = (oc - ocb * R) * PB + ((ow - owb * 4 * PB) >> 2);
  return texelL(parts, partsLw, ((n * OCB + ocb) * OH + oh) * OWB + owb, layer);
}

void main() {
  int t = outTexel();
  if (t >= outTexels) return;
  int e = t * 4;
  int oc;
#if VEC
  y = partial(e, oc);
#if BIAS
  y += vec4(elem(bias, biasLw, oc));
#endif
#else
  vec4 v;
  for (int c = 0; c < 4; c++) {
    v[c] = partial(e + c, oc)[(e + c) % OW & 3];
#if BIAS
    v[c] += elem(bias, biasLw, oc);
#endif
  }
  y = v;
#endif
}
