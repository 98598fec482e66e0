import { stmt, unnestRows, type PgResult, type Stmt } from '../../db/statement.js';
import type { AccountStatus } from './account.entity.js';
import type { AccountRow } from './account.rules.js';
import type { AccountView } from './account.types.js';

/** The caller's customer accounts, oldest first (`accounts`), rows for accountView. */
export function selectOwnAccounts(userId: string): Stmt {
  return stmt(
    `select "id", "created_at", "updated_at", "user_id", "number", "name", "currency", "balance", "status", "entry_seq", "system"
     from "account" where "user_id" = ? and "system" = false order by "created_at", "id"`,
    [userId],
  );
}

/** A row of selectOwnAccounts. */
export function accountView(r: Record<string, unknown>): AccountView {
  return { ...accountRow(r), createdAt: r.created_at as Date, updatedAt: r.updated_at as Date, name: r.name as string };
}

/**
 * The accounts by id, plus the customer account with `number` if given; SELECT ... FOR
 * UPDATE in id order, so two transfers over the same pair cannot deadlock.
 */
export function selectAccounts(lookup: { ids: string[]; number: string | null }, lock: boolean): Stmt {
  return selectAccountsOf(lookup.ids, lookup.number === null ? [] : [lookup.number], lock);
}

/** selectAccounts for many lookups at once (a batch's union), in the same id order. */
export function selectAccountsOf(accountIds: string[], numbers: string[], lock: boolean): Stmt {
  return stmt(
    `select "id", "user_id", "number", "currency", "balance", "entry_seq", "status", "system" from "account"
     where "id" = any(?::uuid[]) or ("number" = any(?::text[]) and not "system") order by "id" asc${lock ? ' for update' : ''}`,
    [[...new Set(accountIds)], [...new Set(numbers)]],
  );
}

/** The rows of selectAccounts by id (a row of nulls, where a join found no account, is none). */
export function accountRows(result: PgResult): Map<string, AccountRow> {
  const map = new Map<string, AccountRow>();
  for (const r of result.rows) if (r.id !== null) map.set(r.id as string, accountRow(r));
  return map;
}

/** The columns the money path reads; int8 arrives as a digit string. */
function accountRow(r: Record<string, unknown>): AccountRow {
  return {
    id: r.id as string,
    ownerId: r.user_id as string | null,
    number: r.number as string,
    currency: r.currency as string,
    balance: BigInt(r.balance as string),
    entrySeq: r.entry_seq as number,
    status: r.status as AccountStatus,
    system: r.system as boolean,
  };
}

/**
 * The unlocked path's lock and check, as the parts of one statement (transfer.batch.ts): `"lock"`
 * takes the row locks of `expected`'s accounts, in id order, once `after` (a CTE that must run to
 * the end first: the key claims) is done; the check is true when each still has the balance,
 * entry seq and status expected (what the rules judged on). Those are every column of an account
 * the rules read that can change: a posting moves the first two, a closure the third.
 */
export function lockUnchanged(expected: readonly AccountRow[], after: string | null): { lock: Stmt; unchanged: Stmt } {
  const rows = [...expected].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const waits = after === null ? '' : ` and (select count(*) from "${after}") >= 0`;
  const v = unnestRows(rows, [
    ['uuid', (a) => a.id],
    ['bigint', (a) => a.balance.toString()],
    ['int', (a) => a.entrySeq],
    ['text', (a) => a.status],
  ]);
  return {
    lock: stmt(`select "id", "balance", "entry_seq", "status" from "account" where "id" = any(?::uuid[])${waits} order by "id" asc for update`, [
      rows.map((a) => a.id),
    ]),
    unchanged: stmt(
      `(select count(*) from "lock" l join ${v.sql} as v(id, b, s, st, n)
        on l."id" = v.id and l."balance" = v.b and l."entry_seq" = v.s and l."status"::text = v.st) = ?`,
      [...v.params, rows.length],
    ),
  };
}

/** The new balance and entry seq of each (locked) account, in one statement. */
export function updateBalances(accounts: AccountRow[], at: Date): Stmt {
  return balancesUpdate(accounts, at, '');
}

/** updateBalances for accounts the same statement locks in `"lock"` (lockUnchanged): the update reads the locks' CTE, so it waits for them, taken in id order. */
export function updateLockedBalances(accounts: AccountRow[], at: Date): Stmt {
  return balancesUpdate(accounts, at, ` and a."id" in (select "id" from "lock")`);
}

function balancesUpdate(accounts: AccountRow[], at: Date, scope: string): Stmt {
  const v = unnestRows(accounts, [
    ['uuid', (a) => a.id],
    ['bigint', (a) => a.balance.toString()],
    ['int', (a) => a.entrySeq],
  ]);
  return stmt(`update "account" a set "balance" = v.b, "entry_seq" = v.s, "updated_at" = ? from ${v.sql} as v(id, b, s, n) where a."id" = v.id${scope}`, [
    at,
    ...v.params,
  ]);
}
