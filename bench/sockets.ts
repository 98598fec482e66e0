import { createClient, type Client } from 'graphql-ws';
import { execSync } from 'node:child_process';
import WebSocket from 'ws';
import { gql, inBatches, registerUser, type BenchUser } from './lib/client.js';
import type { BenchDatabase } from './lib/db.js';
import { startGateway } from './lib/gateway.js';
import type { BenchOutcome } from './lib/results.js';
import { round } from './lib/stats.js';

const CONNECTIONS = Number(process.env.BENCH_SOCKETS ?? 5000);
/** 250 sockets a user keeps every user under the default WS_MAX_SUBSCRIPTIONS_PER_USER (500). */
const PER_USER = 250;
const OPENING = 200;

const SUBSCRIBE = 'subscription { authSessionEvents { kind sessionId } }';

export async function run({ db }: { db: BenchDatabase }): Promise<BenchOutcome> {
  const ulimit = execSync('ulimit -n', { shell: '/bin/sh', encoding: 'utf8' }).trim();
  const gateway = await startGateway({ databaseUrl: db.url, gcHook: true, cpuProfName: 'sockets' });
  const clients: Client[] = [];
  try {
    const users = await inBatches(
      Array.from({ length: Math.ceil(CONNECTIONS / PER_USER) }, (_, i) => i),
      8,
      () => registerUser(gateway.url, 'sockets'),
    );
    // Warm the paths a connection takes (auth, subscribe) before the baseline reading.
    const warm = await open(gateway.wsUrl, users[0]!, []);
    await gql(gateway.url, 'mutation ($input: LoginInput!) { login(input: $input) { accessToken } }', {
      input: { username: users[0]!.username, password: `password-${users[0]!.username}` },
    });
    await warm.event;
    await warm.client.dispose();
    const before = await gateway.gc();
    const rssBefore = gateway.rss();

    const received: Array<Promise<void>> = [];
    const started = performance.now();
    await inBatches(
      Array.from({ length: CONNECTIONS }, (_, i) => i),
      OPENING,
      async (i) => {
        const socket = await open(gateway.wsUrl, users[Math.floor(i / PER_USER)]!, clients);
        received.push(socket.event);
      },
    );
    const openMs = performance.now() - started;

    // Every subscription is live: one new sign-in per user reaches all of that user's sockets.
    for (const user of users) {
      await gql(gateway.url, 'mutation ($input: LoginInput!) { login(input: $input) { accessToken } }', {
        input: { username: user.username, password: `password-${user.username}` },
      });
    }
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000).unref());
    const live = await Promise.race([Promise.all(received).then(() => 'ok' as const), timeout]);
    const after = await gateway.gc();
    const rssAfter = gateway.rss();
    const perConnection = (rssAfter - rssBefore) / CONNECTIONS;
    const heapPerConnection = (after.heapUsed - before.heapUsed) / CONNECTIONS;
    const figures = {
      connections: CONNECTIONS,
      users: users.length,
      ulimitN: ulimit,
      openSeconds: round(openMs / 1000),
      openedPerSecond: round(CONNECTIONS / (openMs / 1000), 0),
      allReceivedAnEvent: live === 'ok',
      rssBeforeMiB: round(rssBefore / 2 ** 20, 1),
      rssAfterMiB: round(rssAfter / 2 ** 20, 1),
      rssPerConnectionKB: round(perConnection / 1024, 2),
      heapUsedPerConnectionKB: round(heapPerConnection / 1024, 2),
      externalPerConnectionKB: round((after.external - before.external) / CONNECTIONS / 1024, 2),
    };
    return {
      figures,
      notes: [`ulimit -n ${ulimit}`],
      rows: [
        {
          bench: 'sockets',
          metric: `RSS per subscribed connection KB (${CONNECTIONS})`,
          value: String(figures.rssPerConnectionKB),
          goal: '<= 25',
          met: figures.rssPerConnectionKB <= 25 && live === 'ok',
        },
        { bench: 'sockets', metric: 'heap used per connection KB', value: String(figures.heapUsedPerConnectionKB) },
        { bench: 'sockets', metric: `time to open ${CONNECTIONS} s`, value: String(figures.openSeconds) },
        { bench: 'sockets', metric: 'every subscription live', value: live === 'ok' ? 'yes' : 'no', goal: 'yes', met: live === 'ok' },
      ],
    };
  } finally {
    await inBatches(clients, 500, async (c) => c.dispose());
    await gateway.stop();
  }
}

/** One authenticated socket with one subscription; resolves once the server acknowledged the connection. */
async function open(wsUrl: string, user: BenchUser, clients: Client[]): Promise<{ client: Client; event: Promise<void> }> {
  let connected!: () => void;
  let failed!: (e: unknown) => void;
  const acked = new Promise<void>((resolve, reject) => ((connected = resolve), (failed = reject)));
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${user.token}` },
    retryAttempts: 0,
    lazy: true,
    on: { connected: () => connected(), closed: (e) => failed(e) },
  });
  clients.push(client);
  const event = new Promise<void>((resolve, reject) => {
    client.subscribe({ query: SUBSCRIBE }, { next: () => resolve(), error: reject, complete: () => {} });
  });
  event.catch(() => {});
  await acked;
  return { client, event };
}
