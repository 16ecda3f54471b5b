// The training loss as CSV rows and as a self-contained SVG line plot (no plotting library).
import type { IterationLog } from './trainer.js';

export const LOSS_CSV_HEADER = 'iteration,loss,loss_cls,loss_loc,lr,fg_acc,bg_acc,seconds,phase,val_map07';

export function lossCsvRow(l: IterationLog): string {
  const f = (v: number, d = 6) => (Number.isFinite(v) ? +v.toPrecision(d) : String(v));
  return `${l.iteration},${f(l.loss)},${f(l.lossCls)},${f(l.lossLoc)},${f(l.lr)},${f(l.fgAcc, 4)},${f(l.bgAcc, 4)},${f(l.seconds, 4)},${l.phase},${l.valMap07 === undefined ? '' : f(l.valMap07, 6)}`;
}

/** Parses rows written by lossCsvRow (header skipped, malformed lines ignored; files without val_map07 too). */
export function parseLossCsv(text: string): IterationLog[] {
  const out: IterationLog[] = [];
  for (const line of text.split(/\r?\n/)) {
    const f = line.split(','),
      v = f.map(Number);
    if ((f.length !== 9 && f.length !== 10) || !Number.isInteger(v[0]) || (f[8] !== 'pretrain' && f[8] !== 'train')) continue;
    const l: IterationLog = {
      iteration: v[0],
      phase: f[8],
      loss: v[1],
      lossCls: v[2],
      lossLoc: v[3],
      lr: v[4],
      fgAcc: v[5],
      bgAcc: v[6],
      seconds: v[7],
    };
    if (f.length === 10 && f[9] !== '') l.valMap07 = v[9];
    out.push(l);
  }
  return out;
}

/** Trailing moving average (window w) so the noisy per-batch loss reads as a curve. */
export function movingAverage(v: number[], w: number): number[] {
  const out: number[] = [];
  let s = 0;
  for (let i = 0; i < v.length; i++) {
    s += v[i];
    if (i >= w) s -= v[i - w];
    out.push(s / Math.min(i + 1, w));
  }
  return out;
}

/**
 * An SVG of loss, loss_cls and loss_loc against the iteration (smoothed), with axes and a legend, and
 * the validation mAP (VOC07) as points on a right-hand 0..1 axis when the run validated.
 */
export function lossSvg(logs: IterationLog[], title = 'Fast R-CNN training loss'): string {
  const W = 720,
    H = 400,
    L = 60,
    R = 150,
    T = 40,
    B = 50;
  const pw = W - L - R,
    ph = H - T - B;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`,
  ];
  // Pre-training steps optimize another loss (crop classification): plot the Fast R-CNN phase.
  const finite = logs.filter((l) => Number.isFinite(l.loss) && l.phase === 'train');
  if (!finite.length) {
    parts.push(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no data</text></svg>`);
    return parts.join('\n');
  }
  const w = Math.max(1, Math.round(finite.length / 50));
  const series = [
    {
      name: 'loss',
      color: '#1f77b4',
      v: movingAverage(
        finite.map((l) => l.loss),
        w,
      ),
    },
    {
      name: 'loss_cls',
      color: '#ff7f0e',
      v: movingAverage(
        finite.map((l) => l.lossCls),
        w,
      ),
    },
    {
      name: 'loss_loc',
      color: '#2ca02c',
      v: movingAverage(
        finite.map((l) => l.lossLoc),
        w,
      ),
    },
  ];
  const x0 = finite[0].iteration,
    x1 = Math.max(finite[finite.length - 1].iteration, x0 + 1);
  const ymax = Math.max(1e-6, ...series.flatMap((s) => s.v)) * 1.05;
  const sx = (x: number) => L + ((x - x0) / (x1 - x0)) * pw,
    sy = (y: number) => T + ph - (y / ymax) * ph;
  parts.push(`<rect x="${L}" y="${T}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  for (let k = 0; k <= 5; k++) {
    const y = (ymax * k) / 5,
      yy = sy(y).toFixed(1);
    parts.push(
      `<line x1="${L}" x2="${L + pw}" y1="${yy}" y2="${yy}" stroke="#eee"/>`,
      `<text x="${L - 6}" y="${yy}" text-anchor="end" dy="4">${+y.toPrecision(3)}</text>`,
    );
    const x = x0 + ((x1 - x0) * k) / 5,
      xx = sx(x).toFixed(1);
    parts.push(`<text x="${xx}" y="${T + ph + 18}" text-anchor="middle">${Math.round(x)}</text>`);
  }
  parts.push(`<text x="${L + pw / 2}" y="${H - 12}" text-anchor="middle">iteration (moving average over ${w})</text>`);
  series.forEach((s, k) => {
    const pts = s.v.map((y, i) => `${sx(finite[i].iteration).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts}"/>`);
    const ly = T + 16 + 20 * k;
    parts.push(
      `<line x1="${L + pw + 34}" x2="${L + pw + 60}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`,
      `<text x="${L + pw + 66}" y="${ly + 4}">${s.name}</text>`,
    );
  });
  const val = logs.filter((l) => l.valMap07 !== undefined && l.iteration >= x0);
  if (val.length) {
    const vy = (m: number) => T + ph - m * ph,
      color = '#d62728';
    for (let k = 0; k <= 5; k++)
      parts.push(`<text x="${L + pw + 6}" y="${vy(k / 5).toFixed(1)}" dy="4" fill="${color}">${(k / 5).toFixed(1)}</text>`);
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-dasharray="4 3" points="${val.map((l) => `${sx(l.iteration).toFixed(1)},${vy(l.valMap07!).toFixed(1)}`).join(' ')}"/>`,
    );
    for (const l of val)
      parts.push(
        `<circle cx="${sx(l.iteration).toFixed(1)}" cy="${vy(l.valMap07!).toFixed(1)}" r="3" fill="${color}"><title>${l.iteration}: ${l.valMap07!.toFixed(4)}</title></circle>`,
      );
    const ly = T + 16 + 20 * series.length;
    parts.push(
      `<circle cx="${L + pw + 47}" cy="${ly}" r="3" fill="${color}"/>`,
      `<text x="${L + pw + 66}" y="${ly + 4}">val mAP (right)</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}
