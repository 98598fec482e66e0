// Hand-made inline SVG for bench/results/report.html: no CDN, no chart library.
import type { Chart } from './results.js';

const WIDTH = 600;
const LABEL = 210;
const BAR = 18;
const GAP = 8;
export const PALETTE = ['#2563eb', '#9ca3af', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#14b8a6', '#ec4899'];
const BASELINE_COLOR = PALETTE[1]!;

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Compact figure: 1234.5 -> "1,235", 0.4567 -> "0.457". */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

const finite = (series: Record<string, number>) => Object.entries(series).filter(([, v]) => Number.isFinite(v));

/** Horizontal bars, the gateway's (the first series) in blue, the baselines in grey, each with its value. */
export function barChartSvg(chart: Chart): string {
  const bars = finite(chart.series);
  const max = Math.max(0, ...bars.map(([, v]) => v)) || 1;
  const top = 30;
  const height = top + bars.length * (BAR + GAP) + 6;
  const span = WIDTH - LABEL - 70;
  const body = bars.map(([label, value], i) => {
    const y = top + i * (BAR + GAP);
    const w = Math.max(1, (Math.max(0, value) / max) * span);
    const color = i === 0 ? PALETTE[0]! : BASELINE_COLOR;
    return (
      `<text x="${LABEL - 8}" y="${y + BAR - 5}" text-anchor="end">${escapeXml(label)}</text>` +
      `<rect x="${LABEL}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" fill="${color}"><title>${escapeXml(`${label}: ${value} ${chart.unit}`)}</title></rect>` +
      `<text x="${(LABEL + w + 6).toFixed(1)}" y="${y + BAR - 5}">${escapeXml(formatValue(value))}</text>`
    );
  });
  const caption = `${chart.title} (${chart.unit}, ${chart.higherIsBetter ? 'higher' : 'lower'} is better)`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="bars" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeXml(caption)}">` +
    `<text x="0" y="16" class="title">${escapeXml(caption)}</text>${body.join('')}</svg>`
  );
}

export interface HistoryPoint {
  label: string;
  series: Record<string, number>;
}

/** The gateway always blue; a baseline keeps its colour from chart to chart (by its name). */
export function seriesColor(name: string): string {
  if (name.startsWith('gateway')) return PALETTE[0]!;
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return PALETTE[1 + (h % (PALETTE.length - 1))]!;
}

/** Legend entries laid out left to right, wrapping; about 6.5 px per character at 12 px. */
function legend(names: string[], left: number, top: number): { svg: string; height: number } {
  let [x, y] = [left, top];
  const items = names.map((name) => {
    const w = 24 + name.length * 6.5;
    if (x + w > WIDTH && x > left) [x, y] = [left, y + 16];
    const item = `<rect x="${x.toFixed(1)}" y="${y}" width="10" height="10" fill="${seriesColor(name)}"/><text x="${(x + 14).toFixed(1)}" y="${y + 9}">${escapeXml(name)}</text>`;
    x += w;
    return item;
  });
  return { svg: items.join(''), height: y - top + 16 };
}

/** One line per series across runs (oldest left); a series missing from a run leaves a gap, not a zero. */
export function lineChartSvg(title: string, unit: string, points: HistoryPoint[]): string {
  const names = [...new Set(points.flatMap((p) => finite(p.series).map(([n]) => n)))];
  const values = points.flatMap((p) => finite(p.series).map(([, v]) => v));
  const max = Math.max(0, ...values) || 1;
  const plot = 140;
  const [left, right, top] = [50, 16, 28];
  const key = legend(names, left, top + plot + 24);
  const height = top + plot + 24 + key.height;
  const x = (i: number) => left + (points.length === 1 ? (WIDTH - left - right) / 2 : (i * (WIDTH - left - right)) / (points.length - 1));
  const y = (v: number) => top + (1 - Math.max(0, v) / max) * plot;
  const lines = names.map((name) => {
    const color = seriesColor(name);
    const segments: string[][] = [[]];
    const dots: string[] = [];
    points.forEach((p, i) => {
      const v = p.series[name];
      if (v === undefined || !Number.isFinite(v)) return void segments.push([]);
      segments[segments.length - 1]!.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
      dots.push(
        `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${color}"><title>${escapeXml(`${name} ${p.label}: ${v} ${unit}`)}</title></circle>`,
      );
    });
    const polylines = segments.filter((s) => s.length > 1).map((s) => `<polyline fill="none" stroke="${color}" stroke-width="2" points="${s.join(' ')}"/>`);
    return polylines.join('') + dots.join('');
  });
  const axis =
    `<line x1="${left}" y1="${y(0)}" x2="${WIDTH - right}" y2="${y(0)}" stroke="#d1d5db"/>` +
    `<text x="${left - 6}" y="${y(max) + 4}" text-anchor="end">${escapeXml(formatValue(max))}</text>` +
    `<text x="${left - 6}" y="${y(0) + 4}" text-anchor="end">0</text>` +
    (points.length ? `<text x="${x(0)}" y="${y(0) + 14}"${points.length === 1 ? ' text-anchor="middle"' : ''}>${escapeXml(points[0]!.label)}</text>` : '') +
    (points.length > 1 ? `<text x="${x(points.length - 1)}" y="${y(0) + 14}" text-anchor="end">${escapeXml(points.at(-1)!.label)}</text>` : '');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="lines" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeXml(`${title} over runs`)}">` +
    `<text x="0" y="16" class="title">${escapeXml(`${title} (${unit}) over ${points.length} run${points.length === 1 ? '' : 's'}`)}</text>${axis}${lines.join('')}${key.svg}</svg>`
  );
}
