import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminQuery, type BenchDatabase } from './lib/db.js';
import { freePort, gatewayEnv, gatewayMode, ROOT, startGateway, waitReady } from './lib/gateway.js';
import { STAMP_FILE } from '../scripts/lib/build-stamp.js';
import type { BenchOutcome, Row } from './lib/results.js';
import { median, round } from './lib/stats.js';

const STARTS = Number(process.env.BENCH_STARTUP_STARTS ?? 5);
/** BENCH_STARTUP_COLD=0 keeps the file cache warm. */
const COLD = process.env.BENCH_STARTUP_COLD !== '0';
/** An operator of its own, so its hash is made here at the default cost rather than by another bench's cost-4 gateway. */
const OPERATOR = { OPERATOR_USERNAME: 'startup_operator', OPERATOR_PASSWORD: 'startup-operator-password-1', BCRYPT_COST: '12' };

/** Empties the page cache (root only); the reason when the machine does not allow it. */
function dropFileCache(): string | undefined {
  try {
    spawnSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The baseline's spawn to listening: bare Apollo Server + type-graphql, from dist/ when the gateway is. */
async function bareStart(): Promise<number> {
  const built = join(ROOT, 'dist/bench/bare-server.js');
  if (gatewayMode() === 'dist' && !existsSync(built)) {
    // --no-build with a dist/ from before the bare server was part of it.
    spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'bench/tsconfig.bare.json'], { cwd: ROOT });
  }
  const args = gatewayMode() === 'dist' ? [built] : ['--import', 'tsx', join(ROOT, 'bench/bare-server.ts')];
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, PORT: '0', NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    return await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', () => resolve(performance.now() - started));
      child.once('exit', (code) => reject(new Error(`the bare server exited ${code} before listening`)));
    });
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/**
 * `npm start` as a person runs it, spawn to the first /readyz 200: the build it runs first
 * (skipped when the stamp of its inputs matches, scripts/build.ts --if-changed) included.
 */
async function npmStart(databaseUrl: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  // A group of its own: npm, its shell and the two node processes it runs stop together.
  const child = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: gatewayEnv({ databaseUrl, env: OPERATOR }, port),
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-3000)));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  try {
    const ms = await waitReady(`http://127.0.0.1:${port}`, () => exited, started);
    if (ms < 0) throw new Error(`npm start did not become ready:\n${err}`);
    return ms;
  } finally {
    if (!exited) process.kill(-child.pid!, 'SIGTERM');
    await exit;
  }
}

async function operatorHashCost(url: string): Promise<number | undefined> {
  const rows = await adminQuery<{ password_hash: string }>(`select password_hash from app_user where username = '${OPERATOR.OPERATOR_USERNAME}'`, url);
  const cost = /\$2[aby]\$(\d\d)\$/.exec(rows[0]?.password_hash ?? '')?.[1];
  return cost === undefined ? undefined : Number(cost);
}

/** Process start to the first /readyz 200 on the already-migrated benchmark database, beside the bare server's start. */
export async function run({ db }: { db: BenchDatabase }): Promise<BenchOutcome> {
  const options = { databaseUrl: db.url, cpuProfName: 'startup', env: OPERATOR };
  // The first start creates the operator (one bcrypt hash at cost 12); later starts verify it, as a restart does.
  const first = await startGateway(options);
  const firstMs = round(first.readyMs, 1);
  await first.stop();
  const cost = await operatorHashCost(db.url);

  const cacheProblem = COLD ? dropFileCache() : 'BENCH_STARTUP_COLD=0';
  const cold = cacheProblem === undefined;
  const gateway: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    if (cold) dropFileCache();
    const g = await startGateway(options);
    gateway.push(round(g.readyMs, 1));
    await g.stop();
    if (cold) dropFileCache();
    bare.push(round(await bareStart(), 1));
  }
  // After a change (the stamp removed: what any edit of an input does to it), then again with nothing changed.
  let npmStarts: { afterChangeMs: number; againMs: number } | undefined;
  if (gatewayMode() === 'dist') {
    rmSync(join(ROOT, STAMP_FILE), { force: true });
    const afterChangeMs = round(await npmStart(db.url), 1);
    npmStarts = { afterChangeMs, againMs: round(await npmStart(db.url), 1) };
  }
  const [gw, base] = [median(gateway), median(bare)];
  const ratio = round(gw / base, 3);
  const cache = cold ? 'cold cache' : 'warm cache';
  const rows: Row[] = [
    {
      bench: 'startup',
      metric: `spawn to ready ms, median of ${STARTS} (${cache}): gateway / bare Apollo + type-graphql`,
      value: String(gw),
      baseline: String(base),
    },
    // Issue 30 raised it from 1.5 (issue 19).
    { bench: 'startup', metric: 'ratio gateway/bare', value: String(ratio), goal: '<= 1.0', met: ratio <= 1.0 },
    {
      bench: 'startup',
      metric: 'gateway min / max ms',
      value: `${Math.min(...gateway)} / ${Math.max(...gateway)}`,
      baseline: `${Math.min(...bare)} / ${Math.max(...bare)}`,
    },
    { bench: 'startup', metric: 'first start ms (creates the operator)', value: String(firstMs) },
    { bench: 'startup', metric: "operator's bcrypt cost", value: String(cost ?? '?'), goal: '12', met: cost === 12 },
    npmStarts
      ? {
          bench: 'startup',
          metric: 'npm start to ready ms (warm cache): again (build skipped, stamp of inputs) / after a change (builds)',
          value: String(npmStarts.againMs),
          baseline: `${npmStarts.afterChangeMs} after a change`,
        }
      : { bench: 'startup', metric: 'npm start to ready ms', value: 'not measured: the gateway runs from source (--source)' },
    { bench: 'startup', metric: 'file cache', value: cold ? 'dropped before every start' : `warm: could not drop it (${cacheProblem})` },
  ];
  return {
    figures: {
      starts: STARTS,
      gateway: gatewayMode(),
      cold,
      cacheProblem: cacheProblem ?? null,
      firstMs,
      readyMs: gateway,
      bareListeningMs: bare,
      medianMs: gw,
      bareMedianMs: base,
      ratio,
      operatorHashCost: cost ?? null,
      npmStartAfterChangeMs: npmStarts?.afterChangeMs ?? null,
      npmStartAgainMs: npmStarts?.againMs ?? null,
    },
    rows,
    charts: [{ title: `spawn to ready, median (${cache})`, unit: 'ms', higherIsBetter: false, series: { gateway: gw, 'bare Apollo + type-graphql': base } }],
  };
}
