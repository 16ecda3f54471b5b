// Selective Search, step 0: the colour spaces of the paper's diversification (Uijlings et al. 2013,
// sec. 3.2). Every space is written as 8-bit, 3-channel interleaved, so the segmentation, the
// 25-bin colour histograms and the texture bins all see values in [0, 255].

const SS_RGB: i32 = 0;
const SS_HSV: i32 = 1;
const SS_LAB: i32 = 2;

/** Bytes of scratch ssColorSpace needs (the sRGB -> linear table). */
export function ssColorScratchBytes(): i32 { return 256 << 2; }

// Round half up and clamp to a byte.
@inline function toByte(v: f32): u8 {
  let r = <i32>Mathf.floor(v + 0.5);
  return <u8>(r < 0 ? 0 : r > 255 ? 255 : r);
}

@inline function labF(t: f32): f32 {
  return t > <f32>0.008856 ? Mathf.cbrt(t) : <f32>7.787 * t + <f32>(16.0 / 116.0);
}

/**
 * RGB (u8, interleaved, n pixels) -> `space` (SS_RGB, SS_HSV, SS_LAB), u8 interleaved.
 * HSV: H over the full circle scaled to [0,255], S = (max-min)/max, V = max.
 * Lab (D65, sRGB gamma): L*255/100, a+128, b+128, as 8-bit OpenCV does.
 */
export function ssColorSpace(rgb: usize, out: usize, n: i32, space: i32, scratch: usize): void {
  if (space == SS_HSV) {
    for (let i = 0; i < n; i++) {
      const p = rgb + <usize>(i * 3);
      const r = <f32>load<u8>(p), g = <f32>load<u8>(p, 1), b = <f32>load<u8>(p, 2);
      const mx = Mathf.max(r, Mathf.max(g, b)), mn = Mathf.min(r, Mathf.min(g, b));
      const d = mx - mn;
      let h: f32 = 0;
      if (d > 0) {
        if (mx == r) h = (g - b) / d;
        else if (mx == g) h = <f32>2 + (b - r) / d;
        else h = <f32>4 + (r - g) / d;
        if (h < 0) h += 6;
      }
      const s: f32 = mx > 0 ? d * <f32>255 / mx : 0;
      const o = out + <usize>(i * 3);
      store<u8>(o, toByte(h * <f32>(255.0 / 6.0)));
      store<u8>(o, toByte(s), 1);
      store<u8>(o, <u8>mx, 2);
    }
  } else if (space == SS_LAB) {
    for (let v = 0; v < 256; v++) {
      const c = <f32>v / <f32>255;
      store<f32>(scratch + (<usize>v << 2),
        c <= <f32>0.04045 ? c / <f32>12.92 : Mathf.pow((c + <f32>0.055) / <f32>1.055, <f32>2.4));
    }
    for (let i = 0; i < n; i++) {
      const p = rgb + <usize>(i * 3);
      const r = load<f32>(scratch + (<usize>load<u8>(p) << 2));
      const g = load<f32>(scratch + (<usize>load<u8>(p, 1) << 2));
      const b = load<f32>(scratch + (<usize>load<u8>(p, 2) << 2));
      const x = (<f32>0.412453 * r + <f32>0.357580 * g + <f32>0.180423 * b) / <f32>0.950456;
      const y = <f32>0.212671 * r + <f32>0.715160 * g + <f32>0.072169 * b;
      const z = (<f32>0.019334 * r + <f32>0.119193 * g + <f32>0.950227 * b) / <f32>1.088754;
      const fx = labF(x), fy = labF(y), fz = labF(z);
      const L = y > <f32>0.008856 ? <f32>116 * fy - <f32>16 : <f32>903.3 * y;
      const o = out + <usize>(i * 3);
      store<u8>(o, toByte(L * <f32>(255.0 / 100.0)));
      store<u8>(o, toByte(<f32>500 * (fx - fy) + <f32>128), 1);
      store<u8>(o, toByte(<f32>200 * (fy - fz) + <f32>128), 2);
    }
  } else {
    memory.copy(out, rgb, <usize>(n * 3));
  }
}
