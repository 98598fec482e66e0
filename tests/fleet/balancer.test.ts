import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BALANCED, freePort, haproxyVersion, startBalancer, type Balancer } from '../../scripts/lib/haproxy.js';
import { SendMessageDocument, type EventFieldsFragment } from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import { deposit, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser } from '../factories/users.js';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-server.js';
import { gatewayClients } from '../helpers/client.js';
import { describeNeeding, PROCESSES_NEED_POSTGRES } from '../helpers/components.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { answerTo, startLoad, type LoadFigures, type LoadUser } from '../helpers/fleet-load.js';
import { startFollowing, TOLD_TO_RECONNECT, type Followed, type Transport } from '../helpers/follow-run.js';
import { killGatewayProcesses, startGatewayProcess, type GatewayProcess } from '../helpers/process.js';
import { redisMissing, TEST_REDIS_URL } from '../helpers/redis.js';
import { until } from '../helpers/wait.js';

const missing =
  [
    await redisMissing(),
    PROCESSES_NEED_POSTGRES,
    haproxyVersion() ? undefined : 'needs haproxy (apt-get install haproxy): the fleet runs behind the real balancer',
  ]
    .filter(Boolean)
    .join('; ') || undefined;

// haproxy takes an instance out after two failed checks (~200 ms; up to a second seen on a loaded machine): the drain waits longer.
const CHECK_INTERVAL_MS = 100;
const DRAIN_DELAY_MS = 3_000;
const DEPOSIT = 1_000_000;
const TRANSPORTS: Transport[] = ['ws', 'sse', 'multipart'];

let fake: FakeOpenAi;
let db: TestDatabase;
let sql: pg.Client;
let balancer: Balancer;
let socketDir: string;
const ports: number[] = [];
const instances: GatewayProcess[] = [];
let user: LoadUser;
/** Held runs ("held <key>") stream their first words, then wait for release(key). */
const holds = new Map<string, { held: Promise<void>; release: () => void }>();
const hold = (key: string) => {
  if (!holds.has(key)) {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    holds.set(key, { held, release });
  }
  return holds.get(key)!;
};

function startInstance(i: number): Promise<GatewayProcess> {
  return startGatewayProcess({
    DATABASE_URL: db.url!,
    REDIS_URL: TEST_REDIS_URL,
    INSTANCE_ID: `balanced-${i + 1}`,
    PORT: String(ports[i]),
    LLM_PROVIDER: 'openai',
    LLM_BASE_URL: fake.baseUrl,
    SHUTDOWN_GRACE_MS: '10000',
    SHUTDOWN_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS),
    TRUST_PROXY: 'loopback',
    ...OPERATOR_ENV,
  });
}

describeNeeding(missing, 'a fleet behind haproxy running deploy/haproxy.cfg', () => {
  beforeAll(async () => {
    fake = await startFakeOpenAi({
      defaultTurn: (body) => {
        const said = String([...body.messages].reverse().find((m) => m.role === 'user')?.content ?? '');
        const words = answerTo(said).split(' ');
        const held = /^held (\S+)$/.exec(said);
        if (!held) return [{ text: words.join(' '), tokenDelayMs: 15 }];
        return [{ text: `${words.slice(0, 10).join(' ')} ` }, { until: hold(held[1]!).held }, { text: words.slice(10).join(' '), tokenDelayMs: 5 }];
      },
    });
    db = await createTestDatabase();
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    ports.push(await freePort(), await freePort());
    // The database is a migrated template's clone: both start at once, neither has a migration to apply.
    instances.push(...(await Promise.all([startInstance(0), startInstance(1)])));
    socketDir = await mkdtemp(path.join(tmpdir(), 'coach-haproxy-'));
    balancer = await startBalancer({
      port: await freePort(),
      gateways: [`127.0.0.1:${ports[0]}`, `127.0.0.1:${ports[1]}`],
      statsSocket: path.join(socketDir, 'admin.sock'),
      checkIntervalMs: CHECK_INTERVAL_MS,
    });
    for (const server of BALANCED) await balancer.waitFor(server, 'UP');

    const registered = await registerUser(instances[0]!);
    const operator = await loginOperator(instances[0]!);
    const accounts = [await openAccount(instances[0]!, registered.token, 'USD', 'One'), await openAccount(instances[0]!, registered.token, 'USD', 'Two')];
    for (const account of accounts) await deposit(instances[0]!, operator, account.id, DEPOSIT);
    const sessions = {} as Record<Transport, string>;
    for (const transport of TRANSPORTS) sessions[transport] = (await createSession(instances[0]!, registered.token, 'GENERAL')).id;
    user = { token: registered.token, accounts: [accounts[0]!.id, accounts[1]!.id], sessions };
  }, 120_000);

  afterAll(async () => {
    for (const { release } of holds.values()) release();
    await Promise.all(instances.map((i) => i.stop()));
    killGatewayProcesses();
    await balancer?.stop();
    await sql?.end();
    await fake?.close();
    await db?.drop();
    if (socketDir) await rm(socketDir, { recursive: true, force: true });
  });

  it('restarts each instance in turn under load (SIGTERM, drain, start): no request fails, no money moves twice, every subscriber resumes on the other', async () => {
    const lb = gatewayClients(balancer.url, balancer.wsUrl, () => 0);
    const load = startLoad(lb, user);
    await until(() => load.figures.runs.length >= 3 && load.figures.transfers.size >= 10, { timeoutMs: 30_000, what: 'load to flow through the balancer' });
    const held: Array<{ text: string; followed: Followed }> = [];
    const rounds: string[] = [];

    for (const i of [0, 1]) {
      const stays = instances[1 - i]!;
      const server = BALANCED[i]!;
      // A run the staying instance executes, held mid-answer, followed over each transport from the instance that restarts.
      const text = `held round${i}`;
      const session = await createSession(stays, user.token, 'GENERAL');
      const runId = (await stays.ok(SendMessageDocument, { input: { sessionId: session.id, text } }, { token: user.token })).sendMessage.id;
      const followers = TRANSPORTS.map((t) => startFollowing(t, lb.url, user.token, runId, { firstUrl: instances[i]!.url }));
      await until(() => followers.every((f) => f.followed.events.some((e) => e.__typename === 'TokenDelta')), {
        timeoutMs: 15_000,
        what: 'every follower to receive the held run first words',
      });

      const signalled = Date.now();
      instances[i]!.child.kill('SIGTERM');
      const exited = instances[i]!.exit.then((code) => ({ code, at: Date.now() }));
      await balancer.waitFor(server, 'DOWN');
      const outAt = Date.now();
      const exit = await exited;
      // The balancer took it out while it still served: /readyz turned 503 before the listener closed.
      expect(outAt).toBeLessThan(exit.at);
      expect(exit.code).toBe(0);
      hold(`round${i}`).release();
      for (const f of followers) held.push({ text: answerTo(text), followed: await f.done });
      instances[i] = await startInstance(i);
      await balancer.waitFor(server, 'UP');
      rounds.push(`${server}: out of rotation ${outAt - signalled} ms after SIGTERM, exited after ${exit.at - signalled} ms`);
    }
    const figures = await load.stop();

    expect(figures.failures).toEqual([]);
    await expectTransfersOnce(figures);
    for (const { text, followed } of [...figures.runs, ...held]) {
      expectComplete(followed, text);
      for (const reason of followed.disconnects) expect(reason, followed.transport).toMatch(TOLD_TO_RECONNECT);
    }
    // Each transport's held follower was on the instance that restarted: each was told, and resumed.
    for (const followed of held.map((h) => h.followed)) expect(followed.disconnects.length, followed.transport).toBeGreaterThan(0);
    report('rolling restart', figures, held, rounds);
  }, 180_000);

  it('loses, when an instance is SIGKILLed, only requests in flight on it, each succeeding on its one retry; nothing is doubled', async () => {
    const lb = gatewayClients(balancer.url, balancer.wsUrl, () => 0);
    // A client backs off before its retry: here until the balancer took the dead instance out. Retried at once, a request
    // can meet the same instance again, through an idle connection haproxy has not yet seen die (haproxy then closes the client's).
    let takenOut!: () => void;
    const out = new Promise<void>((resolve) => (takenOut = resolve));
    const load = startLoad(lb, user, { beforeRetry: () => out });
    const runningOn = async () =>
      (await sql.query("select count(*)::int as n from agent_run where status = 'RUNNING' and instance_id = 'balanced-1'")).rows[0].n as number;
    await until(async () => load.figures.transfers.size >= 10 && (await runningOn()) > 0, {
      timeoutMs: 30_000,
      what: 'load, and a run executing on gateway-1',
    });
    instances[0]!.child.kill('SIGKILL');
    await instances[0]!.exit;
    const before = load.figures.transfers.size;
    await balancer.waitFor('gateway-1', 'DOWN');
    takenOut();
    instances[0] = await startInstance(0);
    await balancer.waitFor('gateway-1', 'UP');
    await until(() => load.figures.transfers.size >= before + 10, { timeoutMs: 30_000, what: 'transfers after the restart' });
    const figures = await load.stop();

    // Each load client has one request in flight at a time: at most that many were on the killed instance.
    expect(figures.failures.length).toBeLessThanOrEqual(7);
    for (const failure of figures.failures) expect(failure.retried, `${failure.what}: ${failure.detail}`).toBe('succeeded');
    await expectTransfersOnce(figures);
    for (const { text, followed } of figures.runs) {
      const finished = followed.events.at(-1) as Extract<EventFieldsFragment, { __typename: 'RunFinished' }> | undefined;
      // A run the killed instance was executing ends FAILED (INTERRUPTED) at its restart, its answer cut short.
      if (finished?.status === 'FAILED') {
        expect(finished.error?.code).toBe('INTERRUPTED');
        expectGapless(followed);
        expect(text.startsWith(tokens(followed))).toBe(true);
      } else expectComplete(followed, text);
    }
    report('SIGKILL', figures, [], []);
  }, 120_000);
});

const tokens = (followed: Followed) =>
  followed.events
    .filter((e): e is Extract<EventFieldsFragment, { __typename: 'TokenDelta' }> => e.__typename === 'TokenDelta')
    .map((e) => e.delta)
    .join('');

function expectGapless(followed: Followed): void {
  // Each seq once, in order, from 1: a lost event is a gap, a replayed one a repeat.
  expect(
    followed.events.map((e) => e.seq),
    `${followed.transport} after ${followed.disconnects.join(', ')}`,
  ).toEqual(followed.events.map((_, i) => i + 1));
}

function expectComplete(followed: Followed, text: string): void {
  expectGapless(followed);
  expect(followed.events.at(-1)).toMatchObject({ __typename: 'RunFinished', status: 'SUCCEEDED' });
  expect(tokens(followed)).toBe(text);
}

/** Every acknowledged transfer is in the ledger once, nothing else moved, and the two accounts still hold what was deposited. */
async function expectTransfersOnce(figures: LoadFigures): Promise<void> {
  const posted = await sql.query<{ id: string; amount: string; status: string }>(
    'select id, amount::text as amount, status from transfer where from_account_id = any($1)',
    [user.accounts],
  );
  const acknowledged = new Map(figures.transfers);
  const earlier = posted.rows.filter((row) => !acknowledged.has(row.id));
  // Transfers of the other test (one file, one database) are there too; none of this one's is missing or extra.
  for (const [id, amount] of acknowledged) {
    const row = posted.rows.find((r) => r.id === id);
    expect(row, `transfer ${id}`).toMatchObject({ amount: String(amount), status: 'POSTED' });
  }
  expect(posted.rows.length).toBe(earlier.length + acknowledged.size);
  const balances = await sql.query<{ total: string }>('select sum(balance)::text as total from account where id = any($1)', [user.accounts]);
  expect(balances.rows[0]!.total).toBe(String(2 * DEPOSIT));
  const entries = await sql.query<{ id: string }>(
    `select t.id from transfer t left join ledger_entry e on e.transfer_id = t.id where t.from_account_id = any($1) group by t.id having count(e.id) <> 2`,
    [user.accounts],
  );
  expect(entries.rows).toEqual([]);
}

function report(what: string, figures: LoadFigures, held: Array<{ followed: Followed }>, rounds: string[]): void {
  const followed = [...figures.runs.map((r) => r.followed), ...held.map((h) => h.followed)];
  const reconnects = followed
    .flatMap((f) => f.disconnects)
    .reduce<Record<string, number>>((counts, reason) => ({ ...counts, [reason]: (counts[reason] ?? 0) + 1 }), {});
  console.log(
    `${what} behind haproxy: ${figures.requests} HTTP requests, ${figures.failures.length} failed (${figures.failures.map((f) => `${f.what}: ${f.detail.slice(0, 80)} -> retry ${f.retried}`).join('; ') || 'none'}), ` +
      `${figures.transfers.size} transfers, ${followed.length} runs followed (${TRANSPORTS.map((t) => `${t} ${followed.filter((f) => f.transport === t).length}`).join(', ')}), ` +
      `reconnects ${JSON.stringify(reconnects)}, longest gap a subscriber saw ${Math.max(0, ...followed.map((f) => f.longestGapMs))} ms` +
      (rounds.length ? `; ${rounds.join('; ')}` : ''),
  );
}
