// The WebGL2 backend: each tensor's values live in a float32 RGBA texture (layout.ts), kernels are
// fragment programs (glsl/, program_cache.ts) drawn into pooled textures (texture_pool.ts). int32
// tensors are stored as float values, exact up to 2^24 in magnitude (indices, labels, argmax).
import * as twgl from 'twgl.js';
import type { Backend, BackendMemory, DataId, TensorInfo } from '../../core/backend.js';
import { kernelsFor } from '../registry.js';
import { type DType, type TypedArray, sizeOf } from '../../core/types.js';
import { type GLCaps, type WebGLBackendOptions, capsOf, createContext } from './context.js';
import { bandRows, layoutFor, type Layout } from './layout.js';
import { type Defines, ProgramCache } from './program_cache.js';
import { type Tex, TexturePool } from './texture_pool.js';

/** Largest int32 magnitude stored exactly (as a float32 value). */
const MAX_EXACT_INT = 2 ** 24;

export class GLData implements DataId {
  readonly backendName = 'webgl';
  refCount = 1;
  constructor(
    public tex: Tex | null,
    readonly size: number,
    readonly dtype: DType,
    readonly layout: Layout,
  ) {}
}

/** A texture argument of a draw: a tensor's texture, or a temporary one. */
export type TexArg = Tex | GLData | TensorInfo;

export interface Draw {
  program: string;
  defines?: Defines;
  /** Samplers by uniform name; `<name>Lw` (log2 width) is set for each as well. */
  inputs?: Record<string, TexArg>;
  uniforms?: Record<string, number | number[] | boolean>;
  /** The texture drawn into; a 2-D array texture gets one render target per layer, a list of
   *  same-sized 2-D textures one each. */
  output: Tex | Tex[];
  /** Output texels to compute (the viewport covers ceil(texels / width) rows). */
  texels: number;
  /** Work per fragment in arbitrary units (about one texel fetch each), for splitting into bands. */
  cost?: number;
}

const LAYER = {} as WebGLTexture;

/** Work per draw (fragments × cost): about 50 ms of SwiftShader, nothing on a GPU; keeps draws short. */
const DRAW_BUDGET = 1 << 23;

export class WebGLBackend implements Backend {
  readonly name = 'webgl';
  readonly kernels = kernelsFor('webgl');
  readonly gl: WebGL2RenderingContext;
  readonly caps: GLCaps;
  readonly pool: TexturePool;
  readonly programs: ProgramCache;
  private fbo: WebGLFramebuffer;
  /** What each color attachment holds (LAYER: some layer of an array texture, re-attached every time). */
  private attached: (WebGLTexture | null)[] = [];
  private lost = false;
  private live = 0;
  private liveBytes = 0;
  draws = 0;

  /** On a software rasterizer WASM is far faster, so WebGL yields the automatic choice there. */
  get preferredForAuto(): boolean {
    return !this.caps.software;
  }

  constructor(opts: WebGLBackendOptions = {}) {
    this.gl = createContext(opts);
    const gl = this.gl;
    this.caps = capsOf(gl);
    this.pool = new TexturePool(gl, this.caps.maxTextureSize);
    this.programs = new ProgramCache(gl);
    this.fbo = gl.createFramebuffer()!;
    const canvas = gl.canvas as any;
    canvas?.addEventListener?.('webglcontextlost', (e: Event) => {
      e.preventDefault();
      this.lost = true;
    });
    gl.disable(gl.DEPTH_TEST);
    gl.disable(gl.BLEND);
    gl.disable(gl.CULL_FACE);
    gl.disable(gl.DITHER);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    gl.pixelStorei(gl.PACK_ALIGNMENT, 1);
    gl.bindVertexArray(gl.createVertexArray());
  }

  /** Throws a clear error when the context is gone (GPU reset, too many contexts, loseContext()). */
  check(where: string): void {
    if (this.lost || this.gl.isContextLost()) {
      this.lost = true;
      throw new Error(
        `webgl: ${where}: the WebGL context was lost; the tensors on this backend are gone. ` +
          "Recreate them after setBackend('wasm') (or a new webgl backend).",
      );
    }
  }

  get contextLost(): boolean {
    return this.lost || this.gl.isContextLost();
  }

  // ---- data -----------------------------------------------------------------------------------

  /** New storage (refcount 1) for `size` elements; its texture holds garbage until drawn into. */
  allocData(size: number, dtype: DType): GLData {
    const layout = layoutFor(size, this.caps.maxTextureSize);
    const tex = size ? this.pool.acquire(layout.lw, layout.rows) : null;
    this.live++;
    this.liveBytes += size * 4;
    return new GLData(tex, size, dtype, layout);
  }

  /** An output TensorInfo with fresh storage. */
  out(shape: number[], dtype: DType = 'float32'): TensorInfo {
    return { dataId: this.allocData(sizeOf(shape), dtype), shape, dtype };
  }

  data(t: TensorInfo | DataId): GLData {
    return ('dataId' in t ? t.dataId : t) as GLData;
  }

  /** A temporary texture for `elements` values (release with releaseTemp). */
  temp(elements: number, layers = 0): Tex {
    const l = layoutFor(elements, this.caps.maxTextureSize);
    return this.pool.acquire(l.lw, l.rows, layers);
  }
  /** A temporary plain 2-D texture of width × height texels (release with releaseTemp). */
  temp2D(width: number, height: number, layers = 0): Tex {
    return this.pool.acquire2D(width, height, layers);
  }
  releaseTemp(t: Tex): void {
    this.pool.release(t);
  }

  write(values: TypedArray, _shape: number[], dtype: DType): DataId {
    this.check('write');
    const d = this.allocData(values.length, dtype);
    if (!d.tex) return d;
    let f: Float32Array;
    if (dtype === 'int32' || !(values instanceof Float32Array)) {
      for (let i = 0; i < values.length; i++) {
        if (!(Math.abs(values[i]) <= MAX_EXACT_INT)) {
          this.decRef(d);
          throw new Error(
            `webgl: int32 value ${values[i]} at ${i} is beyond ±2^24, which float32 textures cannot hold exactly; use the 'wasm' backend for such data`,
          );
        }
      }
      f = Float32Array.from(values);
    } else f = values;
    this.upload(d.tex, d.layout, f);
    return d;
  }

  private upload(tex: Tex, l: Layout, f: Float32Array): void {
    const gl = this.gl;
    gl.bindTexture(gl.TEXTURE_2D, tex.texture);
    const full = Math.floor(f.length / (l.width * 4));
    if (full) gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, l.width, full, gl.RGBA, gl.FLOAT, f, 0);
    const rest = f.length - full * l.width * 4;
    if (rest) {
      const row = new Float32Array(Math.ceil(rest / 4) * 4);
      row.set(f.subarray(full * l.width * 4));
      gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, full, row.length / 4, 1, gl.RGBA, gl.FLOAT, row, 0);
    }
    gl.bindTexture(gl.TEXTURE_2D, null);
  }

  /** Points the framebuffer's attachments at `out` (the layers of an array texture, or each texture of a list). */
  private bindTarget(out: Tex | Tex[], count = Array.isArray(out) ? out.length : Math.max(1, out.layers)): void {
    const gl = this.gl;
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.fbo);
    for (let i = 0; i < Math.max(count, this.attached.length); i++) {
      const tex = Array.isArray(out) ? out[i] : out;
      const want = i < count ? tex.texture : null;
      const layered = !!want && tex.layers > 0;
      if (this.attached[i] === want && !layered) continue;
      if (layered) gl.framebufferTextureLayer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0 + i, want, 0, i);
      else gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0 + i, gl.TEXTURE_2D, want, 0);
      this.attached[i] = layered ? LAYER : want;
    }
    this.attached.length = count;
  }

  private readTex(tex: Tex, rows: number, layer = 0): Float32Array {
    const gl = this.gl;
    this.bindTarget(tex, 1);
    if (tex.layers) {
      gl.framebufferTextureLayer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, tex.texture, 0, layer);
      this.attached[0] = LAYER;
    }
    gl.readBuffer(gl.COLOR_ATTACHMENT0);
    const out = new Float32Array(tex.width * rows * 4);
    gl.readPixels(0, 0, tex.width, rows, gl.RGBA, gl.FLOAT, out);
    return out;
  }

  readSync(dataId: DataId): TypedArray {
    const d = dataId as GLData;
    if (d.refCount <= 0) throw new Error('webgl backend: read of freed data');
    this.check('read');
    if (!d.tex) return d.dtype === 'int32' ? new Int32Array(0) : new Float32Array(0);
    const raw = this.readTex(d.tex, d.layout.rows);
    return this.finish(raw, d);
  }

  private finish(raw: Float32Array, d: GLData): TypedArray {
    const v = raw.subarray(0, d.size);
    return d.dtype === 'int32' ? Int32Array.from(v) : raw.length === d.size ? raw : v.slice();
  }

  /** Reads through a pixel-pack buffer and a fence, so the page keeps running while the GPU works. */
  async read(dataId: DataId): Promise<TypedArray> {
    const d = dataId as GLData;
    if (d.refCount <= 0) throw new Error('webgl backend: read of freed data');
    this.check('read');
    if (!d.tex) return this.readSync(d);
    const gl = this.gl,
      tex = d.tex,
      rows = d.layout.rows;
    const bytes = tex.width * rows * 16;
    this.incRef(d);
    const buf = gl.createBuffer()!;
    try {
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, buf);
      gl.bufferData(gl.PIXEL_PACK_BUFFER, bytes, gl.STREAM_READ);
      this.bindTarget(tex, 1);
      gl.readBuffer(gl.COLOR_ATTACHMENT0);
      gl.readPixels(0, 0, tex.width, rows, gl.RGBA, gl.FLOAT, 0);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
      const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0)!;
      gl.flush();
      try {
        for (;;) {
          this.check('read');
          const s = gl.clientWaitSync(sync, 0, 0);
          if (s === gl.ALREADY_SIGNALED || s === gl.CONDITION_SATISFIED) break;
          if (s === gl.WAIT_FAILED) throw new Error('webgl: clientWaitSync failed');
          await new Promise((r) => setTimeout(r, 1));
        }
      } finally {
        gl.deleteSync(sync);
      }
      const raw = new Float32Array(tex.width * rows * 4);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, buf);
      gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 0, raw);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
      return this.finish(raw, d);
    } finally {
      gl.deleteBuffer(buf);
      this.decRef(d);
    }
  }

  incRef(dataId: DataId): void {
    (dataId as GLData).refCount++;
  }

  decRef(dataId: DataId): void {
    const d = dataId as GLData;
    if (--d.refCount === 0) {
      if (d.tex) this.pool.release(d.tex);
      d.tex = null;
      this.live--;
      this.liveBytes -= d.size * 4;
    }
  }

  memory(): BackendMemory {
    return {
      buffers: this.live,
      bytes: this.liveBytes,
      textures: this.pool.textures,
      textureBytes: this.pool.bytes,
      pooledTextures: this.pool.pooled,
      pooledBytes: this.pool.pooledBytes,
      programs: this.programs.size,
      programCompiles: this.programs.compiles,
      draws: this.draws,
      softwareRenderer: this.caps.software ? 1 : 0,
    };
  }

  /** Deletes the pooled (free) textures. */
  trimPool(): void {
    this.pool.trim();
  }

  dispose(): void {
    this.pool.trim();
    this.programs.dispose();
    if (!this.gl.isContextLost()) this.gl.deleteFramebuffer(this.fbo);
  }

  // ---- drawing --------------------------------------------------------------------------------

  texOf(a: TexArg): Tex {
    const d = ('dataId' in a ? a.dataId : a) as GLData | Tex;
    if (d instanceof GLData) {
      if (!d.tex) throw new Error('webgl: an empty or freed tensor was passed to a kernel');
      return d.tex;
    }
    return d;
  }

  /** Runs a program over the output texels, in bands of rows that each stay within DRAW_BUDGET. */
  run(dr: Draw): void {
    this.check(dr.program);
    if (dr.texels <= 0) return;
    const gl = this.gl;
    const p = this.programs.get(dr.program, dr.defines);
    const out = Array.isArray(dr.output) ? dr.output[0] : dr.output;
    const rows = Math.ceil(dr.texels / out.width);
    if (rows > out.height) throw new Error(`webgl: ${dr.program}: ${dr.texels} texels do not fit the ${out.width}x${out.height} output`);
    const uniforms: Record<string, unknown> = { outLw: out.lw, outTexels: dr.texels, ...dr.uniforms };
    for (const [name, a] of Object.entries(dr.inputs ?? {})) {
      const t = this.texOf(a);
      uniforms[name] = t.texture;
      uniforms[name + 'Lw'] = t.lw;
    }
    gl.useProgram(p.program);
    twgl.setUniforms(p, uniforms);
    const targets = Array.isArray(dr.output) ? dr.output.length : Math.max(1, out.layers);
    this.bindTarget(dr.output, targets);
    gl.drawBuffers(Array.from({ length: targets }, (_, i) => gl.COLOR_ATTACHMENT0 + i));
    gl.viewport(0, 0, out.width, rows);
    this.drawBands(out.width, rows, dr.cost ?? 1);
    // unbind the samplers so a later draw into one of these textures is no feedback loop
    for (let i = 0; i < Object.keys(dr.inputs ?? {}).length; i++) {
      gl.activeTexture(gl.TEXTURE0 + i);
      gl.bindTexture(gl.TEXTURE_2D, null);
      gl.bindTexture(gl.TEXTURE_2D_ARRAY, null);
    }
  }

  private drawBands(width: number, rows: number, cost: number): void {
    const gl = this.gl;
    const band = bandRows(width, rows, cost, DRAW_BUDGET);
    if (band < rows) gl.enable(gl.SCISSOR_TEST);
    for (let y = 0; y < rows; y += band) {
      if (band < rows) gl.scissor(0, y, width, Math.min(band, rows - y));
      gl.drawArrays(gl.TRIANGLES, 0, 3);
      this.draws++;
    }
    if (band < rows) gl.disable(gl.SCISSOR_TEST);
  }
}
