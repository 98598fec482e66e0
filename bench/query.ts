import { spawn } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { fundedAccount, loginOperator, registerUser } from './lib/client.js';
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

/** Starts a bare server script, checks it answers exactly `body`, and loads it like the gateway. */
async function bareLoad(script: string, data: string, body: string): Promise<Load> {
  const bare = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', BARE_DATA: data },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      bare.stdout!.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { port: number }).port));
      bare.once('exit', (code) => reject(new Error(`${script} exited ${code}`)));
    });
    const url = `http://127.0.0.1:${port}/graphql`;
    const bareBody = await answer(url, {});
    if (bareBody !== body) throw new Error(`${script} answers differently:\n${bareBody}\n${body}`);
    await load(url, {}, body, WARMUP_S);
    return await load(url, {}, body, DURATION_S);
  } finally {
    bare.kill('SIGTERM');
  }
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

  // The baselines answer with the very same data.
  const data = JSON.stringify((JSON.parse(body) as { data: unknown }).data);
  const baseline = await bareLoad('bench/bare-server.ts', data, body);
  const sdl = await bareLoad('bench/bare-sdl-server.ts', data, body);

  const ratio = round(gw.reqPerSec / baseline.reqPerSec, 3);
  // What type-graphql itself costs: the same server with the same schema, built from SDL instead.
  const typeGraphqlRatio = round(baseline.reqPerSec / sdl.reqPerSec, 3);
  const clean = gw.errors + gw.non2xx + gw.mismatches === 0;
  return {
    figures: {
      query: QUERY,
      connections: CONNECTIONS,
      durationSeconds: DURATION_S,
      warmupSeconds: WARMUP_S,
      gateway: gw,
      bare: baseline,
      bareSdl: sdl,
      ratio,
      typeGraphqlRatio,
    },
    rows: [
      { bench: 'query', metric: 'req/s (gateway / bare)', value: String(gw.reqPerSec), baseline: String(baseline.reqPerSec) },
      { bench: 'query', metric: 'ratio gateway/bare', value: String(ratio), goal: '>= 0.6', met: ratio >= 0.6 && clean },
      { bench: 'query', metric: 'req/s bare type-graphql / bare SDL-first', value: String(baseline.reqPerSec), baseline: String(sdl.reqPerSec) },
      { bench: 'query', metric: 'ratio type-graphql/SDL', value: String(typeGraphqlRatio) },
      { bench: 'query', metric: 'p50 ms', value: String(gw.p50), baseline: String(baseline.p50) },
      { bench: 'query', metric: 'p99 ms', value: String(gw.p99), baseline: String(baseline.p99), goal: '<= 40', met: gw.p99 <= 40 },
      { bench: 'query', metric: 'errors (gateway)', value: String(gw.errors + gw.non2xx + gw.mismatches), goal: '0', met: clean },
    ],
  };
}
