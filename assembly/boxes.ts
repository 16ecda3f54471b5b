// Box geometry for the detector: IoU matrices, the R-CNN box parameterization (Fast R-CNN sec. 2.3,
// R-CNN appendix C) and clipping. Boxes are (x1, y1, x2, y2) f32; arithmetic is float64.
//
// coding: BOX_PLUS1 — VOC pixel-inclusive widths w = x2 - x1 + 1 (original Fast R-CNN / VOC devkit);
// otherwise continuous w = x2 - x1 (torchvision). Decoding with BOX_PLUS1 returns x2 = cx + w/2 - 1,
// the exact inverse of the encoder, unless BOX_PYFASTERRCNN asks for py-faster-rcnn's x2 = cx + w/2.

const BOX_PLUS1: i32 = 1;
const BOX_PYFASTERRCNN: i32 = 2;

/** iou[i][j] = IoU(a[i], b[j]) for a [n][4], b [m][4]; out [n][m] f32. 0/0 gives NaN. */
export function boxesIou(a: usize, n: i32, b: usize, m: i32, coding: i32, out: usize): void {
  const off: f64 = (coding & BOX_PLUS1) ? 1 : 0;
  for (let i = 0; i < n; i++) {
    const pa = a + (<usize>i << 4);
    const ax1 = <f64>load<f32>(pa), ay1 = <f64>load<f32>(pa, 4), ax2 = <f64>load<f32>(pa, 8), ay2 = <f64>load<f32>(pa, 12);
    const areaA = (ax2 - ax1 + off) * (ay2 - ay1 + off);
    const row = out + (<usize>i * <usize>m << 2);
    for (let j = 0; j < m; j++) {
      const pb = b + (<usize>j << 4);
      const bx1 = <f64>load<f32>(pb), by1 = <f64>load<f32>(pb, 4), bx2 = <f64>load<f32>(pb, 8), by2 = <f64>load<f32>(pb, 12);
      const areaB = (bx2 - bx1 + off) * (by2 - by1 + off);
      const w = max<f64>(0, min(ax2, bx2) - max(ax1, bx1) + off);
      const h = max<f64>(0, min(ay2, by2) - max(ay1, by1) + off);
      const inter = w * h;
      store<f32>(row + (<usize>j << 2), <f32>(inter / (areaA + areaB - inter)));
    }
  }
}

/**
 * Regression targets of gt [n][4] relative to proposals [n][4]: (dx, dy, dw, dh) =
 * ((gcx - cx)/w, (gcy - cy)/h, log(gw/w), log(gh/h)), then (t - mean)/std per component.
 * norm: 8 f64 (mean x,y,w,h, std x,y,w,h). out [n][4].
 */
export function boxesEncode(proposals: usize, gt: usize, n: i32, coding: i32, norm: usize, out: usize): void {
  const off: f64 = (coding & BOX_PLUS1) ? 1 : 0;
  const m0 = load<f64>(norm), m1 = load<f64>(norm, 8), m2 = load<f64>(norm, 16), m3 = load<f64>(norm, 24);
  const s0 = load<f64>(norm, 32), s1 = load<f64>(norm, 40), s2 = load<f64>(norm, 48), s3 = load<f64>(norm, 56);
  for (let i = 0; i < n; i++) {
    const p = proposals + (<usize>i << 4), g = gt + (<usize>i << 4), o = out + (<usize>i << 4);
    const w = <f64>load<f32>(p, 8) - <f64>load<f32>(p) + off;
    const h = <f64>load<f32>(p, 12) - <f64>load<f32>(p, 4) + off;
    const cx = <f64>load<f32>(p) + 0.5 * w, cy = <f64>load<f32>(p, 4) + 0.5 * h;
    const gw = <f64>load<f32>(g, 8) - <f64>load<f32>(g) + off;
    const gh = <f64>load<f32>(g, 12) - <f64>load<f32>(g, 4) + off;
    const gcx = <f64>load<f32>(g) + 0.5 * gw, gcy = <f64>load<f32>(g, 4) + 0.5 * gh;
    store<f32>(o, <f32>(((gcx - cx) / w - m0) / s0));
    store<f32>(o, <f32>(((gcy - cy) / h - m1) / s1), 4);
    store<f32>(o, <f32>((Math.log(gw / w) - m2) / s2), 8);
    store<f32>(o, <f32>((Math.log(gh / h) - m3) / s3), 12);
  }
}

/**
 * Applies deltas [n][4k] (k boxes per proposal, e.g. one per class) to proposals [n][4]:
 * t = delta·std + mean; dw, dh clamped above at maxLogScale (pass +Infinity for none);
 * cx' = dx·w + cx, w' = exp(dw)·w; x1 = cx' - w'/2, x2 = cx' + w'/2 (- 1 with BOX_PLUS1 unless
 * BOX_PYFASTERRCNN). out [n][4k].
 */
export function boxesDecode(proposals: usize, deltas: usize, n: i32, k: i32, coding: i32, norm: usize,
  maxLogScale: f64, out: usize): void {
  const off: f64 = (coding & BOX_PLUS1) ? 1 : 0;
  const end: f64 = (coding & BOX_PLUS1) && !(coding & BOX_PYFASTERRCNN) ? 1 : 0;
  const m0 = load<f64>(norm), m1 = load<f64>(norm, 8), m2 = load<f64>(norm, 16), m3 = load<f64>(norm, 24);
  const s0 = load<f64>(norm, 32), s1 = load<f64>(norm, 40), s2 = load<f64>(norm, 48), s3 = load<f64>(norm, 56);
  for (let i = 0; i < n; i++) {
    const p = proposals + (<usize>i << 4);
    const w = <f64>load<f32>(p, 8) - <f64>load<f32>(p) + off;
    const h = <f64>load<f32>(p, 12) - <f64>load<f32>(p, 4) + off;
    const cx = <f64>load<f32>(p) + 0.5 * w, cy = <f64>load<f32>(p, 4) + 0.5 * h;
    for (let j = 0; j < k; j++) {
      const at = (<usize>(i * k + j)) << 4;
      const d = deltas + at, o = out + at;
      const dx = <f64>load<f32>(d) * s0 + m0, dy = <f64>load<f32>(d, 4) * s1 + m1;
      const dw = min(<f64>load<f32>(d, 8) * s2 + m2, maxLogScale);
      const dh = min(<f64>load<f32>(d, 12) * s3 + m3, maxLogScale);
      const pcx = dx * w + cx, pcy = dy * h + cy;
      const pw = Math.exp(dw) * w, ph = Math.exp(dh) * h;
      store<f32>(o, <f32>(pcx - 0.5 * pw));
      store<f32>(o, <f32>(pcy - 0.5 * ph), 4);
      store<f32>(o, <f32>(pcx + 0.5 * pw - end), 8);
      store<f32>(o, <f32>(pcy + 0.5 * ph - end), 12);
    }
  }
}

/**
 * Clips count boxes (x1, y1, x2, y2) to an image of height × width. mode 0: every coordinate to
 * [0, W-1] × [0, H-1] (pixel-inclusive, original code's default); 1: the 2015 release's one-sided
 * rule (x1, y1 >= 0; x2 <= W-1, y2 <= H-1); 2: continuous [0, W] × [0, H] (torchvision).
 */
export function boxesClip(boxes: usize, count: i32, height: f32, width: f32, mode: i32, out: usize): void {
  const xmax: f32 = mode == 2 ? width : width - 1;
  const ymax: f32 = mode == 2 ? height : height - 1;
  for (let i = 0; i < count; i++) {
    const p = boxes + (<usize>i << 4), o = out + (<usize>i << 4);
    const x1 = load<f32>(p), y1 = load<f32>(p, 4), x2 = load<f32>(p, 8), y2 = load<f32>(p, 12);
    if (mode == 1) {
      store<f32>(o, max<f32>(x1, 0)); store<f32>(o, max<f32>(y1, 0), 4);
      store<f32>(o, min<f32>(x2, xmax), 8); store<f32>(o, min<f32>(y2, ymax), 12);
    } else {
      store<f32>(o, min<f32>(max<f32>(x1, 0), xmax)); store<f32>(o, min<f32>(max<f32>(y1, 0), ymax), 4);
      store<f32>(o, min<f32>(max<f32>(x2, 0), xmax), 8); store<f32>(o, min<f32>(max<f32>(y2, 0), ymax), 12);
    }
  }
}
