// RoIAlign's sample grid on the WASM backend (assembly/roi_align.ts): a RoI's sample rows and
// columns are worked out once into tables of 512 entries each (PH × rows per bin, PW × columns per
// bin); a RoI with more, only possible with adaptive sampling, works its rows or columns out per
// sample. Both ways, forward and backward, against the float64 reference loop, with the grid just
// inside and just past the tables, along either axis or both.
import { test } from 'uvu';
import { roiAlignBackward, roiAlignForward, type Shape4 } from '../helpers/detectionOps.js';
import { expectClose } from '../helpers/fixtures.js';
import { roiAlignBackwardRef, roiAlignRef } from '../reference/roi.js';
import { Rng } from '../../src/util/random.js';

test('adaptive grids past the row and column tables match the float64 reference, forward and backward', () => {
  const rng = new Rng(17);
  const N = 2,
    C = 3,
    H = 19,
    W = 23;
  const shape: Shape4 = [N, C, H, W];
  const x = Float32Array.from({ length: N * C * H * W }, () => rng.uniform(-1, 1));
  // scale 1, 2×2 bins: the tables hold 256 rows (columns) per bin, and a bin takes ceil(size / 2):
  // a RoI up to 512 px fits, 513 px does not
  const rois = Float32Array.from(
    [
      [0, 2, -200, 17, 312], // 512 px high: 256 rows per bin (the tables), 8 columns
      [1, 2, -200, 17, 313], // 513 px high: 257 rows (per sample)
      [1, -300, 3, 400, 15], // 700 px wide: 350 columns (per sample), 6 rows
      [0, -150, -160, 370, 380], // both past the tables
      [1, 4.5, 3.25, 9, 14], // small, beside them
    ].flat(),
  );
  // float32 sums of up to 280k samples stay within ~1e-7 of the float64 loop here
  for (const aligned of [true, false]) {
    const opts = { spatialScale: 1, pooledHeight: 2, pooledWidth: 2, samplingRatio: 0, aligned };
    const label = `aligned ${aligned}`;
    expectClose(
      roiAlignForward(x, shape, rois, opts),
      roiAlignRef(x, shape, rois, 1, 2, 2, 0, aligned),
      { atol: 1e-6 },
      `${label} forward`,
    );
    const go = Float32Array.from({ length: 5 * C * 2 * 2 }, () => rng.uniform(-1, 1));
    expectClose(
      roiAlignBackward(go, shape, rois, opts),
      roiAlignBackwardRef(go, shape, rois, 1, 2, 2, 0, aligned),
      { atol: 2e-7 }, // weights 1/(rows × columns): the gradients are small (max ~0.08), float32 off by ~1e-8
      `${label} backward`,
    );
  }
});

test.run();
