// bench/results/report.html: per bench, the latest run's gateway beside its baselines, then
// every chart's history, and the latest table. Self-contained: inline SVG and CSS only.
import type { HistoryEntry } from './history.js';
import { barChartSvg, escapeXml, lineChartSvg } from './svg.js';

const STYLE = `body{font:14px system-ui,sans-serif;margin:24px;color:#111;max-width:1280px}
svg{font:12px system-ui,sans-serif;margin:8px 16px 8px 0}svg .title{font-weight:600}
.charts{display:flex;flex-wrap:wrap}table{border-collapse:collapse;margin:8px 0 24px}
td,th{border:1px solid #e5e7eb;padding:3px 8px;text-align:left}.no{color:#b91c1c;font-weight:600}.yes{color:#047857}
.meta{color:#4b5563}`;

/** "2026-11-30T18:04:17.000Z" -> "11-30 18:04": short enough for an axis. */
export function shortDate(iso: string): string {
  return iso.length >= 16 ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso;
}

function rowsTable(entry: HistoryEntry): string {
  const cells = entry.rows.map((r) => {
    const met = r.met === undefined ? '' : r.met ? '<td class="yes">yes</td>' : '<td class="no">NO</td>';
    return `<tr><td>${escapeXml(r.metric)}</td><td>${escapeXml(r.value)}</td><td>${escapeXml(r.baseline ?? '')}</td><td>${escapeXml(r.goal ?? '')}</td>${met || '<td></td>'}</tr>`;
  });
  return `<table><tr><th>metric</th><th>value</th><th>baseline</th><th>goal</th><th>met</th></tr>${cells.join('')}</table>`;
}

function benchSection(bench: string, runs: HistoryEntry[]): string {
  const latest = runs.at(-1)!;
  const m = latest.machine;
  const meta = `${escapeXml(latest.date)} · commit ${escapeXml(latest.commit)} · gateway from ${escapeXml(latest.gateway)}${m ? ` · ${m.cpus} × ${escapeXml(m.cpuModel)}, ${m.memoryGiB} GiB, Node ${escapeXml(m.node)}` : ''}`;
  const bars = latest.charts.map(barChartSvg).join('');
  const titles = [...new Set(runs.flatMap((r) => r.charts.map((c) => c.title)))];
  const lines = titles
    .map((title) => {
      const withChart = runs.filter((r) => r.charts.some((c) => c.title === title));
      const unit = withChart.at(-1)!.charts.find((c) => c.title === title)!.unit;
      const points = withChart.map((r) => ({ label: `${shortDate(r.date)} ${r.commit}`, series: r.charts.find((c) => c.title === title)!.series }));
      return lineChartSvg(title, unit, points);
    })
    .join('');
  return (
    `<section id="${escapeXml(bench)}"><h2>${escapeXml(bench)}</h2><p class="meta">${meta}</p>` +
    `<div class="charts">${bars || '<p>no chart for this bench</p>'}</div>` +
    (runs.length > 1 ? `<h3>History (${runs.length} runs)</h3><div class="charts">${lines}</div>` : '') +
    `${rowsTable(latest)}</section>`
  );
}

/** The whole page from the history, benches in the order they first appear. */
export function renderReport(history: HistoryEntry[], generated = new Date().toISOString()): string {
  const byBench = new Map<string, HistoryEntry[]>();
  for (const e of history) byBench.set(e.bench, [...(byBench.get(e.bench) ?? []), e]);
  const sections = [...byBench].map(([bench, runs]) => benchSection(bench, runs));
  const nav = [...byBench.keys()].map((b) => `<a href="#${escapeXml(b)}">${escapeXml(b)}</a>`).join(' · ');
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>coach-gateway benchmarks</title><style>${STYLE}</style></head>` +
    `<body><h1>coach-gateway benchmarks</h1><p class="meta">Generated ${escapeXml(generated)} from bench/results/history.jsonl. ` +
    `Compare ratios within one run; absolute figures move with the machine.</p><p>${nav}</p>${sections.join('') || '<p>No runs yet.</p>'}</body></html>\n`
  );
}
