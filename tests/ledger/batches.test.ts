import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreateTransferDocument } from '../generated/graphql.js';
import { balanceOf, deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { describeNeeding, RACES_NEED_POSTGRES } from '../helpers/components.js';
import { ledgerViolations } from '../helpers/ledger.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';
import { codeOf } from '../helpers/errors.js';

/**
 * Group commit (transfers/transfer.batch.ts), through the API: DB_POOL_MAX=2 leaves one money
 * connection, so one batch at a time. A row lock taken here holds that batch, the transfers
 * sent meanwhile queue, and on release they go as one batch: one database transaction (one xmin).
 */
let server: TestServer;
let op: string;
let user: TestUser;
beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV, DB_POOL_MAX: '2' } });
  op = await loginOperator(server);
  user = await registerUser(server);
});
afterAll(() => server?.stop());

type Input = { fromAccountId: string; toAccountId: string; amountMinor: string; currency: string; idempotencyKey: string };
const send = (input: Input) => server.gql(CreateTransferDocument, { input }, { token: user.token });

/** Sends `inputs` at once while the one money lane is held, so they all land in the next batch. */
async function asOneBatch(inputs: Input[]) {
  const a = await openAccount(server, user.token);
  const b = await openAccount(server, user.token);
  await deposit(server, op, a.id, 1);
  const db = new pg.Client({ connectionString: server.app.databaseUrl });
  await db.connect();
  try {
    await db.query('begin');
    await db.query(`select 1 from "account" where "id" = $1 for update`, [a.id]);
    const holder = send({ fromAccountId: a.id, toAccountId: b.id, amountMinor: '1', currency: 'USD', idempotencyKey: key() });
    await until(
      async () =>
        (
          await db.query(
            `select 1 from pg_stat_activity where datname = current_database() and application_name = 'coach-gateway money' and wait_event_type = 'Lock'`,
          )
        ).rowCount === 1,
      {
        what: 'the money lane waiting on the held row',
      },
    );
    const results = inputs.map(send);
    await until(() => server.app.deps.transferBatcher.queued === inputs.length, { what: `${inputs.length} transfers queued` });
    await db.query('commit');
    expect((await holder).errors).toBeUndefined();
    const answers = await Promise.all(results);
    const ids = answers.flatMap((r) => (r.data ? [r.data.createTransfer.id] : []));
    const xmins = await db.query<{ xmin: string }>(`select distinct xmin::text from "transfer" where "id" = any($1::uuid[])`, [ids]);
    return { answers, transactions: xmins.rowCount };
  } finally {
    await db.end();
  }
}

describeNeeding(RACES_NEED_POSTGRES, 'transfers grouped into one transaction', () => {
  it('refuses the one transfer that breaks a rule and posts the others of its batch', async () => {
    const from = await openAccount(server, user.token);
    const to = await openAccount(server, user.token);
    await deposit(server, op, from.id, 100);
    const refusedKey = key();
    const base = { fromAccountId: from.id, toAccountId: to.id, currency: 'USD' };
    const { answers, transactions } = await asOneBatch([
      { ...base, amountMinor: '60', idempotencyKey: key() },
      { ...base, amountMinor: '60', idempotencyKey: refusedKey },
      { ...base, amountMinor: '40', idempotencyKey: key() },
      { ...base, toAccountId: from.id, amountMinor: '1', idempotencyKey: key() },
    ]);
    expect(answers.map((r) => codeOf(r) ?? r.data?.createTransfer.status)).toEqual(['POSTED', 'INSUFFICIENT_FUNDS', 'POSTED', 'SAME_ACCOUNT']);
    expect(transactions).toBe(1);
    expect(await balanceOf(server, user.token, from.id)).toBe('0');
    expect(await balanceOf(server, user.token, to.id)).toBe('100');
    // The refusal was stored with its key: a retry fails the same way once the money is there.
    await deposit(server, op, from.id, 100);
    expect(codeOf(await send({ ...base, amountMinor: '60', idempotencyKey: refusedKey }))).toBe('INSUFFICIENT_FUNDS');
    expect(await ledgerViolations(server.app)).toEqual([]);
  });

  it('posts once for the same key twice in one batch, answers both with that transfer, and refuses the key with another body', async () => {
    const from = await openAccount(server, user.token);
    const to = await openAccount(server, user.token);
    await deposit(server, op, from.id, 1000);
    const input = { fromAccountId: from.id, toAccountId: to.id, amountMinor: '250', currency: 'USD', idempotencyKey: key() };
    const { answers, transactions } = await asOneBatch([input, input, { ...input, amountMinor: '251' }]);
    expect(answers[0]!.errors).toBeUndefined();
    expect(answers[1]!.data).toEqual(answers[0]!.data);
    expect(codeOf(answers[2]!)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(transactions).toBe(1);
    expect(await balanceOf(server, user.token, from.id)).toBe('750');
    expect(await balanceOf(server, user.token, to.id)).toBe('250');
    // And later, as a replay of the committed key.
    expect((await send(input)).data).toEqual(answers[0]!.data);
    expect(await ledgerViolations(server.app)).toEqual([]);
  });

  it('writes nothing it read stale: a change committed between its read and its write sends the batch down the locked path, which judges again', async () => {
    const from = await openAccount(server, user.token);
    const to = await openAccount(server, user.token);
    await deposit(server, op, from.id, 100);
    const before = await batchesByPath();
    // Unchanged between read and write: one statement, no lock taken before it.
    expect((await send({ fromAccountId: from.id, toAccountId: to.id, amountMinor: '10', currency: 'USD', idempotencyKey: key() })).errors).toBeUndefined();
    const quiet = await batchesByPath();
    expect(quiet).toEqual({ unlocked: before.unlocked + 1, locked: before.locked });
    const db = new pg.Client({ connectionString: server.app.databaseUrl });
    await db.connect();
    try {
      // The destination is held while the transfer's write waits for it, then closed (its balance is
      // drawn to zero first, as closing requires): the transfer read it open.
      await db.query('begin');
      await db.query(`select 1 from "account" where "id" = $1 for update`, [to.id]);
      const input = { fromAccountId: from.id, toAccountId: to.id, amountMinor: '5', currency: 'USD', idempotencyKey: key() };
      const sent = send(input);
      await until(
        async () =>
          (
            await db.query(
              `select 1 from pg_stat_activity where datname = current_database() and application_name = 'coach-gateway money' and wait_event_type = 'Lock'`,
            )
          ).rowCount === 1,
        { what: "the transfer's write waiting on the held row" },
      );
      await db.query(`update "account" set "status" = 'CLOSED' where "id" = $1`, [to.id]);
      await db.query('commit');
      const answer = await sent;
      expect(codeOf(answer)).toBe('ACCOUNT_CLOSED');
      expect(await batchesByPath()).toEqual({ unlocked: quiet.unlocked, locked: quiet.locked + 1 });
      expect(await balanceOf(server, user.token, from.id)).toBe('90');
      // The refusal is what the key stored: a retry answers the same.
      expect(codeOf(await send(input))).toBe('ACCOUNT_CLOSED');
    } finally {
      await db.end();
    }
    expect(await ledgerViolations(server.app)).toEqual([]);
  });
});

/** coach_transfer_batches_total by path, from /metrics. */
async function batchesByPath(): Promise<{ unlocked: number; locked: number }> {
  const text = await (await fetch(server.url.replace('/graphql', '/metrics'))).text();
  const count = (path: string) => Number(new RegExp(`^coach_transfer_batches_total\\{[^}]*path="${path}"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { unlocked: count('unlocked'), locked: count('locked') };
}
