// glsl/*.glsl -> { name: source } with `#include "file.glsl"` resolved: the one place that turns the
// shader files into program sources (scripts/build.mjs embeds the result; the browser test runner and
// the example bundlers load it the same way, so they never see an unresolved include).
//
// `#include "path.glsl"` on a line of its own (in a program or in a snippet; snippets may include
// snippets) inlines glsl/include/<path>. A snippet is inlined once per program: a second include of
// it is dropped, like an include guard, so do not include the same snippet in both branches of an
// #if. Inlined text is bracketed by `#line` directives so compiler errors keep their line numbers:
// a snippet is source string k (the k-th snippet of the program, named in a comment above it), the
// program itself source string 0. A missing file, an include cycle or a malformed directive is an
// error naming the file and line.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, normalize, relative, sep } from 'node:path';

const INCLUDE = /^\s*#\s*include\b(.*)$/;
const QUOTED = /^\s*"([^"]+)"\s*(\/\/.*)?$/;
const GROUP_END = /^\s*#\s*(else|elif|endif)\b/;

/** Resolves the includes of glsl/<file> (a program's file name, e.g. 'conv2d.glsl'). */
export function resolveGlsl(glslDir, file) {
  const incDir = join(glslDir, 'include');
  const seen = new Map(); // snippet path -> source string number
  const rel = (p) => relative(join(glslDir, '..'), p).split(sep).join('/');

  function expand(path, source, stack) {
    const lines = readFileSync(path, 'utf8').split('\n');
    const out = [];
    let inlined = false;
    lines.forEach((line, i) => {
      const m = INCLUDE.exec(line);
      if (!m) {
        out.push(line);
        // a skipped #if group never runs the #line after its include: restore the numbering here
        if (inlined && GROUP_END.test(line)) out.push(`#line ${i + 2} ${source}`);
        return;
      }
      const where = `${rel(path)}:${i + 1}`;
      const q = QUOTED.exec(m[1]);
      if (!q) throw new Error(`${where}: malformed include (want #include "name.glsl"): ${line.trim()}`);
      const name = q[1];
      const target = normalize(join(incDir, name));
      if (!target.startsWith(incDir + sep)) throw new Error(`${where}: #include "${name}" leaves ${rel(incDir)}/`);
      if (!existsSync(target)) throw new Error(`${where}: #include "${name}": no such file ${rel(target)}`);
      if (stack.includes(target)) {
        const chain = [...stack.slice(stack.indexOf(target)), target].map(rel).join(' -> ');
        throw new Error(`${where}: #include "${name}" makes a cycle: ${chain}`);
      }
      if (seen.has(target)) {
        out.push(`// #include "${name}": already inlined (source ${seen.get(target)})`);
        return;
      }
      const k = seen.size + 1;
      seen.set(target, k);
      out.push(`// #include "${name}" (source ${k})`, `#line 1 ${k}`, ...expand(target, k, [...stack, target]), `#line ${i + 2} ${source}`);
      inlined = true;
    });
    return out;
  }

  const path = join(glslDir, file);
  return expand(path, 0, [path]).join('\n');
}

/** Every program in glsl/ (top-level *.glsl, snippets in glsl/include/ excluded), includes resolved. */
export function loadShaders(glslDir) {
  const shaders = {};
  if (!existsSync(glslDir)) return shaders;
  for (const f of readdirSync(glslDir).sort()) if (f.endsWith('.glsl')) shaders[f.slice(0, -5)] = resolveGlsl(glslDir, f);
  return shaders;
}

/**
 * An esbuild plugin that serves src/backends/webgl/shaders.generated.ts from glsl/ at bundle time,
 * so a bundle (the test runner's, the examples', the browser bench's) always gets the current
 * shaders, whether or not scripts/build.mjs has regenerated the module.
 */
export function glslPlugin(glslDir) {
  return {
    name: 'glsl',
    setup(b) {
      b.onLoad({ filter: /shaders\.generated\.ts$/ }, () => {
        return { contents: `export const shaders = ${JSON.stringify(loadShaders(glslDir))};`, loader: 'ts' };
      });
    },
  };
}
