// Float32 RGBA textures, reused: a released texture goes to a free list by size and is handed out
// again for the next tensor of that size class, so a training loop allocates no GPU memory after its
// first iteration. Free textures beyond `maxPooledBytes` are deleted (oldest first).
import * as twgl from 'twgl.js';
import { bucketRows } from './layout.js';

export interface Tex {
  readonly texture: WebGLTexture;
  readonly width: number;
  readonly height: number;
  /** log2(width) for the flat tensor layout; -1 for a plain 2-D texture (acquire2D). */
  readonly lw: number;
  /** 0 for a 2-D texture, else the layer count of a 2-D array texture (multiple render targets). */
  readonly layers: number;
  readonly bytes: number;
  readonly key: string;
}

export class TexturePool {
  private free = new Map<string, Tex[]>();
  private order: Tex[] = [];
  /** Every texture this pool made and has not deleted. */
  textures = 0;
  bytes = 0;
  pooled = 0;
  pooledBytes = 0;

  constructor(
    private gl: WebGL2RenderingContext,
    private maxTextureSize: number,
    public maxPooledBytes = 512 * 2 ** 20,
  ) {}

  /** A texture for the flat layout: 2^lw texels wide, at least `rows` high. */
  acquire(lw: number, rows: number, layers = 0): Tex {
    return this.get(1 << lw, bucketRows(rows, this.maxTextureSize), lw, layers);
  }

  /** A plain 2-D texture of exactly width × height texels (a matrix with one row per texture row). */
  acquire2D(width: number, height: number, layers = 0): Tex {
    if (width > this.maxTextureSize || height > this.maxTextureSize)
      throw new Error(`webgl: a ${width}x${height} texture exceeds MAX_TEXTURE_SIZE ${this.maxTextureSize}`);
    return this.get(width, height, -1, layers);
  }

  private get(width: number, height: number, lw: number, layers: number): Tex {
    const key = `${width}x${height}x${layers}${lw < 0 ? 'm' : ''}`;
    const list = this.free.get(key);
    const t = list?.pop();
    if (t) {
      this.order.splice(this.order.indexOf(t), 1);
      this.pooled--;
      this.pooledBytes -= t.bytes;
      return t;
    }
    const gl = this.gl;
    const texture = twgl.createTexture(gl, {
      target: layers ? gl.TEXTURE_2D_ARRAY : gl.TEXTURE_2D,
      internalFormat: gl.RGBA32F,
      format: gl.RGBA,
      type: gl.FLOAT,
      width,
      height,
      depth: layers || undefined,
      minMag: gl.NEAREST,
      wrap: gl.CLAMP_TO_EDGE,
      auto: false,
    });
    if (!texture) throw new Error(`webgl: could not create a ${key} float texture (out of GPU memory?)`);
    const bytes = width * height * Math.max(1, layers) * 16;
    this.textures++;
    this.bytes += bytes;
    return { texture, width, height, lw, layers, bytes, key };
  }

  release(t: Tex): void {
    let list = this.free.get(t.key);
    if (!list) {
      list = [];
      this.free.set(t.key, list);
    }
    list.push(t);
    this.order.push(t);
    this.pooled++;
    this.pooledBytes += t.bytes;
    while (this.pooledBytes > this.maxPooledBytes && this.order.length) this.destroy(this.order[0]);
  }

  /** Deletes every free texture. */
  trim(): void {
    while (this.order.length) this.destroy(this.order[0]);
  }

  private destroy(t: Tex): void {
    this.order.splice(this.order.indexOf(t), 1);
    const list = this.free.get(t.key)!;
    list.splice(list.indexOf(t), 1);
    this.pooled--;
    this.pooledBytes -= t.bytes;
    this.textures--;
    this.bytes -= t.bytes;
    this.gl.deleteTexture(t.texture);
  }
}
