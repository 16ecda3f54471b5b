// The physical layout and pool size classes (pure arithmetic: runs in Node and in the browser).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bandRows, bucketRows, layoutFor } from '../../src/backends/webgl/layout.js';

const test = suite('webgl: layout');

test('texels, about square power-of-two widths, rows', () => {
  assert.equal(layoutFor(0), { texels: 1, lw: 0, width: 1, rows: 1 });
  assert.equal(layoutFor(1), { texels: 1, lw: 0, width: 1, rows: 1 });
  assert.equal(layoutFor(5), { texels: 2, lw: 1, width: 2, rows: 1 });
  assert.equal(layoutFor(4 * 4096), { texels: 4096, lw: 6, width: 64, rows: 64 });
  assert.equal(layoutFor(4 * 4096 + 1), { texels: 4097, lw: 7, width: 128, rows: 33 });
  const big = layoutFor(3 * 200000); // one long dim: wraps over rows
  assert.is(big.width, 512);
  assert.is(big.rows, Math.ceil(150000 / 512));
  assert.equal(layoutFor(4 * 8192 * 8192), { texels: 8192 * 8192, lw: 13, width: 8192, rows: 8192 });
  assert.throws(() => layoutFor(4 * 8192 * 8192 + 4), /MAX_TEXTURE_SIZE/);
  assert.is(layoutFor(4 * 4096 * 4096, 4096).width, 4096, 'never wider than the device allows');
  for (let n = 1; n < 1e6; n = Math.ceil(n * 1.7)) {
    const l = layoutFor(n);
    assert.ok(l.rows <= l.width, `${n}`);
  }
});

test('every element has one texel and component', () => {
  for (const n of [1, 3, 17, 4095, 70001]) {
    const l = layoutFor(n);
    const seen = new Set<number>();
    for (let e = 0; e < n; e++) {
      const t = e >> 2,
        x = t & (l.width - 1),
        y = t >> l.lw;
      assert.ok(y < l.rows && x < l.width);
      seen.add((y * l.width + x) * 4 + (e & 3));
    }
    assert.is(seen.size, n);
  }
});

test('pool size classes waste at most 12.5% and bands cover the rows', () => {
  for (let r = 1; r < 3000; r += 7) {
    const b = bucketRows(r);
    assert.ok(b >= r && b <= Math.max(r, Math.ceil(r * 1.125)), `${r} -> ${b}`);
  }
  assert.is(bucketRows(9), 9);
  assert.is(bucketRows(1000), 1024);
  assert.is(bandRows(4096, 10, 1e9, 1 << 23), 2, 'at least one row of quads');
  assert.is(bandRows(16, 10, 1, 1 << 23), 10);
  assert.is(bandRows(1024, 100, 1000, 1 << 23) % 2, 0, 'whole quads');
});

test.run();
