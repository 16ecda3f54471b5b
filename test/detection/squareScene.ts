// The augmentation suites' scene (channel order, colour jitter), browser-safe: a 64×48 blue image with
// a red 20×20 square (the one 'square' object), its training record and five proposals around it.
import { createRgbImage } from '../../src/data/types.js';

export function squareScene() {
  const W = 64,
    H = 48;
  const img = createRgbImage(W, H, [40, 90, 200]);
  for (let y = 10; y < 30; y++) for (let x = 8; x < 28; x++) img.data.set([250, 10, 120], (y * W + x) * 3);
  const rec = {
    id: 'a',
    imagePath: '',
    width: W,
    height: H,
    objects: [{ name: 'square', box: [8, 10, 27, 29] as [number, number, number, number], difficult: false }],
  };
  const proposals = [8, 10, 27, 29, 6, 8, 30, 31, 30, 5, 60, 40, 0, 0, 20, 20, 35, 20, 63, 47];
  return { W, H, img, rec, proposals };
}
