// main() of a program that computes each of its output elements alone: y (out vec4) gets
// at(e) .. at(e + 3), the four elements of the output texel (e = 4 · texel).
void main() {
  int t = outTexel();
  if (t >= outTexels) return;
  int e = t * 4;
  y = vec4(at(e), at(e + 1), at(e + 2), at(e + 3));
}
