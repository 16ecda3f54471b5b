// The synthetic dataset's object classes: shapes told apart by outline, not colour. Each is an inside
// test in a local frame where the shape fits roughly in the unit disc; placeShape adds position,
// radius (pixels), rotation and aspect. Pixel (x, y) is tested at its centre (x + 0.5, y + 0.5).

export const SHAPE_KINDS = ['circle', 'cross', 'heart', 'hexagon', 'ring', 'square', 'star', 'triangle'] as const;
export type ShapeKind = (typeof SHAPE_KINDS)[number];
/** Default classes of the built-in dataset: six shapes a small CNN separates easily. */
export const DEFAULT_SHAPE_CLASSES: ShapeKind[] = ['circle', 'cross', 'ring', 'square', 'star', 'triangle'];

const SQRT3 = Math.sqrt(3);
const STAR = Array.from({ length: 10 }, (_, k) => {
  const a = -Math.PI / 2 + (k * Math.PI) / 5,
    r = k % 2 ? 0.42 : 1;
  return [r * Math.cos(a), r * Math.sin(a)];
});

/** Even-odd ray casting. */
function inPolygon(u: number, v: number, poly: number[][]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i],
      [xj, yj] = poly[j];
    if (yi > v !== yj > v && u < ((xj - xi) * (v - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Inside test in the local unit frame; `inner` is the ring's hole radius. */
function shapeInside(kind: ShapeKind, u: number, v: number, inner = 0.55): boolean {
  switch (kind) {
    case 'circle':
      return u * u + v * v <= 1;
    case 'ring': {
      const r2 = u * u + v * v;
      return r2 <= 1 && r2 >= inner * inner;
    }
    case 'square':
      return Math.abs(u) <= 0.78 && Math.abs(v) <= 0.78;
    case 'cross': {
      const a = Math.abs(u),
        b = Math.abs(v);
      return (a <= 0.3 && b <= 1) || (b <= 0.3 && a <= 1);
    }
    case 'hexagon': {
      const a = Math.abs(u),
        b = Math.abs(v);
      return b <= SQRT3 / 2 && SQRT3 * a + b <= SQRT3;
    }
    case 'triangle': // equilateral, side sqrt(3), vertices (0, -0.75), (+-sqrt(3)/2, 0.75): centred on its box
      return v <= 0.75 && SQRT3 * u - v <= 0.75 && -SQRT3 * u - v <= 0.75;
    case 'star':
      return inPolygon(u, v, STAR);
    case 'heart': {
      // (x^2 + y^2 - 1)^3 - x^2 y^3 <= 0, y up
      const x = 1.2 * u,
        y = -1.2 * v + 0.15,
        q = x * x + y * y - 1;
      return q * q * q - x * x * y * y * y <= 0;
    }
  }
}

export interface PlacedShape {
  kind: ShapeKind;
  /** Centre in pixel coordinates (continuous; pixel x spans [x, x + 1)). */
  cx: number;
  cy: number;
  /** Half-size in pixels along the local u axis before aspect. */
  radius: number;
  /** Rotation in radians. */
  angle: number;
  /** Local v axis is scaled by this (<= 1 squashes). */
  aspect: number;
  /** Ring hole radius as a fraction of the outer radius. */
  inner: number;
}

/** Pixel bounds that surely contain the shape (may extend beyond the image). */
export function shapeBounds(s: PlacedShape): { x0: number; y0: number; x1: number; y1: number } {
  const r = s.radius * 1.2 + 1;
  return { x0: Math.floor(s.cx - r), y0: Math.floor(s.cy - r), x1: Math.ceil(s.cx + r), y1: Math.ceil(s.cy + r) };
}

/** Inside test for integer pixel indices (x, y) of a placed shape, trigonometry hoisted. */
export function pixelInsideTest(s: PlacedShape): (x: number, y: number) => boolean {
  const c = Math.cos(s.angle) / s.radius,
    sn = Math.sin(s.angle) / s.radius,
    k = 1 / s.aspect;
  return (x, y) => {
    const dx = x + 0.5 - s.cx,
      dy = y + 0.5 - s.cy;
    return shapeInside(s.kind, dx * c + dy * sn, (dy * c - dx * sn) * k, s.inner);
  };
}
