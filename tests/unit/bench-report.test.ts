import { describe, expect, it } from 'vitest';
import { parseHistory, type HistoryEntry } from '../../bench/lib/history.js';
import { parsePgbench } from '../../bench/lib/pgbench.js';
import { renderReport, shortDate } from '../../bench/lib/report.js';
import { barChartSvg, escapeXml, formatValue, lineChartSvg, seriesColor } from '../../bench/lib/svg.js';

const PGBENCH_15 = `pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: /tmp/xfer.pgb
scaling factor: 1
query mode: simple
number of clients: 16
number of threads: 2
maximum number of tries: 1
duration: 2 s
number of transactions actually processed: 5190
number of failed transactions: 3 (0.058%)
latency average = 6.135 ms
initial connection time = 18.209 ms
tps = 2607.931404 (without initial connection time)
`;

function entry(bench: string, date: string, series: Record<string, number>, extra: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    date,
    commit: 'abc123',
    bench,
    gateway: 'dist',
    machine: { cpus: 2, cpuModel: 'Test CPU', memoryGiB: 4, node: 'v20', platform: 'linux-x64' },
    rows: [{ bench, metric: 'ratio', value: '0.5', goal: '>= 1', met: false }],
    charts: [{ title: 'req/s', unit: 'req/s', higherIsBetter: true, series }],
    ...extra,
  };
}

describe('bench report: pgbench output', () => {
  it('reads tps without the connection time, the transactions, the failures and the average latency', () => {
    expect(parsePgbench(PGBENCH_15)).toEqual({ tps: 2607.931404, transactions: 5190, failed: 3, latencyAvgMs: 6.135 });
  });

  it("reads the pre-14 wording 'excluding connections establishing' and not the including one", () => {
    const old = 'tps = 900.5 (including connections establishing)\ntps = 912.25 (excluding connections establishing)\n';
    expect(parsePgbench(old).tps).toBe(912.25);
    expect(parsePgbench(old).failed).toBe(0);
  });

  it('fails naming the output when there is no tps line', () => {
    expect(() => parsePgbench('pgbench: error: connection refused')).toThrow(/no tps.*connection refused/s);
  });
});

describe('bench report: history', () => {
  it('keeps well-formed lines in order and skips torn, non-JSON and incomplete ones', () => {
    const a = entry('query', '2026-11-29T10:00:00.000Z', { gateway: 1 });
    const b = entry('transfers', '2026-11-30T10:00:00.000Z', { gateway: 2 });
    const text = [JSON.stringify(a), '{"bench":"query","date":', 'not json', JSON.stringify({ bench: 'x' }), '', JSON.stringify(b)].join('\n');
    expect(parseHistory(text)).toEqual([a, b]);
  });

  it('fills charts and commit for lines written before they existed', () => {
    const [e] = parseHistory(JSON.stringify({ bench: 'query', date: '2026-11-29T10:00:00.000Z', rows: [] }));
    expect(e).toMatchObject({ charts: [], commit: 'unknown' });
  });
});

describe('bench report: SVG', () => {
  it('draws one bar per finite series, the gateway first and in its own colour, each labelled with its value', () => {
    const svg = barChartSvg({ title: 'transfers/s', unit: 'transfers/s', higherIsBetter: true, series: { gateway: 500, pgbench: 2000, broken: NaN } });
    const rects = [...svg.matchAll(/<rect [^>]*width="([\d.]+)"[^>]*fill="([^"]+)"/g)];
    expect(rects).toHaveLength(2);
    expect(Number(rects[0]![1])).toBeCloseTo(Number(rects[1]![1]) / 4, 0);
    expect(rects[0]![2]).not.toBe(rects[1]![2]);
    expect(svg).toContain('>2,000<');
    expect(svg).toContain('higher is better');
    expect(svg).not.toContain('broken');
  });

  it('escapes labels so a metric name cannot break the markup', () => {
    const svg = barChartSvg({ title: 'p99 <ms> & "more"', unit: 'ms', higherIsBetter: false, series: { "o'brien": 1 } });
    expect(svg).toContain('p99 &lt;ms&gt; &amp; &quot;more&quot;');
    expect(svg).toContain('o&#39;brien');
    expect(escapeXml('<a>')).toBe('&lt;a&gt;');
  });

  it('formats figures compactly by magnitude', () => {
    expect([formatValue(12345.6), formatValue(45.67), formatValue(3.14159), formatValue(0.41234)]).toEqual(['12,346', '45.7', '3.14', '0.412']);
  });

  it('draws a line per series over the runs and leaves a gap where a run lacks the series', () => {
    const svg = lineChartSvg('req/s', 'req/s', [
      { label: 'r1', series: { gateway: 100, peer: 400 } },
      { label: 'r2', series: { gateway: 200 } },
      { label: 'r3', series: { gateway: 300, peer: 500 } },
    ]);
    const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((m) => m[1]!.split(' ').length);
    expect(lines).toEqual([3]);
    expect(svg.match(/<circle /g)).toHaveLength(5);
    expect(svg).toContain('over 3 runs');
  });
});

describe('bench report: page', () => {
  it('has a section per bench with the latest bars, the history lines and the latest table, with nothing loaded from outside', () => {
    const html = renderReport(
      [
        entry('query', '2026-11-29T10:00:00.000Z', { gateway: 100, peer: 400 }),
        entry('transfers', '2026-11-29T10:01:00.000Z', { gateway: 7 }),
        entry('query', '2026-11-30T10:00:00.000Z', { gateway: 150, peer: 420 }, { commit: 'def456' }),
      ],
      '2026-11-30T12:00:00.000Z',
    );
    expect(html.match(/<section /g)).toHaveLength(2);
    const query = html.slice(html.indexOf('<section id="query"'), html.indexOf('<section id="transfers"'));
    expect(query).toContain('commit def456');
    expect(query).toContain('History (2 runs)');
    expect(query).toContain('>150<');
    expect(query).toContain('<td class="no">NO</td>');
    expect(html.slice(html.indexOf('<section id="transfers"'))).not.toContain('History');
    expect(html).not.toMatch(/<script|<link|src=/);
  });

  it('says so when there is no run yet', () => {
    expect(renderReport([])).toContain('No runs yet.');
  });

  it('shortens dates for axis labels', () => {
    expect(shortDate('2026-11-30T18:04:17.000Z')).toBe('11-30 18:04');
  });
});

describe('bench report: colours', () => {
  it('keeps the gateway blue and a baseline the same colour in every chart', () => {
    expect(seriesColor('gateway light (5000/s)')).toBe('#2563eb');
    expect(seriesColor('pgbench')).toBe(seriesColor('pgbench'));
    expect(seriesColor('pgbench')).not.toBe('#2563eb');
  });
});
