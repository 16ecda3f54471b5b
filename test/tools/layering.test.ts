// The layering check (.dependency-cruiser.cjs, run by `npm test`) fails on deliberately wrong imports
// in a tiny tree in a temporary directory: src/tensor/ importing src/ops/, and the detector's model
// importing the Node application (which the browser entry then reaches).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function cruise(files: Record<string, string>): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fastrcnn-layers-'));
  try {
    copyFileSync(join(root, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler' }, include: ['src'] }),
    );
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const r = spawnSync(
      process.execPath,
      [join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), 'src', '--config', '.dependency-cruiser.cjs'],
      { cwd: dir, encoding: 'utf8' },
    );
    return { status: r.status, out: (r.stdout ?? '') + (r.stderr ?? '') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the detector model may not import the Node application; the browser entry may not reach it through others', () => {
  const wrong = cruise({
    'src/detection/model/detect.ts': "import { run } from '../../app/pipeline.js';\nexport const detect = run;\n",
    'src/app/pipeline.ts': "import { readFileSync } from 'node:fs';\nexport const run = readFileSync;\n",
    'src/index.ts': "export * from './detection/model/detect.js';\n",
  });
  assert.is.not(wrong.status, 0, wrong.out);
  assert.match(wrong.out, /layer-model-imports-no-higher-layer: src\/detection\/model\/detect\.ts → src\/app\/pipeline\.ts/);
  assert.match(
    wrong.out,
    /browser-entry-reaches-no-node-module: src\/index\.ts → src\/app\/pipeline\.ts\s+src\/detection\/model\/detect\.ts →/,
  );
});

test('an import that points up a layer fails the check and names the rule; the same import downwards passes', () => {
  const wrong = cruise({
    'src/ops/add.ts': "import { size } from '../tensor/tensor.js';\nexport const add = size;\n",
    'src/tensor/tensor.ts': "import { add } from '../ops/add.js';\nexport const size = 1;\nexport const f = add;\n",
  });
  assert.is.not(wrong.status, 0, wrong.out);
  assert.match(wrong.out, /layer-tensor-imports-no-higher-layer: src\/tensor\/tensor\.ts → src\/ops\/add\.ts/);
  const right = cruise({
    'src/ops/add.ts': "import { size } from '../tensor/tensor.js';\nexport const add = size;\n",
    'src/tensor/tensor.ts': 'export const size = 1;\n',
  });
  assert.is(right.status, 0, right.out);
});

test.run();
