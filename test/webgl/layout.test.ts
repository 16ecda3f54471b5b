// The physical layout and pool size classes (pure arithmetic: runs in Node and in the browser).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bandRows, bucketRows, layoutFor } from '../../src/backends/webgl/layout.js';

const test = suite('webgl: layout');

test('texels, power-of-two widths up to 4096, rows', () => {
  assert.equal(layoutFor(0), { texels: 1, lw: 0, width: 1, rows: 1 });
  assert.equal(layoutFor(1), { texels: 1, lw: 0, width: 1, rows: 1 });
  assert.equal(layoutFor(5), { texels: 2, lw: 1, width: 2, rows: 1 });
  assert.equal(layoutFor(4 * 4096), { texels: 4096, lw: 12, width: 4096, rows: 1 });
  assert.equal(layoutFor(4 * 4096 + 1), { texels: 4097, lw: 12, width: 4096, rows: 2 });
  const big = layoutFor(3 * 200000); // one long dim: wraps over rows
  assert.is(big.width, 4096);
  assert.is(big.rows, Math.ceil(150000 / 4096));
  assert.throws(() => layoutFor(4096 * 4 * 8193), /MAX_TEXTURE_SIZE/);
});

test('every element has one texel and component', () => {
  for (const n of [1, 3, 17, 4095, 70001]) {
    const l = layoutFor(n);
    const seen = new Set<number>();
    for (let e = 0; e < n; e++) {
      const t = e >> 2, x = t & (l.width - 1), y = t >> l.lw;
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
  assert.is(bandRows(4096, 10, 1e9, 1 << 23), 1);
  assert.is(bandRows(16, 10, 1, 1 << 23), 10);
});

test.run();
