// Repacks x [N, C, H, W] for the implicit-GEMM convolutions: X'[n, hp, wp] holds channels
// 4·cb .. 4·cb+3 in texel ((n·Hp + hp)·Wp + wp)·C4 + cb (channels innermost), zero padded so the
// convolution reads no bounds (MATRIX: the same texels as a matrix texture, one (n, hp) row of
// Wp·C4 texels per texture row, for conv2d_2d.glsl). Source row of hp: u = hp − padT, used when u ≥ 0, u % dilH == 0 and
// u / dilH < H (dilation spreads dy out for the input gradient of a strided convolution); columns alike.
uniform int outTexels;
uniform int C; uniform int H; uniform int W;
uniform int C4; uniform int Hp; uniform int Wp;
uniform int padT; uniform int padL;
uniform int dilH; uniform int dilW;
uniform sampler2D x; uniform int xLw;
#include "packed_out.glsl"
out vec4 y;

void main() {
  int t = packedTexel();
  if (t >= outTexels) return;
  int q = t / C4;
  int cb = t - q * C4;
  int r = q / Wp;
  int wp = q - r * Wp;
  int n = r / Hp;
  int hp = r - n * Hp;
  int u = hp - padT, v = wp - padL;
  int ih = u / dilH, iw = v / dilW;
  vec4 o = vec4(0.0);
  if (u >= 0 && v >= 0 && ih * dilH == u && iw * dilW == v && ih < H && iw < W) {
    int c0 = cb * 4;
    int e = ((n * C + c0) * H + ih) * W + iw, plane = H * W;
    for (int j = 0; j < 4; j++) {
      if (c0 + j < C) o[j] = elem(x, xLw, e + j * plane);
    }
  }
  y = o;
}
