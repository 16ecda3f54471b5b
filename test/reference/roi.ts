// Straightforward per-output-element loops for RoI max pooling and RoIAlign, written from the
// torchvision/Caffe semantics in the fixtures' README, used as oracles for the WASM kernels.
// Values are float64; the RoI-pool bin geometry is float32 (Math.fround) as in the reference.

function cRound(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

export interface RoiPoolRef {
  output: Float64Array;
  argmax: Int32Array;
}

export function roiPoolRef(
  x: ArrayLike<number>,
  [N, C, H, W]: readonly number[],
  rois: ArrayLike<number>,
  scale: number,
  PH: number,
  PW: number,
): RoiPoolRef {
  const R = rois.length / 5;
  const output = new Float64Array(R * C * PH * PW);
  const argmax = new Int32Array(R * C * PH * PW);
  const f = Math.fround;
  for (let r = 0; r < R; r++) {
    const b = Math.trunc(rois[r * 5]);
    if (b < 0 || b >= N) throw new Error('bad batch');
    const sw = cRound(f(f(rois[r * 5 + 1]) * f(scale)));
    const sh = cRound(f(f(rois[r * 5 + 2]) * f(scale)));
    const ew = cRound(f(f(rois[r * 5 + 3]) * f(scale)));
    const eh = cRound(f(f(rois[r * 5 + 4]) * f(scale)));
    const rw = Math.max(ew - sw + 1, 1),
      rh = Math.max(eh - sh + 1, 1);
    const bh = f(rh / PH),
      bw = f(rw / PW);
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < PH; i++) {
        for (let j = 0; j < PW; j++) {
          let hs = Math.floor(f(i * bh)),
            he = Math.ceil(f((i + 1) * bh));
          let ws = Math.floor(f(j * bw)),
            we = Math.ceil(f((j + 1) * bw));
          hs = Math.min(Math.max(hs + sh, 0), H);
          he = Math.min(Math.max(he + sh, 0), H);
          ws = Math.min(Math.max(ws + sw, 0), W);
          we = Math.min(Math.max(we + sw, 0), W);
          const empty = he <= hs || we <= ws;
          let best = empty ? 0 : -3.4028234663852886e38,
            arg = -1;
          for (let h = hs; h < he; h++) {
            for (let w = ws; w < we; w++) {
              const v = x[((b * C + c) * H + h) * W + w];
              if (v > best) {
                best = v;
                arg = h * W + w;
              }
            }
          }
          const o = ((r * C + c) * PH + i) * PW + j;
          output[o] = best;
          argmax[o] = arg;
        }
      }
    }
  }
  return { output, argmax };
}

export function roiPoolBackwardRef(
  gradOutput: ArrayLike<number>,
  argmax: ArrayLike<number>,
  rois: ArrayLike<number>,
  [N, C, H, W]: readonly number[],
  PH: number,
  PW: number,
): Float64Array {
  const R = rois.length / 5;
  const g = new Float64Array(N * C * H * W);
  for (let r = 0; r < R; r++) {
    const b = Math.trunc(rois[r * 5]);
    for (let c = 0; c < C; c++) {
      for (let k = 0; k < PH * PW; k++) {
        const o = (r * C + c) * PH * PW + k;
        if (argmax[o] >= 0) g[(b * C + c) * H * W + argmax[o]] += gradOutput[o];
      }
    }
  }
  return g;
}

interface Corner {
  pos: number;
  w: number;
}

/** The bilinear corners of one RoIAlign sample point (torchvision's clamping), or [] outside. */
function bilinear(y: number, x: number, H: number, W: number): Corner[] {
  if (y < -1 || y > H || x < -1 || x > W) return [];
  if (y <= 0) y = 0;
  if (x <= 0) x = 0;
  let yl = Math.trunc(y),
    xl = Math.trunc(x),
    yh: number,
    xh: number;
  if (yl >= H - 1) {
    yh = yl = H - 1;
    y = yl;
  } else yh = yl + 1;
  if (xl >= W - 1) {
    xh = xl = W - 1;
    x = xl;
  } else xh = xl + 1;
  const ly = y - yl,
    lx = x - xl,
    hy = 1 - ly,
    hx = 1 - lx;
  return [
    { pos: yl * W + xl, w: hy * hx },
    { pos: yl * W + xh, w: hy * lx },
    { pos: yh * W + xl, w: ly * hx },
    { pos: yh * W + xh, w: ly * lx },
  ];
}

/** For each RoI and bin, the (position, weight/count) list RoIAlign averages over. */
function alignTaps(
  rois: ArrayLike<number>,
  r: number,
  H: number,
  W: number,
  scale: number,
  PH: number,
  PW: number,
  sr: number,
  aligned: boolean,
): Corner[][] {
  const off = aligned ? 0.5 : 0;
  const sw = rois[r * 5 + 1] * scale - off,
    sh = rois[r * 5 + 2] * scale - off;
  let rw = rois[r * 5 + 3] * scale - off - sw,
    rh = rois[r * 5 + 4] * scale - off - sh;
  if (!aligned) {
    rw = Math.max(rw, 1);
    rh = Math.max(rh, 1);
  }
  const bh = rh / PH,
    bw = rw / PW;
  const gh = sr > 0 ? sr : Math.ceil(rh / PH),
    gw = sr > 0 ? sr : Math.ceil(rw / PW);
  const count = Math.max(gh * gw, 1);
  const bins: Corner[][] = [];
  for (let i = 0; i < PH; i++) {
    for (let j = 0; j < PW; j++) {
      const taps: Corner[] = [];
      for (let iy = 0; iy < gh; iy++) {
        const y = sh + i * bh + ((iy + 0.5) * bh) / gh;
        for (let ix = 0; ix < gw; ix++) {
          const x = sw + j * bw + ((ix + 0.5) * bw) / gw;
          for (const t of bilinear(y, x, H, W)) taps.push({ pos: t.pos, w: t.w / count });
        }
      }
      bins.push(taps);
    }
  }
  return bins;
}

export function roiAlignRef(
  x: ArrayLike<number>,
  [, C, H, W]: readonly number[],
  rois: ArrayLike<number>,
  scale: number,
  PH: number,
  PW: number,
  sr: number,
  aligned: boolean,
): Float64Array {
  const R = rois.length / 5;
  const out = new Float64Array(R * C * PH * PW);
  for (let r = 0; r < R; r++) {
    const b = Math.trunc(rois[r * 5]);
    const bins = alignTaps(rois, r, H, W, scale, PH, PW, sr, aligned);
    for (let c = 0; c < C; c++) {
      const plane = (b * C + c) * H * W;
      for (let k = 0; k < PH * PW; k++) {
        let s = 0;
        for (const t of bins[k]) s += t.w * x[plane + t.pos];
        out[(r * C + c) * PH * PW + k] = s;
      }
    }
  }
  return out;
}

export function roiAlignBackwardRef(
  gradOutput: ArrayLike<number>,
  [N, C, H, W]: readonly number[],
  rois: ArrayLike<number>,
  scale: number,
  PH: number,
  PW: number,
  sr: number,
  aligned: boolean,
): Float64Array {
  const R = rois.length / 5;
  const g = new Float64Array(N * C * H * W);
  for (let r = 0; r < R; r++) {
    const b = Math.trunc(rois[r * 5]);
    const bins = alignTaps(rois, r, H, W, scale, PH, PW, sr, aligned);
    for (let c = 0; c < C; c++) {
      const plane = (b * C + c) * H * W;
      for (let k = 0; k < PH * PW; k++) {
        const go = gradOutput[(r * C + c) * PH * PW + k];
        for (const t of bins[k]) g[plane + t.pos] += t.w * go;
      }
    }
  }
  return g;
}
