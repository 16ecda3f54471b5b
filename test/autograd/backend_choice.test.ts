import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { pickAutoBackend } from '../../src/tensor/engine.js';
import type { Backend } from '../../src/core/backend.js';

const test = suite('engine: automatic backend choice');
const fake = (name: string, preferredForAuto?: boolean) => ({ name, preferredForAuto }) as unknown as Backend;

test('highest priority that initializes; software WebGL yields to WASM; errors reported', () => {
  const wasm = { name: 'wasm', priority: 1, make: () => fake('wasm') };
  assert.is(pickAutoBackend([wasm, { name: 'webgl', priority: 2, make: () => fake('webgl') }]).name, 'webgl');
  assert.is(pickAutoBackend([wasm, { name: 'webgl', priority: 2, make: () => fake('webgl', false) }]).name, 'wasm');
  assert.is(pickAutoBackend([{ name: 'webgl', priority: 2, make: () => fake('webgl', false) }]).name, 'webgl');
  assert.is(
    pickAutoBackend([
      wasm,
      {
        name: 'webgl',
        priority: 2,
        make: () => {
          throw new Error('no WebGL2');
        },
      },
    ]).name,
    'wasm',
  );
  assert.throws(
    () =>
      pickAutoBackend([
        {
          name: 'webgl',
          priority: 2,
          make: () => {
            throw new Error('no WebGL2');
          },
        },
      ]),
    /no backend could be initialized \(webgl: no WebGL2\)/,
  );
});

test.run();
