import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  AccountActivityDocument,
  AgentEventsDocument,
  AgentRunDocument,
  AuthSessionEventsDocument,
  CancelAgentRunDocument,
  CreateTransferDocument,
  LogoutDocument,
  MeDocument,
  SendMessageDocument,
} from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import { balanceOf, deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-server.js';
import { expectGaplessSeq } from '../helpers/agent.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { killGatewayProcesses, startGatewayProcess, type GatewayProcess } from '../helpers/process.js';
import { until } from '../helpers/wait.js';
import { describeNeeding, PROCESSES_NEED_POSTGRES } from '../helpers/components.js';
import { redisGet, redisMissing, TEST_REDIS_URL } from '../helpers/redis.js';
import { scriptedLlmEnv } from '../helpers/scripted-llm.js';
import { collect } from '../helpers/subscriptions.js';

// The embedded PGlite is one database session behind its socket: a transaction on one connection holds every other
// connection's statements until it ends, so two processes sharing it can stall each other. A fleet needs PostgreSQL.
const missing = [await redisMissing(), PROCESSES_NEED_POSTGRES].filter(Boolean).join('; ') || undefined;

let fake: FakeOpenAi;
let db: TestDatabase;
let a: GatewayProcess;
let b: GatewayProcess;
let user: TestUser;

describeNeeding(missing, 'two gateway processes on one database and one Redis', () => {
  beforeAll(async () => {
    fake = await startFakeOpenAi();
    const env = {
      REDIS_URL: TEST_REDIS_URL,
      ...scriptedLlmEnv(fake),
      SHUTDOWN_GRACE_MS: '500',
      // A minute: only the revocation message can end a cached session within the test.
      SESSION_CACHE_MS: '60000',
      RATE_LIMIT_SEND_MESSAGE_PER_USER: '4',
      ...OPERATOR_ENV,
    };
    // A fresh database on the machine's PostgreSQL.
    db = await createTestDatabase();
    const DATABASE_URL = db.url!;
    // One after the other: the first applies the migrations.
    a = await startGatewayProcess({ ...env, DATABASE_URL, INSTANCE_ID: 'fleet-a' });
    b = await startGatewayProcess({ ...env, DATABASE_URL, INSTANCE_ID: 'fleet-b' });
    user = await registerUser(a);
  });
  afterAll(async () => {
    await Promise.all([b?.stop(), a?.stop()]);
    killGatewayProcesses();
    await fake?.close();
    await db?.drop();
  });

  it('runs both instances on Redis, not on an in-process pub/sub and counters of their own', () => {
    for (const instance of [a, b]) expect(instance.output()).toContain('"msg":"pub/sub and rate limits through Redis"');
  });

  it('delivers, in order and with no gap, the events of a run executing on the other instance', async () => {
    const session = await createSession(a, user.token, 'GENERAL');
    fake.script([[{ text: Array.from({ length: 30 }, (_, i) => `t${i}`).join(' '), tokenDelayMs: 15 }]]);
    // sendMessage through B: B's runner executes the run.
    const sent = await b.ok(SendMessageDocument, { input: { sessionId: session.id, text: 'stream across' } }, { token: user.token });
    const onA = collect(a.ws(user.token), AgentEventsDocument, { runId: sent.sendMessage.id });
    const onB = collect(b.ws(user.token), AgentEventsDocument, { runId: sent.sendMessage.id });
    for (const sub of [onA, onB]) expect((await sub.ended).error).toBeUndefined();
    const events = onA.events.map((e) => e.agentEvents);
    expectGaplessSeq(events);
    expect(events.at(-1)).toMatchObject({ __typename: 'RunFinished', status: 'SUCCEEDED' });
    expect(events.filter((e) => e.__typename === 'TokenDelta')).toHaveLength(30);
    expect(events).toEqual(onB.events.map((e) => e.agentEvents));
  });

  it('delivers ledger activity of a transfer made through the other instance', async () => {
    const operator = await loginOperator(a);
    const from = await openAccount(a, user.token, 'USD', 'Fleet checking');
    const to = await openAccount(a, user.token, 'USD', 'Fleet savings');
    await deposit(a, operator, from.id, 10_000);
    const activity = await a.subscribed(() => collect(a.ws(user.token), AccountActivityDocument, { accountId: to.id }));
    const transfer = await b.ok(
      CreateTransferDocument,
      { input: { fromAccountId: from.id, toAccountId: to.id, amountMinor: '1234', currency: 'USD', idempotencyKey: key() } },
      { token: user.token },
    );
    const [entry] = await activity.waitFor(1);
    expect(entry?.accountActivity).toMatchObject({ accountId: to.id, direction: 'CREDIT', amount: { minor: '1234' } });
    expect(entry?.accountActivity.transfer.id).toBe(transfer.createTransfer.id);
    activity.stop();
  });

  it('lets exactly 10 transfers of X through from a balance of 10X across both instances, each key sent to both at once posting at most once', async () => {
    const operator = await loginOperator(a);
    const from = await openAccount(a, user.token, 'USD', 'Contended checking');
    const to = await openAccount(b, user.token, 'USD', 'Contended savings');
    await deposit(a, operator, from.id, 1_000);
    const keys = Array.from({ length: 30 }, () => key());
    const sendTo = (gateway: GatewayProcess, idempotencyKey: string) =>
      gateway.gql(
        CreateTransferDocument,
        { input: { fromAccountId: from.id, toAccountId: to.id, amountMinor: '100', currency: 'USD', idempotencyKey } },
        { token: user.token },
      );
    // Every key through both instances at once: the claims meet across processes.
    const answers = await Promise.all(keys.map((k) => Promise.all([sendTo(a, k), sendTo(b, k)])));
    const outcome = (r: Awaited<ReturnType<typeof sendTo>>) => r.data?.createTransfer.id ?? r.errors?.[0]?.extensions?.code;
    for (const [viaA, viaB] of answers) expect(outcome(viaA)).toBe(outcome(viaB));
    const posted = answers.filter(([r]) => r.data?.createTransfer.status === 'POSTED');
    expect(posted).toHaveLength(10);
    expect(answers.filter(([r]) => r.errors?.[0]?.extensions?.code === 'INSUFFICIENT_FUNDS')).toHaveLength(20);
    expect(await balanceOf(a, user.token, from.id)).toBe('0');
    expect(await balanceOf(b, user.token, to.id)).toBe('1000');
    const paths = await Promise.all(
      [a, b].map(async (g) => (await (await fetch(g.url.replace('/graphql', '/metrics'))).text()).match(/^coach_transfer_batches_total.*$/gm)),
    );
    console.log(`transfer batches by path: ${JSON.stringify(paths)}`);
  });

  it('stops a run executing on one instance when the cancel is sent to the other', async () => {
    const session = await createSession(a, user.token, 'GENERAL');
    fake.script([[{ text: Array.from({ length: 400 }, (_, i) => `w${i}`).join(' '), tokenDelayMs: 20 }]]);
    const sent = await a.ok(SendMessageDocument, { input: { sessionId: session.id, text: 'long one' } }, { token: user.token });
    const sub = collect(a.ws(user.token), AgentEventsDocument, { runId: sent.sendMessage.id });
    await sub.waitFor(6);
    await b.ok(CancelAgentRunDocument, { id: sent.sendMessage.id }, { token: user.token });
    await sub.ended;
    // Stopped mid-stream, not run out: the script's 400 tokens take 8 s at 20 ms each.
    const last = sub.events.at(-1)!.agentEvents;
    expect(last.__typename === 'RunFinished' && last.status).toBe('CANCELLED');
    expect(sub.events.filter((e) => e.agentEvents.__typename === 'TokenDelta').length).toBeLessThan(400);
    const run = await b.ok(AgentRunDocument, { id: sent.sendMessage.id }, { token: user.token });
    expect(run.agentRun.status).toBe('CANCELLED');
  });

  it('ends subscriptions on one instance within seconds of a logout on the other', async () => {
    const other = await registerUser(a);
    const sub = await b.subscribed(() => collect(b.ws(other.token), AuthSessionEventsDocument));
    const started = Date.now();
    await a.ok(LogoutDocument, {}, { token: other.token });
    const { error } = await sub.ended;
    expect((error as { code?: number }).code).toBe(4401);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses an access token on one instance within seconds of a logout on the other, though that instance had checked it', async () => {
    const other = await registerUser(a);
    expect((await b.ok(MeDocument, {}, { token: other.token })).me.username).toBe(other.user.username);
    await a.ok(LogoutDocument, {}, { token: other.token });
    const loggedOutAt = Date.now();
    let last: unknown;
    const answers: string[] = [];
    const refused = async () => {
      const asked = Date.now();
      const answer = await b.gql(MeDocument, {}, { token: other.token });
      last = answer.errors?.[0]?.extensions ?? answer.data;
      const code = answer.errors?.[0]?.extensions?.code;
      answers.push(`${asked - loggedOutAt}+${Date.now() - asked}ms ${String(code ?? 'ok')}`);
      return code === 'UNAUTHENTICATED';
    };
    // The session cache holds entries 60 s here: a refusal well within that came by SESSION_REVOKED.
    await until(refused, { intervalMs: 50, timeoutMs: 10_000, what: 'instance b to refuse the logged-out token' }).catch((error: Error) => {
      // A lost SESSION_REVOKED would show as a Redis warning on b (a reconnect drops what was published meanwhile).
      const problems = (instance: GatewayProcess) =>
        instance
          .output()
          .split('\n')
          .filter((line) => /"level":(4|5|6)\d/.test(line))
          .slice(-5);
      throw new Error(
        `${error.message}; b's last answer: ${JSON.stringify(last)}; answers (asked after the logout + took): ${answers.slice(0, 3).join(', ')} ... ${answers.slice(-2).join(', ')} (${answers.length}); warnings on a: ${JSON.stringify(problems(a))}; on b: ${JSON.stringify(problems(b))}`,
      );
    });
  });

  it('answers on one instance a persisted query registered on the other (the APQ cache is in Redis)', async () => {
    const query = `{ me { username } } # fleet apq ${key()}`;
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const post = (instance: GatewayProcess, body: Record<string, unknown>) =>
      fetch(instance.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
        body: JSON.stringify({ ...body, extensions: { persistedQuery: { version: 1, sha256Hash } } }),
      }).then((r) => r.json() as Promise<{ data?: unknown; errors?: Array<{ extensions?: { code?: string } }> }>);
    expect((await post(b, {})).errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(await post(a, { query })).toEqual({ data: { me: { username: user.user.username } } });
    // Apollo stores the query after answering, without waiting for the write: b may ask first.
    let answer: Awaited<ReturnType<typeof post>> = {};
    await until(async () => !(answer = await post(b, {})).errors, { intervalMs: 20, what: 'instance b to find the persisted query in Redis' });
    expect(answer).toEqual({ data: { me: { username: user.user.username } } });
  });

  it("counts one user's sendMessage calls across both instances against one limit", async () => {
    const limited = await registerUser(a);
    const session = await createSession(a, limited.token);
    const send = (instance: GatewayProcess) => instance.gql(SendMessageDocument, { input: { sessionId: session.id, text: 'hello' } }, { token: limited.token });
    // Four calls, two through each instance: each is served (a run, or RUN_IN_PROGRESS while it lasts).
    for (const instance of [a, b, a, b]) {
      const code = (await send(instance)).errors?.[0]?.extensions?.code;
      expect(code === undefined || code === 'RUN_IN_PROGRESS').toBe(true);
    }
    for (const instance of [a, b]) {
      const refused = await send(instance);
      expect(refused.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      expect(refused.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
    }
    // The one counter both instances share is Redis's: four served and two refused.
    expect(await redisGet(`coach:rl:sendMessage:user:${limited.user.id}`)).toBe('6');
  });
});
