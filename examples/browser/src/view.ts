// Drawing and tables: the image with its detections on a canvas, the detections table the e2e test
// reads (exact values in data-* attributes), and the per-stage timings of both backends.
import { type Box, type Detection, type RgbImage, classColor, rgbToRgba } from '../../../src/index.js';
import type { RunResult, StageTimes } from './pipeline.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const css = ([r, g, b]: number[]) => `rgb(${r}, ${g}, ${b})`;

/** Draws the image at `zoom`× with detection boxes (pixel-inclusive: x2 + 1 is the right edge) and labels. */
export function drawScene(
  canvas: HTMLCanvasElement,
  image: RgbImage,
  detections: Detection[],
  groundTruth: { name: string; box: Box }[] = [],
): void {
  const zoom = Math.max(1, Math.min(3, Math.floor(900 / image.width)));
  canvas.width = image.width * zoom;
  canvas.height = image.height * zoom;
  const ctx = canvas.getContext('2d')!;
  const src = new OffscreenCanvas(image.width, image.height);
  src.getContext('2d')!.putImageData(new ImageData(rgbToRgba(image), image.width, image.height), 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(src, 0, 0, canvas.width, canvas.height);
  const rect = (b: Box) => [b[0] * zoom, b[1] * zoom, (b[2] - b[0] + 1) * zoom, (b[3] - b[1] + 1) * zoom] as const;
  ctx.setLineDash([4, 4]);
  ctx.lineWidth = 1;
  ctx.strokeStyle = 'rgba(255,255,255,0.9)';
  for (const g of groundTruth) ctx.strokeRect(...rect(g.box));
  ctx.setLineDash([]);
  ctx.font = `${10 + 2 * zoom}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  // Lowest score first so the best boxes end up on top.
  for (const d of [...detections].reverse()) {
    const c = classColor(d.classIndex - 1),
      [x, y, w, h] = rect(d.box);
    ctx.lineWidth = zoom + 1;
    ctx.strokeStyle = css(c);
    ctx.strokeRect(x + ctx.lineWidth / 2, y + ctx.lineWidth / 2, w - ctx.lineWidth, h - ctx.lineWidth);
    const text = `${d.className} ${d.score.toFixed(2)}`,
      tw = ctx.measureText(text).width + 6,
      th = 12 + 2 * zoom;
    const ty = y - th >= 0 ? y - th : y,
      tx = Math.min(x, canvas.width - tw);
    ctx.fillStyle = css(c);
    ctx.fillRect(tx, ty, tw, th);
    ctx.fillStyle = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2] > 140 ? '#000' : '#fff';
    ctx.fillText(text, tx + 3, ty + 1);
  }
}

/** Lists detections; each row carries the exact class, score and box for tests. */
export function fillDetections(run: RunResult, shown: Detection[], threshold: number): void {
  const body = $<HTMLTableSectionElement>('detections-body');
  body.replaceChildren(
    ...shown.map((d, i) => {
      const tr = document.createElement('tr');
      tr.dataset.class = d.className;
      tr.dataset.score = String(d.score);
      tr.dataset.box = JSON.stringify(d.box);
      const swatch = `<span class="swatch" style="background:${css(classColor(d.classIndex - 1))}"></span>`;
      tr.innerHTML =
        `<td>${i + 1}</td><td>${swatch}${escapeHtml(d.className)}</td><td>${d.score.toFixed(3)}</td>` +
        `<td>${d.box.map((v) => v.toFixed(1)).join(', ')}</td>`;
      return tr;
    }),
  );
  const table = $<HTMLTableElement>('detections');
  table.dataset.backend = run.backend;
  const below = run.detections.length - shown.length;
  $('detections-caption').textContent =
    `${shown.length} detection(s) scoring ≥ ${threshold.toFixed(2)} on ${label(run.backend)} ` +
    `from ${run.numProposals} proposals` +
    (below ? `; ${below} more below the threshold (move the slider to see them).` : '.');
}

export const STAGES: { key: keyof StageTimes; name: string; where: string }[] = [
  { key: 'proposals', name: 'Proposals', where: 'Selective Search, fast mode (WASM on either backend)' },
  { key: 'conv', name: 'Conv layers', where: 'the backbone over the whole image' },
  { key: 'heads', name: 'RoI pooling + heads', where: 'RoI max pooling (WASM), fc6, fc7, cls_score, bbox_pred' },
  { key: 'nms', name: 'NMS', where: 'per-class score threshold and non-maximum suppression' },
];

export function label(backend: string): string {
  return backend === 'webgl' ? 'WebGL' : backend === 'wasm' ? 'WASM' : backend;
}

/** The timings table: one column per backend (the latest run of each), a bar per stage scaled to the slowest total. */
export function fillTimings(runs: Map<string, { times: StageTimes; cold: boolean }>): void {
  const backends = ['webgl', 'wasm'];
  const max = Math.max(1, ...[...runs.values()].map((r) => r.times.total));
  const cell = (b: string, k: keyof StageTimes) => {
    const r = runs.get(b);
    if (!r) return '<td class="ms">—</td>';
    const ms = r.times[k];
    const bar = k === 'total' ? '' : `<span class="bar bar-${k}" style="width:${((100 * ms) / max).toFixed(1)}%"></span>`;
    return `<td class="ms" data-backend="${b}" data-stage="${k}" data-ms="${ms.toFixed(2)}">${bar}<span class="num">${fmtMs(ms)}</span></td>`;
  };
  const rows = STAGES.map(
    (s) =>
      `<tr><th scope="row"><span class="key key-${s.key}"></span>${s.name}<small>${s.where}</small></th>${backends.map((b) => cell(b, s.key)).join('')}</tr>`,
  );
  rows.push(`<tr class="total"><th scope="row">Total</th>${backends.map((b) => cell(b, 'total')).join('')}</tr>`);
  $('timings-body').innerHTML = rows.join('');
  const cold = backends.filter((b) => runs.get(b)?.cold).map(label);
  $('timings-note').textContent = cold.length
    ? `${cold.join(' and ')}: first run on that backend, which includes compiling shaders / moving the weights; run again for steady-state times.`
    : '';
}

export function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
