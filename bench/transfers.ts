import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { fundedAccount, loginOperator, registerUser, type BenchUser } from './lib/client.js';
import type { BenchDatabase } from './lib/db.js';
import { startGateway } from './lib/gateway.js';
import type { BenchOutcome, Row } from './lib/results.js';
import { closedLoop, round, type LoopResult } from './lib/stats.js';

const CLIENTS = 16;
const DURATION_MS = Number(process.env.BENCH_TRANSFERS_SECONDS ?? 10) * 1000;
const ACCOUNTS = 50;
const CONTENDED = 4;
const FUNDS = 1_000_000_000n;

const CREATE_TRANSFER = `mutation ($input: CreateTransferInput!) { createTransfer(input: $input) { id status } }`;

interface Acct {
  id: string;
  number: string;
}

function pair(accounts: Acct[]): [Acct, Acct] {
  const a = Math.floor(Math.random() * accounts.length);
  let b = Math.floor(Math.random() * (accounts.length - 1));
  if (b >= a) b++;
  return [accounts[a]!, accounts[b]!];
}

async function viaGateway(url: string, user: BenchUser, accounts: Acct[]): Promise<LoopResult> {
  return closedLoop(CLIENTS, DURATION_MS, async () => {
    const [from, to] = pair(accounts);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
      body: JSON.stringify({
        query: CREATE_TRANSFER,
        variables: { input: { fromAccountId: from.id, toAccountId: to.id, amountMinor: '1', currency: 'USD', idempotencyKey: randomUUID() } },
      }),
    });
    const body = (await res.json()) as { data?: { createTransfer?: { status: string } }; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    if (body.errors?.length || body.data?.createTransfer?.status !== 'POSTED') {
      throw new Error(`${res.status} ${body.errors?.[0]?.extensions?.code ?? ''} ${body.errors?.[0]?.message ?? JSON.stringify(body)}`);
    }
  });
}

/**
 * The transfer service's transaction written by hand: the same statements in the same
 * order (see transfer.service.ts keyed/claim/post and the ORM's flush), the same row locks.
 */
async function transferBySql(client: pg.Client, userId: string, from: Acct, to: Acct, amount: bigint): Promise<void> {
  const key = randomUUID();
  const now = new Date();
  const hash = createHash('sha256')
    .update(JSON.stringify({ kind: 'transfer', fromAccountId: from.id, toAccountId: to.id, toAccountNumber: null, amount: String(amount), currency: 'USD', description: null, idempotencyKey: key }))
    .digest('hex');
  await client.query('BEGIN');
  try {
    const claimId = uuidv7();
    const claimed = await client.query(
      `insert into "idempotency_key" ("id", "created_at", "updated_at", "user_id", "key", "request_hash")
       values ($1, $2, $2, $3, $4, $5) on conflict ("user_id", "key") do nothing returning "id"`,
      [claimId, now, userId, key, hash],
    );
    if (claimed.rowCount !== 1) throw new Error('idempotency key taken');
    const locked = await client.query<{ id: string; balance: string; entry_seq: number; user_id: string; number: string; status: string; currency: string }>(
      `select * from "account" where "id" in ($1, $2) order by "id" asc for update`,
      [from.id, to.id],
    );
    const src = locked.rows.find((r) => r.id === from.id);
    const dst = locked.rows.find((r) => r.id === to.id);
    if (!src || !dst || src.user_id !== userId || src.status !== 'OPEN' || dst.status !== 'OPEN' || src.currency !== 'USD' || dst.currency !== 'USD') {
      throw new Error('accounts not usable');
    }
    if (BigInt(src.balance) < amount) throw new Error('INSUFFICIENT_FUNDS');
    const srcBalance = BigInt(src.balance) - amount;
    const dstBalance = BigInt(dst.balance) + amount;
    const transferId = uuidv7();
    await client.query(
      `insert into "transfer" ("id", "created_at", "updated_at", "initiator_id", "origin", "status", "from_account_id", "to_account_id", "from_user_id", "to_user_id", "from_account_number", "to_account_number", "amount", "currency", "description", "idempotency_key", "posted_at", "expires_at")
       values ($1, $2, $2, $3, 'USER', 'POSTED', $4, $5, $6, $7, $8, $9, $10, 'USD', null, $11, $2, null)`,
      [transferId, now, userId, from.id, to.id, src.user_id, dst.user_id, src.number, dst.number, String(amount), key],
    );
    await client.query(
      `insert into "ledger_entry" ("id", "created_at", "updated_at", "account_id", "transfer_id", "user_id", "seq", "direction", "amount", "balance_after", "currency", "description", "posted_at")
       values ($1, $3, $3, $4, $2, $5, $6, 'DEBIT', $7, $8, 'USD', null, $3), ($9, $3, $3, $10, $2, $11, $12, 'CREDIT', $7, $13, 'USD', null, $3)`,
      [uuidv7(), transferId, now, from.id, src.user_id, src.entry_seq + 1, String(amount), String(srcBalance), uuidv7(), to.id, dst.user_id, dst.entry_seq + 1, String(dstBalance)],
    );
    await client.query(
      `update "account" set
         "balance" = case when ("id" = $1) then $2::bigint when ("id" = $3) then $4::bigint else "balance" end,
         "entry_seq" = case when ("id" = $1) then $5::int when ("id" = $3) then $6::int else "entry_seq" end,
         "updated_at" = $7
       where "id" in ($1, $3) returning "id"`,
      [from.id, String(srcBalance), to.id, String(dstBalance), src.entry_seq + 1, dst.entry_seq + 1, now],
    );
    await client.query(`update "idempotency_key" set "transfer_id" = $1, "updated_at" = $2 where "id" = $3`, [transferId, now, claimId]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

async function viaSql(databaseUrl: string, user: BenchUser, accounts: Acct[]): Promise<LoopResult> {
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      return c;
    }),
  );
  try {
    return await closedLoop(CLIENTS, DURATION_MS, async (worker) => {
      const [from, to] = pair(accounts);
      await transferBySql(clients[worker]!, user.id, from, to, 1n);
    });
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

/** Balances equal the sum of entries and the per-account seqs have no gaps, after both loads. */
async function ledgerProblems(databaseUrl: string): Promise<number> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const signed = `case when e."direction" = 'CREDIT' then e."amount" else -e."amount" end`;
    const r = await c.query(
      `select a."id" from "account" a left join "ledger_entry" e on e."account_id" = a."id" group by a."id"
       having a."balance" <> coalesce(sum(${signed}), 0) or a."entry_seq" <> count(e."id")`,
    );
    return r.rowCount ?? 0;
  } finally {
    await c.end();
  }
}

export async function run({ db }: { db: BenchDatabase }): Promise<BenchOutcome> {
  const gateway = await startGateway({ databaseUrl: db.url, cpuProfName: 'transfers' });
  const figures: Record<string, unknown> = { clients: CLIENTS, durationSeconds: DURATION_MS / 1000, dbPoolMax: 10 };
  const rows: Row[] = [];
  try {
    const op = await loginOperator(gateway.url);
    const user = await registerUser(gateway.url, 'transfers');
    const accounts: Acct[] = [];
    for (let i = 0; i < ACCOUNTS; i++) accounts.push(await fundedAccount(gateway.url, user, op, FUNDS));
    for (const [label, set] of [
      ['uncontended', accounts],
      ['contended', accounts.slice(0, CONTENDED)],
    ] as const) {
      const gw = await viaGateway(gateway.url, user, set);
      const sql = await viaSql(db.url, user, set);
      const ratio = round(gw.perSecond / sql.perSecond, 3);
      figures[label] = { accounts: set.length, gateway: gw, sql, ratio };
      const clean = gw.errors === 0 && sql.errors === 0;
      rows.push(
        { bench: 'transfers', metric: `${label} (${set.length} accts) transfers/s`, value: String(gw.perSecond), baseline: String(sql.perSecond) },
        { bench: 'transfers', metric: `${label} ratio gateway/sql`, value: String(ratio), goal: '>= 0.5', met: ratio >= 0.5 },
        { bench: 'transfers', metric: `${label} p99 ms`, value: String(gw.p99), baseline: String(sql.p99) },
        { bench: 'transfers', metric: `${label} errors`, value: String(gw.errors), baseline: String(sql.errors), goal: '0', met: clean },
      );
    }
    const problems = await ledgerProblems(db.url);
    figures.ledgerProblems = problems;
    rows.push({ bench: 'transfers', metric: 'ledger invariant violations', value: String(problems), goal: '0', met: problems === 0 });
  } finally {
    await gateway.stop();
  }
  return { figures, rows };
}
