import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isRetryable } from '../../shared/transactions.js';
import type { AccountStatus } from '../accounts/account.entity.js';
import type { TransferOrigin, TransferStatus } from './transfer.entity.js';
import type { EntryRow, TransferRow } from './transfer.types.js';

/*
 * The money transaction's statements as plain SQL on a connection of the ORM's pool.
 * The unit of work, query building and hydration cost several ms of CPU per transfer
 * while the row locks were held; here the transaction is two round trips (claim + lock,
 * then every write + COMMIT), each a batch of statements formatted by the ORM's own
 * platform (values escaped exactly as em.execute does). Rows are plain objects; bigint
 * columns arrive as digit strings and become bigint here only.
 */

/** One statement: `?` placeholders, values formatted by the ORM's platform. */
export interface Stmt {
  sql: string;
  params: unknown[];
}

interface Result {
  rows: Array<Record<string, unknown>>;
}

/** The parts of a pooled pg client this file uses. */
interface PgClient {
  query(text: string): Promise<Result | Result[]>;
}

interface KnexClient {
  acquireConnection(): Promise<PgClient & { __knex__disposed?: unknown }>;
  releaseConnection(connection: unknown): Promise<void>;
}

/** An open transaction: every send is one round trip; the first one opens the transaction. */
export class MoneyTx {
  private begun = false;
  committed = false;

  constructor(
    private readonly client: PgClient,
    private readonly format: (sql: string, params: unknown[]) => string,
    private readonly onQuery: (texts: string[]) => void,
  ) {}

  /** Runs the statements in order in one round trip; one result per statement. */
  send(...stmts: Stmt[]): Promise<Result[]> {
    return this.run(stmts, false);
  }

  /** The last writes and COMMIT in one round trip. */
  async commit(...stmts: Stmt[]): Promise<Result[]> {
    const results = this.begun || stmts.length > 0 ? await this.run(stmts, true) : [];
    this.committed = true;
    return results;
  }

  /** After a failure: end the transaction, so the connection goes back to the pool clean. */
  async rollback(): Promise<void> {
    if (this.begun && !this.committed) await this.raw(['rollback']);
  }

  private async run(stmts: Stmt[], commit: boolean): Promise<Result[]> {
    const texts = stmts.map((s) => this.format(s.sql, s.params));
    const lead = this.begun ? 0 : 1;
    if (!this.begun) texts.unshift('begin');
    if (commit) texts.push('commit');
    this.begun = true;
    const results = await this.raw(texts);
    return results.slice(lead, lead + stmts.length);
  }

  private async raw(texts: string[]): Promise<Result[]> {
    this.onQuery(texts);
    const res = await this.client.query(texts.join(';\n'));
    return Array.isArray(res) ? res : [res];
  }
}

const MAX_ATTEMPTS = 8;

/**
 * Runs `work` in one transaction on a connection of the ORM's pool. `work` commits with
 * its last writes (if it returns without, an empty COMMIT follows); a throw rolls back.
 * Serialization failures and deadlocks run it again with jittered backoff, as
 * inTransaction does, so callers never see them.
 */
export async function moneyTransaction<T>(em: EntityManager, work: (tx: MoneyTx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await once(em, work);
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
      await sleep(Math.random() * 5 * 2 ** attempt);
    }
  }
}

async function once<T>(em: EntityManager, work: (tx: MoneyTx) => Promise<T>): Promise<T> {
  const knex = em.getConnection().getKnex();
  const client = knex.client as unknown as KnexClient;
  const platform = em.getPlatform();
  const connection = await client.acquireConnection();
  // Statement counters and query logs listen to knex's 'query' event: they keep seeing this SQL.
  const onQuery = (texts: string[]) => {
    if (knex.listenerCount('query') > 0) for (const sql of texts) knex.emit('query', { sql, bindings: [], method: 'raw' });
  };
  const tx = new MoneyTx(connection, (sql, params) => platform.formatQuery(sql, params), onQuery);
  try {
    const result = await work(tx);
    if (!tx.committed) await tx.commit();
    return result;
  } catch (error) {
    try {
      await tx.rollback();
    } catch {
      // A connection that cannot roll back is not handed to anyone else.
      connection.__knex__disposed = 'rollback failed';
    }
    throw error;
  } finally {
    await client.releaseConnection(connection);
  }
}

// ---------- statements ----------

const stmt = (sql: string, params: unknown[]): Stmt => ({ sql, params });
const MARKS = Array.from({ length: 20 }, (_, n) => Array.from({ length: n }, () => '?').join(', '));
const marks = (n: number): string => MARKS[n] ?? Array.from({ length: n }, () => '?').join(', ');

/** An account row as the money transaction sees it (locked when money will move). */
export interface AccountRow {
  id: string;
  ownerId: string | null;
  number: string;
  currency: string;
  balance: bigint;
  entrySeq: number;
  status: AccountStatus;
  system: boolean;
}

/**
 * The accounts by id, plus the customer account with `number` if given; SELECT ... FOR
 * UPDATE in id order, so two transfers over the same pair cannot deadlock.
 */
export function selectAccounts(lookup: { ids: string[]; number: string | null }, lock: boolean): Stmt {
  const ids = [...new Set(lookup.ids)];
  const byNumber = lookup.number === null ? '' : ' or ("number" = ? and not "system")';
  return stmt(
    `select "id", "user_id", "number", "currency", "balance", "entry_seq", "status", "system" from "account"
     where "id" in (${marks(ids.length)})${byNumber} order by "id" asc${lock ? ' for update' : ''}`,
    lookup.number === null ? ids : [...ids, lookup.number],
  );
}

export function accountRows(result: Result): Map<string, AccountRow> {
  const map = new Map<string, AccountRow>();
  for (const r of result.rows) {
    const id = r.id as string;
    map.set(id, {
      id,
      ownerId: r.user_id as string | null,
      number: r.number as string,
      currency: r.currency as string,
      balance: BigInt(r.balance as string),
      entrySeq: r.entry_seq as number,
      status: r.status as AccountStatus,
      system: r.system as boolean,
    });
  }
  return map;
}

/** Claims an idempotency key; no row back means another request holds it (ON CONFLICT waited for it to commit). */
export function claimKey(id: string, at: Date, userId: string, key: string, hash: string): Stmt {
  return stmt(
    `insert into "idempotency_key" ("id", "created_at", "updated_at", "user_id", "key", "request_hash")
     values (?, ?, ?, ?, ?, ?) on conflict ("user_id", "key") do nothing returning "id"`,
    [id, at, at, userId, key, hash],
  );
}

export interface KeyOutcome {
  requestHash: string;
  errorCode: string | null;
  errorMessage: string | null;
  /** The transfer the key's first request made, if it made one. */
  transfer: TransferRow | null;
}

export function selectKeyOutcome(userId: string, key: string): Stmt {
  return stmt(
    `select k."request_hash", k."error_code", k."error_message", ${transferColumns('t')}
     from "idempotency_key" k left join "transfer" t on t."id" = k."transfer_id" where k."user_id" = ? and k."key" = ?`,
    [userId, key],
  );
}

export function keyOutcome(result: Result): KeyOutcome | null {
  const r = result.rows[0];
  if (!r) return null;
  return {
    requestHash: r.request_hash as string,
    errorCode: r.error_code as string | null,
    errorMessage: r.error_message as string | null,
    transfer: r.t_id ? transferFromRow(r) : null,
  };
}

export function keyDone(claimId: string, transferId: string, at: Date): Stmt {
  return stmt(`update "idempotency_key" set "transfer_id" = ?, "updated_at" = ? where "id" = ?`, [transferId, at, claimId]);
}

export function keyFailed(claimId: string, code: string, message: string, at: Date): Stmt {
  return stmt(`update "idempotency_key" set "error_code" = ?, "error_message" = ?, "updated_at" = ? where "id" = ?`, [code, message, at, claimId]);
}

/** Times as JSON strings (ISO 8601): the ORM's pool hands timestamptz back unparsed. */
function transferColumns(alias: string): string {
  const c = (name: string) => `${alias}."${name}" as "t_${name}"`;
  const time = (name: string) => `to_json(${alias}."${name}") as "t_${name}"`;
  return [
    c('id'), c('status'), c('origin'), c('amount'), c('currency'), c('from_account_id'), c('to_account_id'), c('from_user_id'),
    c('to_user_id'), c('initiator_id'), c('from_account_number'), c('to_account_number'), c('description'), c('idempotency_key'),
    time('created_at'), time('posted_at'), time('expires_at'),
  ].join(', ');
}

function transferFromRow(r: Record<string, unknown>): TransferRow {
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  return {
    id: r.t_id as string,
    status: r.t_status as TransferStatus,
    origin: r.t_origin as TransferOrigin,
    amount: BigInt(r.t_amount as string),
    currency: r.t_currency as string,
    fromAccountId: r.t_from_account_id as string,
    toAccountId: r.t_to_account_id as string,
    fromUserId: r.t_from_user_id as string | null,
    toUserId: r.t_to_user_id as string | null,
    initiatorId: r.t_initiator_id as string,
    fromAccountNumber: r.t_from_account_number as string | null,
    toAccountNumber: r.t_to_account_number as string,
    description: r.t_description as string | null,
    idempotencyKey: r.t_idempotency_key as string | null,
    createdAt: date(r.t_created_at)!,
    postedAt: date(r.t_posted_at),
    expiresAt: date(r.t_expires_at),
  };
}

export function selectTransferForUpdate(id: string): Stmt {
  return stmt(`select ${transferColumns('t')} from "transfer" t where t."id" = ? for update`, [id]);
}

export function transferOf(result: Result): TransferRow | null {
  const r = result.rows[0];
  return r ? transferFromRow(r) : null;
}

export function insertTransfer(t: TransferRow): Stmt {
  return stmt(
    `insert into "transfer" ("id", "created_at", "updated_at", "initiator_id", "origin", "status", "from_account_id", "to_account_id",
       "from_user_id", "to_user_id", "from_account_number", "to_account_number", "amount", "currency", "description",
       "idempotency_key", "posted_at", "expires_at")
     values (${marks(18)})`,
    [
      t.id, t.createdAt, t.postedAt ?? t.createdAt, t.initiatorId, t.origin, t.status, t.fromAccountId, t.toAccountId,
      t.fromUserId, t.toUserId, t.fromAccountNumber, t.toAccountNumber, t.amount.toString(), t.currency, t.description,
      t.idempotencyKey, t.postedAt, t.expiresAt,
    ],
  );
}

export function updateTransferStatus(id: string, status: TransferStatus, at: Date, posted: boolean): Stmt {
  return posted
    ? stmt(`update "transfer" set "status" = ?, "updated_at" = ?, "posted_at" = ? where "id" = ?`, [status, at, at, id])
    : stmt(`update "transfer" set "status" = ?, "updated_at" = ? where "id" = ?`, [status, at, id]);
}

/** Both sides of a posting in one statement. */
export function insertEntries(entries: EntryRow[]): Stmt {
  const params: unknown[] = [];
  for (const e of entries) {
    params.push(
      e.id, e.postedAt, e.postedAt, e.accountId, e.transferId, e.userId, e.seq, e.direction,
      e.amount.toString(), e.balanceAfter.toString(), e.currency, e.description, e.postedAt,
    );
  }
  return stmt(
    `insert into "ledger_entry" ("id", "created_at", "updated_at", "account_id", "transfer_id", "user_id", "seq", "direction",
       "amount", "balance_after", "currency", "description", "posted_at")
     values ${entries.map(() => `(${marks(13)})`).join(', ')}`,
    params,
  );
}

/** The new balance and entry seq of each (locked) account, in one statement. */
export function updateBalances(accounts: AccountRow[], at: Date): Stmt {
  const ids = accounts.map((a) => a.id);
  return stmt(
    `update "account" set "balance" = case "id" ${accounts.map(() => 'when ? then ?::bigint').join(' ')} else "balance" end,
       "entry_seq" = case "id" ${accounts.map(() => 'when ? then ?::int').join(' ')} else "entry_seq" end, "updated_at" = ?
     where "id" in (${marks(ids.length)})`,
    [...accounts.flatMap((a) => [a.id, a.balance.toString()]), ...accounts.flatMap((a) => [a.id, a.entrySeq]), at, ...ids],
  );
}
