import { stmt, unnestRows, type PgResult, type Stmt } from '../../db/statement.js';
import type { EntryRow } from './ledger.types.js';
import type { TransferOrigin, TransferStatus } from './transfer.entity.js';
import type { TransferRow } from './transfer.types.js';

/*
 * The money transaction's transfer and idempotency-key statements as plain SQL (run by
 * db/raw-tx.ts rawTransaction): no unit of work, query building or hydration while the row
 * locks are held. The driver parses timestamptz to Date and hands int8 over as a string.
 */

/** Claims an idempotency key; no row back means another request holds it (ON CONFLICT waited for it to commit). */
export function claimKey(id: string, at: Date, userId: string, key: string, hash: string): Stmt {
  return claimKeys([{ id, userId, key, hash }], at);
}

/** Claims several keys in one statement, in the order given; the ids back are those claimed. */
export function claimKeys(claims: ReadonlyArray<{ id: string; userId: string; key: string; hash: string }>, at: Date): Stmt {
  return claimSettledKeys(
    claims.map((c) => ({ ...c, settlement: null })),
    at,
  );
}

/** Keys claimed in the order given, each with its outcome if known (the unlocked path's commit): no row back means another request has it. */
export function claimSettledKeys(
  claims: ReadonlyArray<{ id: string; userId: string; key: string; hash: string; settlement: KeySettlement | null }>,
  at: Date,
): Stmt {
  type Claim = (typeof claims)[number];
  const outcome = (c: Claim) => (c.settlement === null || 'transferId' in c.settlement ? null : c.settlement);
  const v = unnestRows(claims, [
    ['uuid', (c) => c.id],
    ['uuid', (c) => c.userId],
    ['text', (c) => c.key],
    ['text', (c) => c.hash],
    ['uuid', (c) => (c.settlement !== null && 'transferId' in c.settlement ? c.settlement.transferId : null)],
    ['text', (c) => outcome(c)?.code ?? null],
    ['text', (c) => outcome(c)?.message ?? null],
  ]);
  return stmt(
    `insert into "idempotency_key" ("id", "created_at", "updated_at", "user_id", "key", "request_hash", "transfer_id", "error_code", "error_message")
     select "id", ?, ?, "user_id", "key", "hash", "transfer_id", "code", "message"
       from ${v.sql} as v("id", "user_id", "key", "hash", "transfer_id", "code", "message", "n") order by "n"
     on conflict ("user_id", "key") do nothing returning "id"`,
    [at, at, ...v.params],
  );
}

/**
 * The unlocked read: the accounts (`read`, unlocked) and which of `keys` are committed already,
 * as one statement. Each row is an account (one row of nulls when none is found), each with
 * `found`, the [user id, key] pairs that have a row.
 */
export function readWithKeys(read: Stmt, keys: ReadonlyArray<{ userId: string; key: string }>): Stmt {
  return stmt(
    `select "l".*, "k"."found" from (select coalesce((select json_agg(json_build_array("user_id", "key")) from "idempotency_key"
       where ("user_id", "key") in (select * from unnest(?::uuid[], ?::text[]))), '[]'::json) as "found" offset 0) "k"
     left join lateral (${read.sql}) "l" on true`,
    [keys.map((k) => k.userId), keys.map((k) => k.key), ...read.params],
  );
}

/** The [user id, key] pairs readWithKeys found. */
export function foundKeys(result: PgResult): Array<[string, string]> {
  return (result.rows[0]?.found as Array<[string, string]> | undefined) ?? [];
}

/**
 * The claims, then the account lock, as one statement (one round trip). The claims run to the
 * end first (the lock waits on their array): a request waiting on another's key holds no
 * account lock meanwhile, as when they were two statements. One row per locked account (one
 * row of nulls when none is found), each with the ids claimed.
 */
export function claimThenLock(claims: Stmt, lock: Stmt): Stmt {
  return stmt(
    `with "claimed" as (${claims.sql})
     select "l".*, "c"."claimed" from (select array(select "id" from "claimed")::text[] as "claimed" offset 0) "c"
     left join lateral (${lock.sql}) "l" on true`,
    [...claims.params, ...lock.params],
  );
}

/** The ids claimThenLock claimed. */
export function claimedIds(result: PgResult): Set<string> {
  return new Set((result.rows[0]?.claimed as string[] | undefined) ?? []);
}

/**
 * Serialises the requests of one idempotency key kept outside idempotency_key (card payments):
 * the transaction-scoped advisory lock plays the key claim's part, taken first like it.
 */
export function lockKey(scope: string): Stmt {
  return stmt(`select pg_advisory_xact_lock(hashtextextended(?, 0))`, [scope]);
}

export interface KeyOutcome {
  requestHash: string;
  errorCode: string | null;
  errorMessage: string | null;
  /** The transfer the key's first request made, if it made one. */
  transfer: TransferRow | null;
}

/** The key's row, then the transfer it made (no row if none): send both in one send. */
export function selectKeyOutcome(userId: string, key: string): Stmt[] {
  return [
    stmt(`select "request_hash", "error_code", "error_message" from "idempotency_key" where "user_id" = ? and "key" = ?`, [userId, key]),
    stmt(`select * from "transfer" where "id" = (select "transfer_id" from "idempotency_key" where "user_id" = ? and "key" = ?)`, [userId, key]),
  ];
}

export function keyOutcome(key: PgResult, transfer: PgResult): KeyOutcome | null {
  const r = key.rows[0];
  if (!r) return null;
  return {
    requestHash: r.request_hash as string,
    errorCode: r.error_code as string | null,
    errorMessage: r.error_message as string | null,
    transfer: transferOf(transfer),
  };
}

export function keyDone(claimId: string, transferId: string, at: Date): Stmt {
  return stmt(`update "idempotency_key" set "transfer_id" = ?, "updated_at" = ? where "id" = ?`, [transferId, at, claimId]);
}

export function keyFailed(claimId: string, code: string, message: string, at: Date): Stmt {
  return stmt(`update "idempotency_key" set "error_code" = ?, "error_message" = ?, "updated_at" = ? where "id" = ?`, [code, message, at, claimId]);
}

export function selectTransferForUpdate(id: string): Stmt {
  return stmt(`select * from "transfer" where "id" = ? for update`, [id]);
}

/** The first row of a `select * from "transfer"`, if any. */
export function transferOf(result: PgResult): TransferRow | null {
  const r = result.rows[0];
  return r ? transferFromDb(r) : null;
}

/** A transfer table row as the driver returns it. */
export function transferFromDb(r: Record<string, unknown>): TransferRow {
  return {
    id: r.id as string,
    status: r.status as TransferStatus,
    origin: r.origin as TransferOrigin,
    amount: BigInt(r.amount as string),
    currency: r.currency as string,
    fromAccountId: r.from_account_id as string,
    toAccountId: r.to_account_id as string,
    fromUserId: r.from_user_id as string | null,
    toUserId: r.to_user_id as string | null,
    initiatorId: r.initiator_id as string,
    fromAccountNumber: r.from_account_number as string | null,
    toAccountNumber: r.to_account_number as string,
    description: r.description as string | null,
    idempotencyKey: r.idempotency_key as string | null,
    createdAt: r.created_at as Date,
    postedAt: r.posted_at as Date | null,
    expiresAt: r.expires_at as Date | null,
  };
}

export function insertTransfer(t: TransferRow): Stmt {
  return insertTransfers([t]);
}

/** Several transfers in one statement (a batch's). */
export function insertTransfers(rows: TransferRow[]): Stmt {
  const v = unnestRows(rows, [
    ['uuid', (t) => t.id],
    ['timestamptz', (t) => t.createdAt],
    ['timestamptz', (t) => t.postedAt ?? t.createdAt],
    ['uuid', (t) => t.initiatorId],
    ['"transfer_origin"', (t) => t.origin],
    ['"transfer_status"', (t) => t.status],
    ['uuid', (t) => t.fromAccountId],
    ['uuid', (t) => t.toAccountId],
    ['uuid', (t) => t.fromUserId],
    ['uuid', (t) => t.toUserId],
    ['text', (t) => t.fromAccountNumber],
    ['text', (t) => t.toAccountNumber],
    ['bigint', (t) => t.amount.toString()],
    ['text', (t) => t.currency],
    ['text', (t) => t.description],
    ['text', (t) => t.idempotencyKey],
    ['timestamptz', (t) => t.postedAt],
    ['timestamptz', (t) => t.expiresAt],
  ]);
  return stmt(
    `insert into "transfer" ("id", "created_at", "updated_at", "initiator_id", "origin", "status", "from_account_id", "to_account_id",
       "from_user_id", "to_user_id", "from_account_number", "to_account_number", "amount", "currency", "description",
       "idempotency_key", "posted_at", "expires_at")
     select "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11", "c12", "c13", "c14", "c15", "c16", "c17", "c18"
       from ${v.sql} as v("c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11", "c12", "c13", "c14", "c15", "c16", "c17", "c18", "n")`,
    v.params,
  );
}

/** A claimed key's outcome: the transfer it made, or its stored refusal. */
export type KeySettlement = { claimId: string; transferId: string } | { claimId: string; code: string; message: string };

/** Every claimed key of a batch settled in one statement (after its transfers are inserted). */
export function settleKeys(settlements: KeySettlement[], at: Date): Stmt {
  const refusal = (s: KeySettlement) => ('transferId' in s ? null : s);
  const v = unnestRows(settlements, [
    ['uuid', (s) => s.claimId],
    ['uuid', (s) => ('transferId' in s ? s.transferId : null)],
    ['text', (s) => refusal(s)?.code ?? null],
    ['text', (s) => refusal(s)?.message ?? null],
  ]);
  return stmt(
    `update "idempotency_key" as k set "transfer_id" = v.t, "error_code" = v.c, "error_message" = v.m, "updated_at" = ?
     from ${v.sql} as v(id, t, c, m, n) where k."id" = v.id`,
    [at, ...v.params],
  );
}

export function updateTransferStatus(id: string, status: TransferStatus, at: Date, posted: boolean): Stmt {
  return posted
    ? stmt(`update "transfer" set "status" = ?, "updated_at" = ?, "posted_at" = ? where "id" = ?`, [status, at, at, id])
    : stmt(`update "transfer" set "status" = ?, "updated_at" = ? where "id" = ?`, [status, at, id]);
}

/** Both sides of a posting in one statement. */
export function insertEntries(entries: EntryRow[]): Stmt {
  const v = unnestRows(entries, [
    ['uuid', (e) => e.id],
    ['timestamptz', (e) => e.postedAt],
    ['uuid', (e) => e.accountId],
    ['uuid', (e) => e.transferId],
    ['uuid', (e) => e.userId],
    ['int', (e) => e.seq],
    ['"entry_direction"', (e) => e.direction],
    ['bigint', (e) => e.amount.toString()],
    ['bigint', (e) => e.balanceAfter.toString()],
    ['text', (e) => e.currency],
    ['text', (e) => e.description],
  ]);
  return stmt(
    `insert into "ledger_entry" ("id", "created_at", "updated_at", "account_id", "transfer_id", "user_id", "seq", "direction",
       "amount", "balance_after", "currency", "description", "posted_at")
     select "id", "at", "at", "account_id", "transfer_id", "user_id", "seq", "direction", "amount", "balance_after", "currency", "description", "at"
       from ${v.sql} as v("id", "at", "account_id", "transfer_id", "user_id", "seq", "direction", "amount", "balance_after", "currency", "description", "n")`,
    v.params,
  );
}
