import { spawn } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { fundedAccount, gql, loginOperator, registerUser } from './lib/client.js';
import type { BenchDatabase } from './lib/db.js';
import { ROOT, startGateway } from './lib/gateway.js';
import type { BenchOutcome } from './lib/results.js';
import { round } from './lib/stats.js';

const QUERY = '{ me { username } accounts { name balance { decimal } } }';
const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_QUERY_SECONDS ?? 10);
const WARMUP_S = 3;

interface Load {
  reqPerSec: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
  mismatches: number;
}

async function load(url: string, headers: Record<string, string>, expectBody: string, seconds: number): Promise<Load> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: QUERY }),
    expectBody,
  });
  return {
    reqPerSec: round(result.requests.average, 1),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    mismatches: (result as unknown as { mismatches?: number }).mismatches ?? 0,
  };
}

async function answer(url: string, headers: Record<string, string>): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: QUERY }) });
  const text = await res.text();
  if (res.status !== 200 || text.includes('"errors"')) throw new Error(`unexpected answer ${res.status}: ${text}`);
  return text;
}

export async function run({ db }: { db: BenchDatabase }): Promise<BenchOutcome> {
  // The gateway: one user with three funded accounts.
  const gateway = await startGateway({ databaseUrl: db.url, cpuProfName: 'query' });
  let gw: Load;
  let body: string;
  try {
    const op = await loginOperator(gateway.url);
    const user = await registerUser(gateway.url, 'query');
    for (const [i, name] of ['Checking', 'Savings', 'Travel'].entries()) await fundedAccount(gateway.url, user, op, 100_000 * (i + 1), name);
    const auth = { authorization: `Bearer ${user.token}` };
    body = await answer(gateway.url, auth);
    await load(gateway.url, auth, body, WARMUP_S);
    gw = await load(gateway.url, auth, body, DURATION_S);
  } finally {
    await gateway.stop();
  }

  // The baseline answers with the very same data.
  const bare = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/bare-server.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', BARE_DATA: JSON.stringify((JSON.parse(body) as { data: unknown }).data) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let baseline: Load;
  try {
    const port = await new Promise<number>((resolve, reject) => {
      bare.stdout!.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { port: number }).port));
      bare.once('exit', (code) => reject(new Error(`bare server exited ${code}`)));
    });
    const url = `http://127.0.0.1:${port}/graphql`;
    const bareBody = await answer(url, {});
    if (bareBody !== body) throw new Error(`the bare server answers differently:\n${bareBody}\n${body}`);
    await load(url, {}, body, WARMUP_S);
    baseline = await load(url, {}, body, DURATION_S);
  } finally {
    bare.kill('SIGTERM');
  }

  const ratio = round(gw.reqPerSec / baseline.reqPerSec, 3);
  const clean = gw.errors + gw.non2xx + gw.mismatches === 0;
  return {
    figures: { query: QUERY, connections: CONNECTIONS, durationSeconds: DURATION_S, warmupSeconds: WARMUP_S, gateway: gw, bare: baseline, ratio },
    rows: [
      { bench: 'query', metric: 'req/s (gateway / bare)', value: String(gw.reqPerSec), baseline: String(baseline.reqPerSec) },
      { bench: 'query', metric: 'ratio gateway/bare', value: String(ratio), goal: '>= 0.6', met: ratio >= 0.6 && clean },
      { bench: 'query', metric: 'p50 ms', value: String(gw.p50), baseline: String(baseline.p50) },
      { bench: 'query', metric: 'p99 ms', value: String(gw.p99), baseline: String(baseline.p99), goal: '<= 40', met: gw.p99 <= 40 },
      { bench: 'query', metric: 'errors (gateway)', value: String(gw.errors + gw.non2xx + gw.mismatches), goal: '0', met: clean },
    ],
  };
}
