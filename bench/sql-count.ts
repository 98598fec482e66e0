import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_URL } from './lib/db.js';
import { ROOT } from './lib/gateway.js';
import type { BenchOutcome, Row } from './lib/results.js';

/** Not a timing: runs the vitest test tests/bench/sql-count.test.ts and reports its statement counts. */
export async function run(): Promise<BenchOutcome> {
  const out = join(tmpdir(), `coach-sql-count-${process.pid}.json`);
  const vitest = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', 'tests/bench/sql-count.test.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: ADMIN_URL, BENCH_SQL_COUNT_OUT: out },
    encoding: 'utf8',
  });
  let counts: Record<string, { half: number; full: number }> = {};
  try {
    counts = JSON.parse(readFileSync(out, 'utf8')) as typeof counts;
  } catch {
    // the test did not get far enough to write them
  } finally {
    rmSync(out, { force: true });
  }
  const passed = vitest.status === 0;
  const labels: Record<string, string> = {
    transfers: '50 transfers + both accounts (25 -> 50)',
    chatSessions: '20 sessions x 20 msgs + drafts (10 -> 20)',
    accounts: '8 accounts x 20 entries (4x10 -> 8x20)',
    group: 'group balances + suggested settlements (20 -> 40 expenses)',
  };
  const rows: Row[] = Object.entries(labels).map(([k, label]) => {
    const c = counts[k];
    return {
      bench: 'sql-count',
      metric: label,
      value: c ? String(c.full) : '?',
      baseline: c ? `${c.half} at half` : '',
      goal: 'same, <= 6',
      met: !!c && c.full === c.half && c.full <= 6,
    };
  });
  rows.push({ bench: 'sql-count', metric: 'vitest tests/bench/sql-count.test.ts', value: passed ? 'passed' : 'FAILED', goal: 'passed', met: passed });
  const charts = Object.entries(labels)
    .filter(([k]) => counts[k])
    .map(([k, label]) => ({ title: label, unit: 'statements', higherIsBetter: false, series: { 'full size': counts[k]!.full, 'half size': counts[k]!.half } }));
  return { figures: { counts, vitestExit: vitest.status }, rows, charts, notes: passed ? [] : [vitest.stdout.slice(-2000)] };
}
