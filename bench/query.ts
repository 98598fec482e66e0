import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Socket } from 'node:net';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { splitPoolMax } from '../src/db/pg.js';
import { installedBaseline, MISSING } from './lib/baselines.js';
import { fundedAccount, inBatches, loginOperator, registerUser } from './lib/client.js';
import type { BenchDatabase } from './lib/db.js';
import { JWT_SECRET, procCpuMs, ROOT, startGateway } from './lib/gateway.js';
import type { BenchOutcome, Chart, Row } from './lib/results.js';
import { round } from './lib/stats.js';

const QUERY = '{ me { username } accounts { name balance { decimal } } }';
/** One user per connection: each connection is an autocannon instance of its own with that user's token. */
const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_QUERY_SECONDS ?? 10);
const WARMUP_S = Number(process.env.BENCH_QUERY_WARMUP_SECONDS ?? 3);
/** Rate limits in Redis, as a fleet runs; BENCH_REDIS_URL to change. */
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DB_POOL_MAX = Number(process.env.BENCH_DB_POOL_MAX ?? 10);

interface Load {
  reqPerSec: number;
  p50: number;
  p99: number;
  requests: number;
  /** The server process's CPU time per request over the measured load: what a shared machine distorts least. */
  cpuMsPerRequest: number;
  errors: number;
  non2xx: number;
  mismatches: number;
}

/** What one connection sends and must get back, byte for byte. */
interface Caller {
  headers: Record<string, string>;
  body: string;
}

type InstanceResult = Parameters<typeof autocannon.printResult>[0] & { totalCompletedRequests: number };
const aggregate = (autocannon as unknown as { aggregateResult(results: InstanceResult[], opts: { url: string; connections: number }): autocannon.Result })
  .aggregateResult;

/** Every caller on a connection of its own, all at once; latencies merged into one histogram. */
async function load(url: string, callers: Caller[], seconds: number, pid: number): Promise<Load> {
  const started = performance.now();
  const cpuBefore = procCpuMs(pid);
  const results = (await Promise.all(
    callers.map((c) =>
      autocannon({
        url,
        method: 'POST',
        connections: 1,
        duration: seconds,
        headers: { 'content-type': 'application/json', ...c.headers },
        body: JSON.stringify({ query: QUERY }),
        expectBody: c.body,
        skipAggregateResult: true,
      }),
    ),
  )) as unknown as InstanceResult[];
  const wall = (performance.now() - started) / 1000;
  const cpuMs = procCpuMs(pid) - cpuBefore;
  const total = aggregate(results, { url, connections: callers.length });
  const requests = results.reduce((n, r) => n + r.totalCompletedRequests, 0);
  return {
    reqPerSec: round(requests / wall, 1),
    p50: total.latency.p50,
    p99: total.latency.p99,
    requests,
    cpuMsPerRequest: round(cpuMs / Math.max(1, requests), 3),
    errors: total.errors + total.timeouts,
    non2xx: total.non2xx,
    mismatches: (total as unknown as { mismatches?: number }).mismatches ?? 0,
  };
}

async function answer(url: string, headers: Record<string, string>): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: QUERY }) });
  const text = await res.text();
  if (res.status !== 200 || text.includes('"errors"')) throw new Error(`unexpected answer ${res.status}: ${text}`);
  return text;
}

/** Starts a server process that prints {"port": N}, checks every caller gets its very answer, and loads it like the gateway. */
async function serverLoad(name: string, args: string[], env: Record<string, string>, callers: Caller[], cwd = ROOT): Promise<Load> {
  const server = spawn(process.execPath, args, { cwd, env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout!.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { port: number }).port));
      server.once('exit', (code) => reject(new Error(`${name} exited ${code}`)));
    });
    const url = `http://127.0.0.1:${port}/graphql`;
    const own: Caller[] = [];
    for (const c of callers) {
      const got = await answer(url, c.headers);
      if (unframed(got) !== unframed(c.body)) throw new Error(`${name} answers differently:\n${JSON.stringify(got)}\n${JSON.stringify(c.body)}`);
      own.push({ headers: c.headers, body: got });
    }
    await load(url, own, WARMUP_S, server.pid!);
    return await load(url, own, DURATION_S, server.pid!);
  } finally {
    server.kill('SIGTERM');
  }
}

/** Apollo Server ends every body with a newline, Mercurius does not: the JSON must be byte-equal, the framing may differ. */
export const unframed = (body: string): string => (body.endsWith('\n') ? body.slice(0, -1) : body);

/** An OTLP/HTTP collector that only counts the spans it is sent (each has one "spanId" key): the other end of tracing on. */
async function otlpSink(): Promise<{ url: string; spans(): number; close(): Promise<void> }> {
  let spans = 0;
  const key = '"spanId"';
  const server = createServer((req, res) => {
    let tail = '';
    req.on('data', (chunk: Buffer) => {
      // A key cut in two by a chunk boundary is found once: the tail is one character short of a whole key.
      const text = tail + chunk.toString('latin1');
      spans += text.split(key).length - 1;
      tail = text.slice(-(key.length - 1));
    });
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans: () => spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function redisReachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => (socket.destroy(), resolve(ok));
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(port || 6379), hostname, () => done(true));
  });
}

export async function run({ db }: { db: BenchDatabase }): Promise<BenchOutcome> {
  // peer.mjs keeps its own pool size: say so rather than edit the shared baseline.
  const split = splitPoolMax(DB_POOL_MAX);
  const notes: string[] = [
    `the peer reads over a pg pool of 10 (fixed in peer.mjs); the gateway has DB_POOL_MAX=${DB_POOL_MAX}: plain reads ${split.plain} (what this bench reads on), ORM ${split.orm}, money ${split.money}`,
  ];
  const redis = await redisReachable(REDIS_URL);
  if (!redis) notes.push(`Redis not reachable at ${REDIS_URL}: the gateway ran with in-memory rate limits`);
  // Production log level, rate limits in Redis.
  const logFile = join(tmpdir(), `coach-bench-query-${process.pid}.log`);
  const gateway = await startGateway({
    databaseUrl: db.url,
    cpuProfName: 'query',
    stdoutFile: logFile,
    env: { LOG_LEVEL: 'info', DB_POOL_MAX: String(DB_POOL_MAX), ...(redis ? { REDIS_URL } : {}) },
  });
  let gw: Load;
  let callers: Caller[];
  try {
    const op = await loginOperator(gateway.url);
    // CONNECTIONS users, each with the same three funded accounts: the answers differ only by username.
    callers = await inBatches(
      Array.from({ length: CONNECTIONS }, (_, i) => i),
      8,
      async () => {
        const user = await registerUser(gateway.url, 'query');
        for (const [i, name] of ['Checking', 'Savings', 'Travel'].entries()) await fundedAccount(gateway.url, user, op, 100_000 * (i + 1), name);
        const headers = { authorization: `Bearer ${user.token}` };
        return { headers, body: await answer(gateway.url, headers) };
      },
    );
    await load(gateway.url, callers, WARMUP_S, gateway.pid);
    gw = await load(gateway.url, callers, DURATION_S, gateway.pid);
  } finally {
    await gateway.stop();
    const lines = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').length - 1 : 0;
    notes.push(`the gateway wrote ${lines} log lines at info (to a file, not through the bench)`);
    rmSync(logFile, { force: true });
  }

  // The same load on a gateway exporting its traces over OTLP/HTTP (the same database, users and tokens).
  const sink = await otlpSink();
  const tracedLog = join(tmpdir(), `coach-bench-query-traced-${process.pid}.log`);
  const tracedGateway = await startGateway({
    databaseUrl: db.url,
    cpuProfName: 'query-traced',
    stdoutFile: tracedLog,
    env: { LOG_LEVEL: 'info', DB_POOL_MAX: String(DB_POOL_MAX), ...(redis ? { REDIS_URL } : {}), OTEL_EXPORTER_OTLP_ENDPOINT: sink.url },
  });
  let traced: Load;
  let spansPerRequest: number;
  try {
    await load(tracedGateway.url, callers, WARMUP_S, tracedGateway.pid);
    const before = sink.spans();
    traced = await load(tracedGateway.url, callers, DURATION_S, tracedGateway.pid);
    // Stopping flushes the exporter's last batch.
    await tracedGateway.stop();
    spansPerRequest = round((sink.spans() - before) / Math.max(1, traced.requests), 2);
  } finally {
    await tracedGateway.stop();
    await sink.close();
    rmSync(tracedLog, { force: true });
  }
  const tracingCost = round((traced.cpuMsPerRequest / gw.cpuMsPerRequest - 1) * 100, 1);
  notes.push(
    `tracing on: OTEL_EXPORTER_OTLP_ENDPOINT at a local collector that counts spans (${spansPerRequest} per request arrived; the batch processor's defaults, 2,048 queued at most, drop what overflows). Off is the main row: compare it with an earlier run of the same machine for what the instrumentation costs when off`,
  );

  // The peer reads the same database with the same tokens; it must answer each user exactly as the gateway did.
  let peer: Load | undefined;
  try {
    const dir = installedBaseline('query-peer');
    if (dir) peer = await serverLoad('query-peer', [join(dir, 'peer.mjs')], { DATABASE_URL: db.url, JWT_SECRET }, callers, dir);
    else notes.push('no ../shared/baselines/query-peer: the peer rows are unranked');
  } catch (error) {
    notes.push(`query-peer could not run: ${error instanceof Error ? error.message.slice(0, 1000) : String(error)}`);
  }

  // The bare servers answer every caller with the first user's data, from memory, with no auth.
  const first = callers[0]!.body;
  const bareCallers = callers.map(() => ({ headers: {}, body: first }));
  const data = JSON.stringify((JSON.parse(first) as { data: unknown }).data);
  const bare = await serverLoad('bare-server', ['--import', 'tsx', join(ROOT, 'bench/bare-server.ts')], { BARE_DATA: data }, bareCallers);
  const sdl = await serverLoad('bare-sdl-server', ['--import', 'tsx', join(ROOT, 'bench/bare-sdl-server.ts')], { BARE_DATA: data }, bareCallers);

  const clean = gw.errors + gw.non2xx + gw.mismatches === 0;
  const bareRatio = round(gw.reqPerSec / bare.reqPerSec, 3);
  const peerRatio = peer ? round(gw.reqPerSec / peer.reqPerSec, 3) : undefined;
  // What type-graphql itself costs: the same server with the same schema, built from SDL instead.
  const typeGraphqlRatio = round(bare.reqPerSec / sdl.reqPerSec, 3);
  const q = (metric: string, rest: Omit<Row, 'bench' | 'metric'>): Row => ({ bench: 'query', metric, ...rest });
  const rows: Row[] = [
    q(`req/s gateway / peer (${CONNECTIONS} users x 1 conn)`, { value: String(gw.reqPerSec), baseline: peer ? String(peer.reqPerSec) : MISSING }),
    peer
      ? q('ratio gateway/peer (Fastify + Mercurius + pg)', { value: String(peerRatio), goal: '>= 0.6', met: peerRatio! >= 0.6 && clean })
      : q('ratio gateway/peer (Fastify + Mercurius + pg)', { value: MISSING }),
    q('ratio gateway/bare Apollo (from memory)', { value: String(bareRatio), baseline: `${bare.reqPerSec}/s`, goal: '>= 0.7', met: bareRatio >= 0.7 && clean }),
    peer
      ? q('p99 ms gateway / peer', { value: String(gw.p99), baseline: String(peer.p99), goal: `<= ${2 * peer.p99} (2 x peer)`, met: gw.p99 <= 2 * peer.p99 })
      : q('p99 ms gateway / peer', { value: String(gw.p99), baseline: MISSING }),
    q('p50 ms gateway / peer', { value: String(gw.p50), baseline: peer ? String(peer.p50) : MISSING }),
    q('CPU ms per request gateway / peer', {
      value: String(gw.cpuMsPerRequest),
      baseline: peer ? `${peer.cpuMsPerRequest} peer, ${bare.cpuMsPerRequest} bare Apollo` : `${bare.cpuMsPerRequest} bare Apollo`,
    }),
    q('CPU ms per request tracing off / on', {
      value: `${gw.cpuMsPerRequest} / ${traced.cpuMsPerRequest}`,
      baseline: `on: ${tracingCost >= 0 ? '+' : ''}${tracingCost}%, ${traced.reqPerSec} req/s, p99 ${traced.p99} ms, ${traced.errors + traced.non2xx + traced.mismatches} errors`,
    }),
    q('p50 / p99 ms bare Apollo', { value: `${bare.p50} / ${bare.p99}` }),
    q('ratio bare type-graphql/bare SDL-first', { value: String(typeGraphqlRatio), baseline: `${sdl.reqPerSec}/s SDL` }),
    q('errors (gateway)', {
      value: String(gw.errors + gw.non2xx + gw.mismatches),
      baseline: peer ? `${peer.errors + peer.non2xx + peer.mismatches} peer` : undefined,
      goal: '0',
      met: clean,
    }),
  ];
  const peerOf = (value: (l: Load) => number): Record<string, number> => (peer ? { 'peer (Fastify + Mercurius)': value(peer) } : {});
  const charts: Chart[] = [
    {
      title: 'requests/s',
      unit: 'req/s',
      higherIsBetter: true,
      series: {
        gateway: gw.reqPerSec,
        'gateway, tracing on': traced.reqPerSec,
        ...peerOf((l) => l.reqPerSec),
        'bare Apollo': bare.reqPerSec,
        'bare Apollo SDL-first': sdl.reqPerSec,
      },
    },
    { title: 'p99 latency', unit: 'ms', higherIsBetter: false, series: { gateway: gw.p99, ...peerOf((l) => l.p99), 'bare Apollo': bare.p99 } },
  ];
  return {
    charts,
    figures: {
      query: QUERY,
      connections: CONNECTIONS,
      users: CONNECTIONS,
      durationSeconds: DURATION_S,
      warmupSeconds: WARMUP_S,
      gatewayEnv: { LOG_LEVEL: 'info', REDIS_URL: redis ? REDIS_URL : null },
      gateway: gw,
      gatewayTraced: traced,
      tracingCpuCostPercent: tracingCost,
      tracedSpansPerRequest: spansPerRequest,
      peer: peer ?? null,
      bare,
      bareSdl: sdl,
      peerRatio: peerRatio ?? null,
      bareRatio,
      typeGraphqlRatio,
    },
    rows,
    notes,
  };
}
