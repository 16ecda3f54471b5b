// In a page, WebGL declines the automatic choice exactly when its renderer is a software rasterizer.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fr from '../../src/index.js';

const test = suite('browser: automatic backend choice');

test('WebGL is preferred for the automatic choice unless it is software-rendered', () => {
  const gl = fr.engine.findBackend('webgl') as fr.WebGLBackend;
  assert.is(gl.preferredForAuto, !gl.caps.software);
});

test.run();
