import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import {
  CreateChatSessionDocument,
  CreateTransferDocument,
  LoginDocument,
  OpenAccountDocument,
  RecordDepositDocument,
  RegisterDocument,
  SendMessageDocument,
} from '../generated/graphql.js';
import { OPERATOR_ENV } from '../factories/ledger.js';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { describeNeeding, PROCESSES_NEED_POSTGRES } from '../helpers/components.js';
import { redisMissing, TEST_REDIS_URL } from '../helpers/redis.js';
import { killGatewayProcesses, startGatewayProcess, type GatewayProcess } from '../helpers/process.js';
import { scriptedLlmEnv } from '../helpers/scripted-llm.js';
import { until } from '../helpers/wait.js';

const missing = [await redisMissing(), PROCESSES_NEED_POSTGRES].filter(Boolean).join('; ') || undefined;

let db: TestDatabase;
let fake: FakeOpenAi;

function startInstance(id: string): Promise<GatewayProcess> {
  return startGatewayProcess({
    DATABASE_URL: db.url!,
    REDIS_URL: TEST_REDIS_URL,
    INSTANCE_ID: `fault-${id}`,
    ...scriptedLlmEnv(fake),
    SHUTDOWN_GRACE_MS: '1000',
    ...OPERATOR_ENV,
  });
}

afterAll(async () => {
  killGatewayProcesses();
  await fake?.close();
  await db?.drop();
});

describeNeeding(missing, 'a fleet under a crash', () => {
  it('keeps every ledger invariant and leaves no run RUNNING when an instance is SIGKILLed and restarted mid-way', async () => {
    db = await createTestDatabase();
    // Each run streams for about 2.5 s, so an instance killed while the fake streams to it is mid-run.
    fake = await startFakeOpenAi({ defaultTurn: () => [{ text: Array.from({ length: 160 }, (_, i) => `t${i}`).join(' '), tokenDelayMs: 15 }] });
    const a = await startInstance('a');
    let b = await startInstance('b');
    const instances = () => [a, b];

    const operator = (await a.gql(LoginDocument, { input: { username: OPERATOR_ENV.OPERATOR_USERNAME, password: OPERATOR_ENV.OPERATOR_PASSWORD } })).data!.login
      .accessToken as string;
    const users: Array<{ token: string; accounts: Array<{ id: string; number: string }>; session: string }> = [];
    for (let u = 0; u < 2; u++) {
      const reg = await a.gql(RegisterDocument, { input: { username: `fault_${u}_${randomUUID().slice(0, 6)}`, email: null, password: 'password-fault-1' } });
      const token = reg.data!.register.accessToken as string;
      const accounts = [];
      for (let i = 0; i < 4; i++) {
        const opened = await a.gql(OpenAccountDocument, { input: { name: `A${i}`, currency: 'USD' } }, { token });
        const account = opened.data!.openAccount as { id: string; number: string };
        accounts.push(account);
        await a.gql(
          RecordDepositDocument,
          { input: { accountId: account.id, amountMinor: '100000', currency: 'USD', idempotencyKey: randomUUID() } },
          { token: operator },
        );
      }
      const session = (await a.gql(CreateChatSessionDocument, { input: { conversationType: 'GENERAL' } }, { token })).data!.createChatSession.id as string;
      users.push({ token, accounts, session });
    }
    const allAccounts = users.flatMap((u) => u.accounts);

    const acknowledged = new Map<string, { amount: number }>();
    const acknowledgedBy = new Map<GatewayProcess, number>();
    let running = true;
    let failures = 0;
    // A client retries a failed request with the same idempotency key on the other instance.
    const transferClient = async (n: number) => {
      while (running) {
        const user = users[n % users.length]!;
        const from = user.accounts[Math.floor(Math.random() * 4)]!;
        const to = allAccounts[Math.floor(Math.random() * allAccounts.length)]!;
        if (to.id === from.id) continue;
        const amount = 1 + Math.floor(Math.random() * 5_000);
        const input = { fromAccountId: from.id, toAccountNumber: to.number, amountMinor: String(amount), currency: 'USD', idempotencyKey: randomUUID() };
        for (let attempt = 0; attempt < 20; attempt++) {
          const instance = instances()[(n + attempt) % 2]!;
          try {
            const result = await instance.gql(CreateTransferDocument, { input }, { token: user.token });
            if (result.data?.createTransfer) {
              acknowledged.set(result.data.createTransfer.id, { amount });
              acknowledgedBy.set(instance, (acknowledgedBy.get(instance) ?? 0) + 1);
            }
            break; // an answer, money moved or refused (INSUFFICIENT_FUNDS): either way settled
          } catch {
            failures++;
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      }
    };
    const agentClient = async (n: number) => {
      const user = users[n]!;
      while (running) {
        try {
          const input = { sessionId: user.session, text: 'talk', clientMessageId: randomUUID() };
          const sent = await instances()[n % 2]!.gql(SendMessageDocument, { input }, { token: user.token });
          if (sent.errors?.[0]?.extensions?.code === 'RUN_IN_PROGRESS') await new Promise((r) => setTimeout(r, 200));
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
        await new Promise((r) => setTimeout(r, 300));
      }
    };

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const clients = [...Array.from({ length: 10 }, (_, i) => transferClient(i)), agentClient(0), agentClient(1)];
      // Killed mid-way: transfers acknowledged, and each instance executing a run the fake is streaming.
      const runningOn = async () =>
        (await client.query("select count(distinct instance_id)::int as n from agent_run where status = 'RUNNING'")).rows[0].n as number;
      const streamed = () => new Set(fake.sentAt.filter((c) => c.kind === 'text').map((c) => c.request)).size;
      await until(async () => acknowledged.size >= 20 && streamed() >= 2 && (await runningOn()) === 2, {
        timeoutMs: 30_000,
        what: '20 acknowledged transfers and a run streaming on each instance',
      });
      b.child.kill('SIGKILL');
      await b.exit;
      const restarted = (b = await startInstance('b'));
      await until(() => (acknowledgedBy.get(restarted) ?? 0) >= 20, { timeoutMs: 30_000, what: '20 transfers acknowledged by the restarted instance' });
      running = false;
      await Promise.all(clients);

      // Runs still streaming finish on their own; a run of the killed instance was ended at its restart.
      const openRuns = async () => (await client.query("select count(*)::int as n from agent_run where status in ('QUEUED', 'RUNNING')")).rows[0].n as number;
      await until(async () => (await openRuns()) === 0, { timeoutMs: 20_000, intervalMs: 200, what: 'every run to end' });
      const runs = await client.query("select status, error->>'code' as code, count(*)::int as n from agent_run group by 1, 2");
      // The run the killed instance was executing was ended at its restart.
      expect(runs.rows).toContainEqual(expect.objectContaining({ status: 'FAILED', code: 'INTERRUPTED' }));

      const balances = await client.query(
        `select a.id, a.balance::text as balance, coalesce(sum(case when e.direction = 'CREDIT' then e.amount else -e.amount end), 0)::text as entries
           from account a left join ledger_entry e on e.account_id = a.id group by a.id`,
      );
      for (const row of balances.rows) expect(row.balance, `account ${row.id}`).toBe(row.entries);
      const userIds = new Set(allAccounts.map((x) => x.id));
      const userTotal = balances.rows.filter((r) => userIds.has(r.id)).reduce((sum, r) => sum + BigInt(r.balance), 0n);
      expect(userTotal).toBe(800_000n);
      for (const row of balances.rows.filter((r) => userIds.has(r.id))) expect(BigInt(row.balance) >= 0n).toBe(true);
      const zero = await client.query(`select coalesce(sum(case when direction = 'CREDIT' then amount else -amount end), 0)::text as s from ledger_entry`);
      expect(zero.rows[0].s).toBe('0');
      const halfWritten = await client.query(
        `select t.id from transfer t left join ledger_entry e on e.transfer_id = t.id where t.status = 'POSTED' group by t.id having count(e.id) <> 2`,
      );
      expect(halfWritten.rows).toEqual([]);
      const ids = [...acknowledged.keys()];
      const stored = await client.query('select id, amount::text as amount, status from transfer where id = any($1)', [ids]);
      expect(stored.rows.length).toBe(ids.length);
      for (const row of stored.rows) {
        expect(row.status).toBe('POSTED');
        expect(Number(row.amount)).toBe(acknowledged.get(row.id)!.amount);
      }
      expect(ids.length).toBeGreaterThan(20);
      console.log(`fault test: ${ids.length} acknowledged transfers, ${failures} failed requests retried, runs ${JSON.stringify(runs.rows)}`);
    } finally {
      running = false;
      await client.end();
    }
    // Both instances (the restarted one too) ran on Redis, not on in-process pub/sub and counters.
    for (const instance of [a, b]) expect(instance.output()).toContain('"msg":"pub/sub and rate limits through Redis"');
    await Promise.all([a.stop(), b.stop()]);
    expect(await a.exit).toBe(0);
    expect(await b.exit).toBe(0);
  }, 120_000);
});
