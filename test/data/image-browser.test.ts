// The browser codec (createImageBitmap + OffscreenCanvas); registers its tests only where those exist
// (the headless-browser runner), since Node has neither.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { browserImageCodec, readImageSize } from '../../src/data/image.js';

if (typeof createImageBitmap === 'function' && typeof OffscreenCanvas === 'function') {
  test('browser codec: PNG round trip exact, JPEG close', async () => {
    const w = 31,
      h = 17,
      data = new Uint8Array(w * h * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 37 + (i >> 5)) & 255;
    const img = { width: w, height: h, data };
    const png = await browserImageCodec.encode(img, 'png', 90);
    assert.equal(readImageSize(png), { format: 'png', width: w, height: h });
    assert.equal((await browserImageCodec.decode(png)).data, data);
    const smooth = { width: 32, height: 16, data: Uint8Array.from({ length: 32 * 16 * 3 }, (_, i) => ((i / 3) % 32) * 6) };
    const back = await browserImageCodec.decode(await browserImageCodec.encode(smooth, 'jpeg', 95));
    let err = 0;
    for (let i = 0; i < back.data.length; i++) err += Math.abs(back.data[i] - smooth.data[i]);
    assert.ok(err / back.data.length < 4, `mean abs error ${err / back.data.length}`);
  });
}

test.run();
