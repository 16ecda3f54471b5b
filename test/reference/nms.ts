// The textbook greedy NMS, O(n²): stable sort by score (descending, ties to the lower index), then
// every kept box suppresses the later ones whose IoU passes the rule. IoU in float64 from the
// given (float32) coordinates, or emulated float32 with Math.fround.

export interface NmsRefOptions {
  plus1: boolean;
  ge: boolean;
  float32?: boolean;
}

function iouRef(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, plus1: boolean, float32 = false): number {
  const off = plus1 ? 1 : 0;
  const ax1 = a[i * 4],
    ay1 = a[i * 4 + 1],
    ax2 = a[i * 4 + 2],
    ay2 = a[i * 4 + 3];
  const bx1 = b[j * 4],
    by1 = b[j * 4 + 1],
    bx2 = b[j * 4 + 2],
    by2 = b[j * 4 + 3];
  if (!float32) {
    const w = Math.max(0, Math.min(ax2, bx2) - Math.max(ax1, bx1) + off);
    const h = Math.max(0, Math.min(ay2, by2) - Math.max(ay1, by1) + off);
    const inter = w * h;
    return inter / ((ax2 - ax1 + off) * (ay2 - ay1 + off) + (bx2 - bx1 + off) * (by2 - by1 + off) - inter);
  }
  const f = Math.fround;
  const areaA = f(f(f(ax2 - ax1) + off) * f(f(ay2 - ay1) + off));
  const areaB = f(f(f(bx2 - bx1) + off) * f(f(by2 - by1) + off));
  const w = Math.max(0, f(f(Math.min(ax2, bx2) - Math.max(ax1, bx1)) + off));
  const h = Math.max(0, f(f(Math.min(ay2, by2) - Math.max(ay1, by1)) + off));
  const inter = f(w * h);
  return f(inter / f(f(areaA + areaB) - inter));
}

export function nmsRef(
  boxes: ArrayLike<number>,
  scores: ArrayLike<number>,
  thr: number,
  o: NmsRefOptions,
  classes?: ArrayLike<number>,
): number[] {
  const n = scores.length;
  const s32 = Float32Array.from(scores);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => s32[j] - s32[i] || i - j);
  const dead = new Uint8Array(n);
  const keep: number[] = [];
  for (let a = 0; a < n; a++) {
    const i = order[a];
    if (dead[i]) continue;
    keep.push(i);
    for (let b = a + 1; b < n; b++) {
      const j = order[b];
      if (dead[j] || (classes && classes[i] !== classes[j])) continue;
      const iou = iouRef(boxes, i, boxes, j, o.plus1, o.float32);
      if (o.ge ? iou >= thr : iou > thr) dead[j] = 1;
    }
  }
  return keep;
}
