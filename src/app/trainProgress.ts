// Progress of `fastrcnn train` as text: the files a run writes beside its model, times as m:ss, and
// the one-line progress bar with loss terms, accuracy, LR, seconds per step and ETA.
import { basename, dirname, extname, join } from 'node:path';
import type { IterationLog } from '../detection/training/trainer.js';

/** Paths derived from the model path: <stem>.ckpt, <stem>.loss.csv, <stem>.loss.svg, <stem>.best<ext>. */
export function trainPaths(out: string, checkpoint?: string): { checkpoint: string; csv: string; svg: string; best: string } {
  const stem = join(dirname(out), basename(out, extname(out)));
  return {
    checkpoint: checkpoint ?? `${stem}.ckpt`,
    csv: `${stem}.loss.csv`,
    svg: `${stem}.loss.svg`,
    best: `${stem}.best${extname(out) || '.safetensors'}`,
  };
}

export function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  s = Math.max(0, Math.round(s));
  const h = Math.floor(s / 3600),
    m = Math.floor((s % 3600) / 60),
    ss = s % 60;
  return `${h ? `${h}:${String(m).padStart(2, '0')}` : m}:${String(ss).padStart(2, '0')}`;
}

/** One progress line: bar, iteration, loss terms, accuracy, LR, s/iter and ETA (seconds left). */
export function progressLine(
  l: IterationLog,
  total: number,
  secPerIter: number,
  width = 24,
  eta = (total - l.iteration - 1) * secPerIter,
): string {
  const done = l.iteration + 1,
    f = done / total,
    fill = Math.round(f * width);
  const bar = '='.repeat(Math.max(0, fill - 1)) + (fill ? '>' : '') + ' '.repeat(width - fill);
  return (
    `[${bar}] ${done}/${total}${l.phase === 'pretrain' ? ' pretrain' : ''} loss ${l.loss.toFixed(3)} (cls ${l.lossCls.toFixed(3)} loc ${l.lossLoc.toFixed(3)}) ` +
    `acc fg ${(l.fgAcc * 100).toFixed(0)}% bg ${(l.bgAcc * 100).toFixed(0)}% lr ${l.lr.toPrecision(2)} ` +
    `${secPerIter.toFixed(2)} s/it ETA ${fmtTime(eta)}`
  );
}
