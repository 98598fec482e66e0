import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { fundedAccount, loginOperator, registerUser, type BenchUser } from './lib/client.js';
import { splitPoolMax } from '../src/db/pg.js';
import { BASELINES_DIR, copyBaseline, MISSING } from './lib/baselines.js';
import { adminQuery, type BenchDatabase } from './lib/db.js';
import { startGateway } from './lib/gateway.js';
import { runPgbench, type PgbenchResult } from './lib/pgbench.js';
import type { BenchOutcome, Chart, Row } from './lib/results.js';
import { closedLoop, round, type LoopResult } from './lib/stats.js';

const CLIENTS = 16;
const DURATION_MS = Number(process.env.BENCH_TRANSFERS_SECONDS ?? 10) * 1000;
/** Unmeasured load before each measured phase: the first phase otherwise pays the gateway's JIT warm-up. */
const WARMUP_MS = Number(process.env.BENCH_TRANSFERS_WARMUP_SECONDS ?? 2) * 1000;
const ACCOUNTS = 50;
const CONTENDED = 4;
const FUNDS = 1_000_000_000n;
/** Given to the gateway as DB_POOL_MAX; the SQL baselines get its money pool's share, by the gateway's own split. */
const DB_POOL_MAX = Number(process.env.BENCH_DB_POOL_MAX ?? 10);
const MONEY_CONNECTIONS = splitPoolMax(DB_POOL_MAX).money;

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

/**
 * A plain keep-alive POST. The client shares the machine's 2 cores with the gateway and
 * PostgreSQL: fetch (undici) spent ~0.9-1.6 ms of CPU per request here, node:http ~0.4 ms,
 * about what the SQL side's pg client spends per transaction.
 */
function postJson(agent: http.Agent, url: string, token: string, payload: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${token}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function viaGateway(url: string, user: BenchUser, accounts: Acct[]): Promise<LoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const op = async () => {
    const [from, to] = pair(accounts);
    const res = await postJson(
      agent,
      url,
      user.token,
      JSON.stringify({
        query: CREATE_TRANSFER,
        variables: { input: { fromAccountId: from.id, toAccountId: to.id, amountMinor: '1', currency: 'USD', idempotencyKey: randomUUID() } },
      }),
    );
    const body = JSON.parse(res.text) as {
      data?: { createTransfer?: { status: string } };
      errors?: Array<{ message: string; extensions?: { code?: string } }>;
    };
    if (body.errors?.length || body.data?.createTransfer?.status !== 'POSTED') {
      throw new Error(`${res.status} ${body.errors?.[0]?.extensions?.code ?? ''} ${body.errors?.[0]?.message ?? res.text}`);
    }
  };
  try {
    await closedLoop(CLIENTS, WARMUP_MS, op);
    return await closedLoop(CLIENTS, DURATION_MS, op);
  } finally {
    agent.destroy();
  }
}

/**
 * The transfer service's transaction written by hand: the same statements in the same
 * order (see transfer.service.ts money, transfer.sql.ts and account.sql.ts), the same row locks, one
 * round trip per statement as one writes it with pg's parameters.
 */
async function transferBySql(client: pg.PoolClient, userId: string, from: Acct, to: Acct, amount: bigint): Promise<void> {
  const key = randomUUID();
  const now = new Date();
  const hash = createHash('sha256')
    .update(
      JSON.stringify({
        kind: 'transfer',
        fromAccountId: from.id,
        toAccountId: to.id,
        toAccountNumber: null,
        amount: String(amount),
        currency: 'USD',
        description: null,
        idempotencyKey: key,
      }),
    )
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
      [
        uuidv7(),
        transferId,
        now,
        from.id,
        src.user_id,
        src.entry_seq + 1,
        String(amount),
        String(srcBalance),
        uuidv7(),
        to.id,
        dst.user_id,
        dst.entry_seq + 1,
        String(dstBalance),
      ],
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

/**
 * The same 8 statements framed as the gateway sends them since issue 8: two round trips
 * (BEGIN + claim + lock, then every write + COMMIT), values inlined as escaped literals.
 */
async function transferBySqlBatched(client: pg.PoolClient, userId: string, from: Acct, to: Acct, amount: bigint): Promise<void> {
  const key = randomUUID();
  const now = new Date().toISOString();
  const lit = (v: string | null) => (v === null ? 'null' : client.escapeLiteral(v));
  const hash = createHash('sha256')
    .update(
      JSON.stringify({
        kind: 'transfer',
        fromAccountId: from.id,
        toAccountId: to.id,
        toAccountNumber: null,
        amount: String(amount),
        currency: 'USD',
        description: null,
        idempotencyKey: key,
      }),
    )
    .digest('hex');
  const claimId = uuidv7();
  try {
    const first = (await client.query(
      `begin;
       insert into "idempotency_key" ("id", "created_at", "updated_at", "user_id", "key", "request_hash")
       values (${lit(claimId)}, ${lit(now)}, ${lit(now)}, ${lit(userId)}, ${lit(key)}, ${lit(hash)}) on conflict ("user_id", "key") do nothing returning "id";
       select "id", "user_id", "number", "currency", "balance", "entry_seq", "status", "system" from "account"
       where "id" in (${lit(from.id)}, ${lit(to.id)}) order by "id" asc for update`,
    )) as unknown as Array<
      pg.QueryResult<{ id: string; balance: string; entry_seq: number; user_id: string; number: string; status: string; currency: string }>
    >;
    if (first[1]!.rowCount !== 1) throw new Error('idempotency key taken');
    const src = first[2]!.rows.find((r) => r.id === from.id);
    const dst = first[2]!.rows.find((r) => r.id === to.id);
    if (!src || !dst || src.user_id !== userId || src.status !== 'OPEN' || dst.status !== 'OPEN' || src.currency !== 'USD' || dst.currency !== 'USD') {
      throw new Error('accounts not usable');
    }
    if (BigInt(src.balance) < amount) throw new Error('INSUFFICIENT_FUNDS');
    const srcBalance = String(BigInt(src.balance) - amount);
    const dstBalance = String(BigInt(dst.balance) + amount);
    const transferId = uuidv7();
    await client.query(
      `insert into "transfer" ("id", "created_at", "updated_at", "initiator_id", "origin", "status", "from_account_id", "to_account_id", "from_user_id", "to_user_id", "from_account_number", "to_account_number", "amount", "currency", "description", "idempotency_key", "posted_at", "expires_at")
       values (${lit(transferId)}, ${lit(now)}, ${lit(now)}, ${lit(userId)}, 'USER', 'POSTED', ${lit(from.id)}, ${lit(to.id)}, ${lit(src.user_id)}, ${lit(dst.user_id)}, ${lit(src.number)}, ${lit(dst.number)}, ${lit(String(amount))}, 'USD', null, ${lit(key)}, ${lit(now)}, null);
       insert into "ledger_entry" ("id", "created_at", "updated_at", "account_id", "transfer_id", "user_id", "seq", "direction", "amount", "balance_after", "currency", "description", "posted_at")
       values (${lit(uuidv7())}, ${lit(now)}, ${lit(now)}, ${lit(from.id)}, ${lit(transferId)}, ${lit(src.user_id)}, ${src.entry_seq + 1}, 'DEBIT', ${lit(String(amount))}, ${lit(srcBalance)}, 'USD', null, ${lit(now)}),
              (${lit(uuidv7())}, ${lit(now)}, ${lit(now)}, ${lit(to.id)}, ${lit(transferId)}, ${lit(dst.user_id)}, ${dst.entry_seq + 1}, 'CREDIT', ${lit(String(amount))}, ${lit(dstBalance)}, 'USD', null, ${lit(now)});
       update "account" set "balance" = case "id" when ${lit(from.id)} then ${lit(srcBalance)}::bigint when ${lit(to.id)} then ${lit(dstBalance)}::bigint else "balance" end,
         "entry_seq" = case "id" when ${lit(from.id)} then ${src.entry_seq + 1}::int when ${lit(to.id)} then ${dst.entry_seq + 1}::int else "entry_seq" end, "updated_at" = ${lit(now)}
       where "id" in (${lit(from.id)}, ${lit(to.id)});
       update "idempotency_key" set "transfer_id" = ${lit(transferId)}, "updated_at" = ${lit(now)} where "id" = ${lit(claimId)};
       commit`,
    );
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

type SqlTransfer = (client: pg.PoolClient, userId: string, from: Acct, to: Acct, amount: bigint) => Promise<void>;

/** CLIENTS workers share MONEY_CONNECTIONS connections, as the gateway's 16 clients share its money pool. */
async function viaSql(databaseUrl: string, user: BenchUser, accounts: Acct[], transfer: SqlTransfer = transferBySql): Promise<LoopResult> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: MONEY_CONNECTIONS });
  try {
    const op = async () => {
      const [from, to] = pair(accounts);
      const client = await pool.connect();
      try {
        await transfer(client, user.id, from, to, 1n);
      } finally {
        client.release();
      }
    };
    await closedLoop(CLIENTS, WARMUP_MS, op);
    return await closedLoop(CLIENTS, DURATION_MS, op);
  } finally {
    await pool.end();
  }
}

/** The C client's ceiling: ../shared/baselines/xfer.pgb on a fresh database loaded from ledger-schema.sql. */
async function pgbenchDatabase(db: BenchDatabase): Promise<{ url: string; script: string; drop: () => Promise<void> } | undefined> {
  const dir = copyBaseline('xfer.pgb', 'ledger-schema.sql');
  if (!dir) return undefined;
  const name = `${db.name}_pgbench`;
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(db.url);
  url.pathname = `/${name}`;
  await adminQuery(readFileSync(join(dir, 'ledger-schema.sql'), 'utf8'), url.toString());
  return {
    url: url.toString(),
    script: join(dir, 'xfer.pgb'),
    drop: async () => {
      rmSync(dir, { recursive: true, force: true });
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

async function viaPgbench(base: { url: string; script: string }, accounts: number): Promise<PgbenchResult> {
  const run = { databaseUrl: base.url, script: base.script, clients: CLIENTS, threads: 2, define: { naccts: accounts } };
  if (WARMUP_MS > 0) await runPgbench({ ...run, seconds: Math.max(1, Math.round(WARMUP_MS / 1000)) });
  return runPgbench({ ...run, seconds: Math.max(1, Math.round(DURATION_MS / 1000)) });
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

/** One phase's loads, in the same order every time: the gateway, then each baseline. */
interface Phase {
  gw: LoopResult;
  batched: LoopResult;
  sql: LoopResult;
  bench: PgbenchResult | undefined;
  batchedRatio: number;
  sqlRatio: number;
  pgbenchRatio: number | undefined;
}

async function phase(gatewayUrl: string, databaseUrl: string, user: BenchUser, set: Acct[], pgb: { url: string; script: string } | undefined): Promise<Phase> {
  const gw = await viaGateway(gatewayUrl, user, set);
  const batched = await viaSql(databaseUrl, user, set, transferBySqlBatched);
  const sql = await viaSql(databaseUrl, user, set);
  const bench = pgb ? await viaPgbench(pgb, set.length) : undefined;
  return {
    gw,
    batched,
    sql,
    bench,
    batchedRatio: round(gw.perSecond / batched.perSecond, 3),
    sqlRatio: round(gw.perSecond / sql.perSecond, 3),
    pgbenchRatio: bench ? round(gw.perSecond / bench.tps, 3) : undefined,
  };
}

/** The run with the lowest ratio (a run without one never counts as lower). */
function worseRun(runs: Phase[], ratio: (run: Phase) => number | undefined): Phase {
  return runs.reduce((a, b) => ((ratio(b) ?? Infinity) < (ratio(a) ?? Infinity) ? b : a));
}

/** A count summed over every run of a phase. */
function total(runs: Phase[], count: (run: Phase) => number): number {
  return runs.reduce((n, run) => n + count(run), 0);
}

export async function run({ db }: { db: BenchDatabase }): Promise<BenchOutcome> {
  const gateway = await startGateway({ databaseUrl: db.url, cpuProfName: 'transfers', env: { DB_POOL_MAX: String(DB_POOL_MAX) } });
  const figures: Record<string, unknown> = {
    clients: CLIENTS,
    durationSeconds: DURATION_MS / 1000,
    dbPoolMax: DB_POOL_MAX,
    moneyPoolConnections: MONEY_CONNECTIONS,
  };
  const rows: Row[] = [];
  const charts: Chart[] = [];
  const notes: string[] = [];
  const pgb = await pgbenchDatabase(db);
  if (!pgb) notes.push(`no xfer.pgb / ledger-schema.sql in ${BASELINES_DIR}: the pgbench rows are unranked`);
  try {
    const op = await loginOperator(gateway.url);
    const user = await registerUser(gateway.url, 'transfers');
    const accounts: Acct[] = [];
    for (let i = 0; i < ACCOUNTS; i++) accounts.push(await fundedAccount(gateway.url, user, op, FUNDS));
    // The contended phase twice: its goals must hold in every run, so the worse of the two counts (issue 30).
    for (const [label, set, runs] of [
      ['uncontended', accounts, 1],
      ['contended', accounts.slice(0, CONTENDED), 2],
    ] as const) {
      const measured: Phase[] = [];
      for (let run = 0; run < runs; run++) measured.push(await phase(gateway.url, db.url, user, set, pgb));
      const { gw, batched, sql, bench, batchedRatio, sqlRatio } = worseRun(measured, (m) => m.batchedRatio);
      // The pgbench row's worse run may be the other one.
      const pgRun = worseRun(measured, (m) => m.pgbenchRatio);
      const pgbenchRatio = pgRun.pgbenchRatio;
      if (runs > 1) {
        notes.push(
          `${label}: ${runs} runs, the worse counts: gateway/SQL batched ${measured.map((m) => m.batchedRatio).join(' and ')}` +
            (pgbenchRatio === undefined ? '' : `, gateway/pgbench ${measured.map((m) => m.pgbenchRatio).join(' and ')}`),
        );
      }
      figures[label] = {
        accounts: set.length,
        gateway: gw,
        sqlBatched: batched,
        batchedRatio,
        sql,
        sqlRatio,
        pgbench: bench ?? null,
        pgbenchRatio: pgbenchRatio ?? null,
        ...(runs > 1 ? { runs: measured } : {}),
      };
      const clean = measured.every((m) => m.gw.errors === 0 && m.sql.errors === 0 && m.batched.errors === 0 && (m.bench?.failed ?? 0) === 0);
      const perSecond = { gateway: gw.perSecond, 'SQL batched (2 round trips)': batched.perSecond, ...(bench ? { pgbench: round(bench.tps, 1) } : {}) };
      charts.push(
        {
          title: `${label} (${set.length} accts) transfers/s`,
          unit: 'transfers/s',
          higherIsBetter: true,
          series: { ...perSecond, 'SQL per statement': sql.perSecond },
        },
        {
          title: `${label} p99 latency`,
          unit: 'ms',
          higherIsBetter: false,
          series: { gateway: gw.p99, 'SQL batched (2 round trips)': batched.p99, 'SQL per statement': sql.p99 },
        },
      );
      const t = (metric: string, rest: Omit<Row, 'bench' | 'metric'>): Row => ({
        bench: 'transfers',
        metric: `${label} (${set.length} accts) ${metric}`,
        ...rest,
      });
      const of = runs > 1 ? `, worse of ${runs} runs` : '';
      rows.push(
        t('transfers/s gateway / SQL batched', { value: String(gw.perSecond), baseline: String(batched.perSecond) }),
        t(`ratio gateway/SQL batched (2 round trips, ${MONEY_CONNECTIONS} conns${of})`, {
          value: String(batchedRatio),
          goal: '>= 1.0',
          met: batchedRatio >= 1 && clean,
        }),
        pgbenchRatio !== undefined
          ? t(`ratio gateway/pgbench (16 clients${of})`, {
              value: String(pgbenchRatio),
              baseline: `${round(pgRun.bench!.tps, 1)}/s`,
              goal: '>= 0.5',
              met: pgbenchRatio >= 0.5 && clean,
            })
          : t('ratio gateway/pgbench (16 clients)', { value: MISSING }),
        t(`ratio gateway/SQL per statement (unranked, ${MONEY_CONNECTIONS} conns)`, { value: String(sqlRatio), baseline: `${sql.perSecond}/s` }),
        t('p99 ms gateway / SQL batched', { value: String(gw.p99), baseline: String(batched.p99) }),
        t('errors', {
          value: String(total(measured, (m) => m.gw.errors)),
          baseline: `${total(measured, (m) => m.batched.errors)} batched / ${total(measured, (m) => m.sql.errors)} per statement / ${
            bench ? total(measured, (m) => m.bench?.failed ?? 0) : '-'
          } pgbench`,
          goal: '0',
          met: clean,
        }),
      );
    }
    const problems = await ledgerProblems(db.url);
    figures.ledgerProblems = problems;
    rows.push({ bench: 'transfers', metric: 'ledger invariant violations', value: String(problems), goal: '0', met: problems === 0 });
  } finally {
    await gateway.stop();
    await pgb?.drop();
  }
  return { figures, rows, charts, notes };
}
