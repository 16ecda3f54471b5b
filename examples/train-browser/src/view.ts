// The page's tables and the test picture: detections drawn on a canvas, the detections table (exact
// values in data-* attributes, which the end-to-end test reads), the validation mAP after each
// validation and the last validation's AP per class.
import type { ApTable, Detection, RgbImage } from '../../../src/index.js';
import { classColor } from '../../../src/data/draw.js';
import { rgbToRgba } from '../../../src/data/image.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const css = ([r, g, b]: number[]) => `rgb(${r}, ${g}, ${b})`;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** The picture with its detections (pixel-inclusive boxes: x2 + 1 is the right edge), zoomed to about 480 px wide. */
export function drawDetections(canvas: HTMLCanvasElement, image: RgbImage, detections: Detection[]): void {
  const zoom = Math.max(1, Math.min(4, Math.floor(480 / image.width)));
  canvas.width = image.width * zoom;
  canvas.height = image.height * zoom;
  const ctx = canvas.getContext('2d')!;
  const src = new OffscreenCanvas(image.width, image.height);
  src.getContext('2d')!.putImageData(new ImageData(rgbToRgba(image), image.width, image.height), 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(src, 0, 0, canvas.width, canvas.height);
  ctx.font = `${10 + 2 * zoom}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  // Lowest score first so the best boxes end up on top.
  for (const d of [...detections].reverse()) {
    const c = classColor(d.classIndex - 1);
    const [x, y, w, h] = [d.box[0] * zoom, d.box[1] * zoom, (d.box[2] - d.box[0] + 1) * zoom, (d.box[3] - d.box[1] + 1) * zoom];
    ctx.lineWidth = zoom;
    ctx.strokeStyle = css(c);
    ctx.strokeRect(x + zoom / 2, y + zoom / 2, w - zoom, h - zoom);
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
export function fillDetections(shown: Detection[], all: number, threshold: number): void {
  $('detections-body').replaceChildren(
    ...shown.map((d, i) => {
      const tr = document.createElement('tr');
      tr.dataset.class = d.className;
      tr.dataset.score = String(d.score);
      tr.dataset.box = JSON.stringify(d.box);
      tr.innerHTML =
        `<td>${i + 1}</td><td><span class="swatch" style="background:${css(classColor(d.classIndex - 1))}"></span>${escapeHtml(d.className)}</td>` +
        `<td>${d.score.toFixed(3)}</td><td>${d.box.map((v) => v.toFixed(1)).join(', ')}</td>`;
      return tr;
    }),
  );
  $('detections-caption').textContent = `${shown.length} of ${all} detections score ≥ ${threshold.toFixed(2)}.`;
}

/** Adds one validation row (mAP after `iteration` Fast R-CNN iterations) and shows its AP per class. */
export function addValidation(iteration: number, table: ApTable): void {
  const tr = document.createElement('tr');
  tr.dataset.iteration = String(iteration);
  tr.dataset.map = String(table.map07);
  tr.innerHTML = `<td>${iteration}</td><td>${table.map07.toFixed(4)}</td><td>${table.mapAll.toFixed(4)}</td>`;
  $('validation-body').append(tr);
  $('ap-body').replaceChildren(
    ...table.classes.map((c, k) => {
      const row = document.createElement('tr');
      row.innerHTML = `<td>${escapeHtml(c)}</td><td>${table.npos[k]}</td><td>${table.ap07[k].toFixed(4)}</td>`;
      return row;
    }),
  );
  $('ap-caption').textContent = `AP per class (VOC07 11-point) after iteration ${iteration}.`;
}
