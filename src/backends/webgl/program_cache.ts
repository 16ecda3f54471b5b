// Programs compiled once per (glsl file, defines) and cached. A fragment shader is
// `#version 300 es` + the defines + glsl/common.glsl + glsl/<name>.glsl; the vertex shader
// (glsl/vertex.glsl) draws one triangle over the viewport with no attributes.
import * as twgl from 'twgl.js';
import { shaders } from './shaders.generated.js';

export type Defines = Record<string, string | number | boolean>;

export class ProgramCache {
  private programs = new Map<string, twgl.ProgramInfo>();
  /** Compilations so far (cache misses). */
  compiles = 0;

  constructor(private gl: WebGL2RenderingContext) {}

  get size(): number {
    return this.programs.size;
  }

  /** glsl file names of the compiled programs (one entry per variant). */
  compiled(): string[] {
    return [...this.programs.keys()].map((k) => k.slice(0, k.indexOf('|')));
  }

  get(name: string, defines: Defines = {}): twgl.ProgramInfo {
    const keys = Object.keys(defines).sort();
    const key = name + '|' + keys.map((k) => `${k}=${defines[k]}`).join(',');
    let p = this.programs.get(key);
    if (p) return p;
    const body = shaders[name];
    if (body === undefined) throw new Error(`webgl: no shader glsl/${name}.glsl (run the build to regenerate shaders.generated.ts)`);
    const head =
      '#version 300 es\n' + keys.map((k) => `#define ${k} ${defines[k] === true ? 1 : defines[k] === false ? 0 : defines[k]}\n`).join('');
    const fs = head + (shaders.common ?? '') + '\n#line 1\n' + body;
    const vs = shaders.vertex;
    let log = '';
    p =
      twgl.createProgramInfo(this.gl, [vs, fs], {
        errorCallback: (msg: string) => {
          log += msg + '\n';
        },
      }) ?? undefined;
    if (!p) {
      if (this.gl.isContextLost()) throw new Error('webgl: the WebGL context was lost');
      throw new Error(`webgl: program ${key} failed to compile:\n${log}`);
    }
    this.compiles++;
    this.programs.set(key, p);
    return p;
  }

  dispose(): void {
    for (const p of this.programs.values()) this.gl.deleteProgram(p.program);
    this.programs.clear();
  }
}
