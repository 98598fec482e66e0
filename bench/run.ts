// npm run bench [-- NAME ...] [-- --source]: builds, makes a fresh database, runs the
// benchmarks (each starts its own gateway process), prints one table, writes
// bench/results/NAME.json, appends to bench/results/history.jsonl, rewrites
// bench/results/report.html, drops the database.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createBenchDatabase, type BenchDatabase } from './lib/db.js';
import { ROOT, distBuilt, distEntry, gatewayMode, setGatewayMode } from './lib/gateway.js';
import { appendHistory, gitCommit, readHistory } from './lib/history.js';
import { renderReport } from './lib/report.js';
import { machine, RESULTS_DIR, writeResult, type BenchOutcome, type Row } from './lib/results.js';

type Bench = (ctx: { db: BenchDatabase }) => Promise<BenchOutcome>;

const BENCHES: Record<string, () => Promise<Bench>> = {
  query: async () => (await import('./query.js')).run,
  transfers: async () => (await import('./transfers.js')).run,
  stream: async () => (await import('./stream.js')).run,
  sockets: async () => (await import('./sockets.js')).run,
  startup: async () => (await import('./startup.js')).run,
  'sql-count': async () => (await import('./sql-count.js')).run,
  group: async () => (await import('./group.js')).run,
  ingest: async () => (await import('./ingest.js')).run,
};

function build(): void {
  if (process.argv.includes('--source')) return setGatewayMode('source');
  if (!process.argv.includes('--no-build')) {
    const started = Date.now();
    console.log('building dist/ (tsc -p tsconfig.build.json) ...');
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
    const main = join(ROOT, 'dist/src/main.js');
    const fresh = existsSync(main) && statSync(main).mtimeMs >= started - 1000;
    if (tsc.status !== 0) {
      // tsc still emits on type errors; say so, since another change may be half-done.
      console.warn(`warning: tsc reported errors${fresh ? ' (dist/ was emitted anyway)' : ''}:\n${tsc.stdout.split('\n').slice(0, 10).join('\n')}`);
    }
    if (!fresh) {
      console.warn('warning: no fresh dist/src/main.js; running the gateway from source with tsx');
      return setGatewayMode('source');
    }
    // What `npm start` runs: the tsc output bundled into dist/bundle.
    const bundled = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/bundle.ts')], { cwd: ROOT, encoding: 'utf8' });
    if (bundled.status !== 0) console.warn(`warning: bundling dist/ failed, running dist/src/main.js:\n${bundled.stderr.split('\n').slice(0, 10).join('\n')}`);
    // The startup bench's baseline is built the same way as the gateway: dist/bench/bare-server.js.
    const bare = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'bench/tsconfig.bare.json'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (bare.status !== 0) console.warn(`warning: building the bare server failed:\n${bare.stdout.split('\n').slice(0, 10).join('\n')}`);
  }
  setGatewayMode(distBuilt() ? 'dist' : 'source');
}

function table(rows: Row[]): string {
  const head = ['bench', 'metric', 'value', 'baseline', 'goal', 'met'];
  const cells = rows.map((r) => [r.bench, r.metric, r.value, r.baseline ?? '', r.goal ?? '', r.met === undefined ? '' : r.met ? 'yes' : 'NO']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

const commit = gitCommit(ROOT);

function record(bench: string, outcome: BenchOutcome): void {
  appendHistory({
    date: new Date().toISOString(),
    commit,
    bench,
    gateway: gatewayMode(),
    machine: machine(),
    rows: outcome.rows,
    charts: outcome.charts ?? [],
  });
}

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !(n in BENCHES));
  if (unknown.length) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  const selected = names.length ? names : Object.keys(BENCHES);
  build();
  console.log(`gateway: ${gatewayMode() === 'dist' ? `node ${relative(ROOT, distEntry())}` : 'node --import tsx src/main.ts'}`);
  const db = await createBenchDatabase();
  const dropOnSignal = () => void db.drop().finally(() => process.exit(130));
  process.once('SIGINT', dropOnSignal);
  process.once('SIGTERM', dropOnSignal);
  console.log(`database: ${db.name} (fresh, migrated)`);
  const rows: Row[] = [];
  let failed = false;
  try {
    for (const name of selected) {
      const started = performance.now();
      console.log(`\n== ${name}`);
      try {
        const outcome = await (await BENCHES[name]!())({ db });
        const file = writeResult(name, outcome, { gateway: gatewayMode(), seconds: Math.round((performance.now() - started) / 100) / 10 });
        for (const note of outcome.notes ?? []) console.log(`   note: ${note}`);
        console.log(table(outcome.rows));
        console.log(`   wrote ${file.slice(ROOT.length + 1)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        rows.push(...outcome.rows);
        record(name, outcome);
      } catch (error) {
        failed = true;
        console.error(`${name} failed:`, error);
        const row = { bench: name, metric: 'FAILED', value: error instanceof Error ? error.message.slice(0, 80) : String(error) };
        rows.push(row);
        record(name, { rows: [row], figures: {} });
      }
    }
  } finally {
    await db.drop();
  }
  console.log(`\n${table(rows)}`);
  const report = join(RESULTS_DIR, 'report.html');
  writeFileSync(report, renderReport(readHistory()));
  console.log(`report: ${report.slice(ROOT.length + 1)}`);
  if (failed) process.exitCode = 1;
}

await main();
