// The live loss plot on a canvas: every iteration's loss (faint) and its moving average, pre-training
// steps (crop classification, another loss) in grey before the Fast R-CNN iterations in blue, and the
// validation mAP (VOC07) as red points on a 0..1 axis at the right. The x axis spans the whole run,
// so the curve grows across it as training goes.
import type { IterationLog } from '../../../src/index.js';
import { movingAverage } from '../../../src/detection/training/lossPlot.js';

const COLORS = { pretrain: '#9ca3af', train: '#2563eb', map: '#d62728', grid: '#e5e7eb', text: '#5c6675' };

export function drawLossPlot(canvas: HTMLCanvasElement, logs: IterationLog[], total: number): void {
  const dpr = window.devicePixelRatio || 1;
  const W = canvas.clientWidth || 640,
    H = canvas.clientHeight || 300;
  canvas.width = Math.round(W * dpr);
  canvas.height = Math.round(H * dpr);
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, W, H);
  const L = 48,
    R = 44,
    T = 14,
    B = 34;
  const pw = W - L - R,
    ph = H - T - B;
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = COLORS.text;
  const finite = logs.filter((l) => Number.isFinite(l.loss));
  const w = Math.max(1, Math.round(Math.max(total, 1) / 30));
  const avg = movingAverage(
    finite.map((l) => l.loss),
    w,
  );
  const ymax = Math.max(0.1, ...avg) * 1.15;
  const sx = (it: number) => L + (it / Math.max(total, 1)) * pw,
    sy = (y: number) => T + ph - (Math.min(y, ymax) / ymax) * ph,
    sm = (m: number) => T + ph - m * ph;
  ctx.strokeStyle = COLORS.grid;
  ctx.lineWidth = 1;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let k = 0; k <= 4; k++) {
    const y = T + (ph * k) / 4;
    ctx.beginPath();
    ctx.moveTo(L, y);
    ctx.lineTo(L + pw, y);
    ctx.stroke();
    ctx.fillText(String(+((ymax * (4 - k)) / 4).toPrecision(2)), L - 6, y);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (let k = 0; k <= 5; k++) ctx.fillText(String(Math.round((total * k) / 5)), sx((total * k) / 5), T + ph + 6);
  ctx.fillText(`iteration (loss: raw and moving average over ${w})`, L + pw / 2, T + ph + 20);
  ctx.strokeStyle = '#9aa3ae';
  ctx.strokeRect(L, T, pw, ph);

  const firstTrain = finite.findIndex((l) => l.phase === 'train');
  if (firstTrain > 0) {
    const x = sx(finite[firstTrain].iteration);
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(x, T);
    ctx.lineTo(x, T + ph);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.textAlign = 'left';
    ctx.fillText('pre-training | Fast R-CNN', Math.min(x + 4, L + pw - 120), T + 4);
  }
  for (const phase of ['pretrain', 'train'] as const) {
    const idx = finite.map((l, i) => (l.phase === phase ? i : -1)).filter((i) => i >= 0);
    if (!idx.length) continue;
    ctx.fillStyle = `${COLORS[phase]}55`;
    for (const i of idx) ctx.fillRect(sx(finite[i].iteration) - 1, sy(finite[i].loss) - 1, 2, 2);
    ctx.strokeStyle = COLORS[phase];
    ctx.lineWidth = 2;
    ctx.beginPath();
    idx.forEach((i, k) => (k ? ctx.lineTo(sx(finite[i].iteration), sy(avg[i])) : ctx.moveTo(sx(finite[i].iteration), sy(avg[i]))));
    ctx.stroke();
  }

  // Validation mAP on its own 0..1 axis at the right.
  ctx.fillStyle = COLORS.map;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  for (let k = 0; k <= 4; k++) ctx.fillText((k / 4).toFixed(2), L + pw + 6, sm(k / 4));
  const val = logs.filter((l) => l.valMap07 !== undefined);
  for (const l of val) {
    ctx.beginPath();
    ctx.arc(sx(l.iteration), sm(l.valMap07!), 4, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'top';
  ctx.fillText('● validation mAP (VOC07, right axis)', L + pw - 6, T + 20);
}
