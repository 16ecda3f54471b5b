// Getting a WebGL2 context that can render float32: from the caller (a canvas, an OffscreenCanvas in
// a worker, Node's `gl` package), or a fresh OffscreenCanvas / <canvas>. Missing pieces are clear
// errors, so the engine's automatic choice falls back to WASM.

export interface WebGLBackendOptions {
  /** A WebGL2 context to use (the backend owns its state from then on). */
  gl?: WebGL2RenderingContext;
  /** A canvas to get the context from. */
  canvas?: HTMLCanvasElement | OffscreenCanvas;
}

export interface GLCaps {
  maxTextureSize: number;
  maxDrawBuffers: number;
  maxTextureUnits: number;
  renderer: string;
  /** A CPU rasterizer (SwiftShader, llvmpipe, WARP): WASM SIMD is then usually faster. */
  software: boolean;
}

const CONTEXT_ATTRS: WebGLContextAttributes = {
  alpha: false,
  antialias: false,
  depth: false,
  stencil: false,
  premultipliedAlpha: false,
  preserveDrawingBuffer: false,
  powerPreference: 'high-performance',
  failIfMajorPerformanceCaveat: false,
};

/** True where a WebGL2 context could be made without the caller's help (a page or a worker). */
export function webglLikelyAvailable(): boolean {
  const g = globalThis as any;
  return (
    typeof g.WebGL2RenderingContext !== 'undefined' &&
    (typeof g.OffscreenCanvas !== 'undefined' || typeof g.document?.createElement === 'function')
  );
}

export function createContext(opts: WebGLBackendOptions = {}): WebGL2RenderingContext {
  let gl = opts.gl ?? null;
  if (!gl) {
    const g = globalThis as any;
    let canvas: any = opts.canvas;
    if (!canvas) {
      if (typeof g.OffscreenCanvas !== 'undefined') canvas = new g.OffscreenCanvas(1, 1);
      else if (typeof g.document?.createElement === 'function') canvas = g.document.createElement('canvas');
      else {
        throw new Error(
          'webgl backend: no WebGL2 here (no OffscreenCanvas or document, e.g. plain Node); ' +
            "pass a context with createWebGLBackend({ gl }) or use the 'wasm' backend",
        );
      }
    }
    gl = canvas.getContext('webgl2', CONTEXT_ATTRS) as WebGL2RenderingContext | null;
    if (!gl) throw new Error("webgl backend: this browser or device gives no WebGL2 context; use the 'wasm' backend");
  }
  if (typeof (gl as any).texStorage3D !== 'function' || typeof (gl as any).drawBuffers !== 'function') {
    throw new Error('webgl backend: the context given is not WebGL2 (texStorage3D/drawBuffers missing)');
  }
  if (gl.isContextLost()) throw new Error('webgl backend: the WebGL context is lost');
  if (!gl.getExtension('EXT_color_buffer_float')) {
    throw new Error("webgl backend: EXT_color_buffer_float is missing, so float32 textures cannot be rendered to; use the 'wasm' backend");
  }
  return gl;
}

export function capsOf(gl: WebGL2RenderingContext): GLCaps {
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  return {
    maxTextureSize: gl.getParameter(gl.MAX_TEXTURE_SIZE),
    maxDrawBuffers: Math.min(gl.getParameter(gl.MAX_DRAW_BUFFERS), gl.getParameter(gl.MAX_COLOR_ATTACHMENTS)),
    maxTextureUnits: gl.getParameter(gl.MAX_TEXTURE_IMAGE_UNITS),
    renderer,
    software: /swiftshader|llvmpipe|softpipe|software|basic render|warp/i.test(renderer),
  };
}
