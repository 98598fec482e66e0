import type { Bound } from '../transactions/bound.js';

/*
 * The sync's statements, values bound ($n). A page is written with multi-row statements
 * (unnest of arrays), so 500 transactions cost the same few statements as 5.
 */

export interface TxnRow {
  id: string;
  accountId: string;
  externalId: string;
  direction: 'OUT' | 'IN';
  amount: bigint;
  currency: string;
  description: string;
  merchant: string | null;
  category: string;
  occurredOn: string;
  pending: boolean;
  pendingExternalId: string | null;
}

/**
 * The sync lock of one item: a session-level advisory lock on the connection that writes the
 * sync. PostgreSQL drops it when that connection ends, so a gateway killed mid-sync leaves no
 * lock behind for the next one to wait out.
 */
export function tryLockItem(itemId: string): Bound {
  return { text: `select pg_try_advisory_lock(hashtextextended($1, 0)) as "locked"`, values: [`link-sync:${itemId}`] };
}

export function unlockItem(itemId: string): Bound {
  return { text: `select pg_advisory_unlock(hashtextextended($1, 0))`, values: [`link-sync:${itemId}`] };
}

/** What a sync of the item starts from: a row only while it is ACTIVE with a token. */
export function selectSyncable(itemId: string): Bound {
  return {
    text: `select "cursor", "access_token_sealed", "user_id" from "linked_item" where "id" = $1 and "status" = 'ACTIVE' and "access_token_sealed" is not null`,
    values: [itemId],
  };
}

/** The whole sync committed: only now does the stored cursor move. */
export function commitCursor(itemId: string, cursor: string, at: Date): Bound {
  return {
    text: `update "linked_item" set "cursor" = $2, "last_synced_at" = $3, "updated_at" = $3 where "id" = $1`,
    values: [itemId, cursor, at],
  };
}

export function markLoginRequired(itemId: string, at: Date): Bound {
  return { text: `update "linked_item" set "status" = 'LOGIN_REQUIRED', "updated_at" = $2 where "id" = $1`, values: [itemId, at] };
}

export function upsertTransactions(userId: string, rows: TxnRow[], at: Date): Bound {
  const col = <T>(pick: (r: TxnRow) => T) => rows.map(pick);
  return {
    text: `insert into "linked_transaction" ("id", "created_at", "updated_at", "user_id", "account_id", "external_id", "direction", "amount", "currency",
        "description", "merchant", "category", "occurred_on", "pending", "pending_external_id")
      select v.id, $1, $1, $2, v.account_id, v.external_id, v.direction::transaction_direction, v.amount, v.currency, v.description, v.merchant,
        v.category::spending_category, v.occurred_on, v.pending, v.pending_external_id
      from unnest($3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::boolean[], $14::text[])
        as v(id, account_id, external_id, direction, amount, currency, description, merchant, category, occurred_on, pending, pending_external_id)
      on conflict ("account_id", "external_id") do update set "direction" = excluded."direction", "amount" = excluded."amount", "currency" = excluded."currency",
        "description" = excluded."description", "merchant" = excluded."merchant", "category" = excluded."category", "occurred_on" = excluded."occurred_on",
        "pending" = excluded."pending", "pending_external_id" = excluded."pending_external_id", "updated_at" = excluded."updated_at"`,
    values: [
      at,
      userId,
      col((r) => r.id),
      col((r) => r.accountId),
      col((r) => r.externalId),
      col((r) => r.direction),
      col((r) => r.amount.toString()),
      col((r) => r.currency),
      col((r) => r.description),
      col((r) => r.merchant),
      col((r) => r.category),
      col((r) => r.occurredOn),
      col((r) => r.pending),
      col((r) => r.pendingExternalId),
    ],
  };
}

/** A posted transaction replaces its pending one: the user's category and jar move to it, then the pending row goes. */
export function carryEditsFromPending(accountIds: string[], externalIds: string[]): Bound {
  return {
    text: `update "transaction_edit" e set "transaction_id" = n."id"
      from "linked_transaction" n join "linked_transaction" p on p."account_id" = n."account_id" and p."external_id" = n."pending_external_id"
      where n."account_id" = any($1::uuid[]) and n."external_id" = any($2::text[]) and e."transaction_id" = p."id" and e."user_id" = n."user_id"
        and not exists (select 1 from "transaction_edit" x where x."user_id" = n."user_id" and x."transaction_id" = n."id")`,
    values: [accountIds, externalIds],
  };
}

export function deleteReplacedPending(accountIds: string[], externalIds: string[]): Bound {
  return {
    text: `delete from "linked_transaction" p using "linked_transaction" n
      where n."account_id" = any($1::uuid[]) and n."external_id" = any($2::text[]) and p."account_id" = n."account_id" and p."external_id" = n."pending_external_id"`,
    values: [accountIds, externalIds],
  };
}

export function deleteRemoved(accountIds: string[], externalIds: string[]): Bound {
  return {
    text: `delete from "linked_transaction" where "account_id" = any($1::uuid[]) and "external_id" = any($2::text[])`,
    values: [accountIds, externalIds],
  };
}

export function updateBalance(accountId: string, balance: bigint | null): Bound {
  return { text: `update "linked_account" set "balance" = $2 where "id" = $1`, values: [accountId, balance === null ? null : balance.toString()] };
}

/** Items due a scheduled sync, oldest first. */
export function selectDueItems(before: Date, limit: number): Bound {
  return {
    text: `select "id" from "linked_item" where "status" = 'ACTIVE' and "access_token_sealed" is not null and ("last_synced_at" is null or "last_synced_at" < $1)
      order by "last_synced_at" nulls first limit $2`,
    values: [before, limit],
  };
}

/** A webhook id seen for the first time: a row back. */
export function recordWebhook(id: string, webhookId: string, itemExternalId: string, at: Date): Bound {
  return {
    text: `insert into "webhook_receipt" ("id", "created_at", "updated_at", "webhook_id", "item_external_id") values ($1, $2, $2, $3, $4)
      on conflict ("webhook_id") do nothing returning "id"`,
    values: [id, at, webhookId, itemExternalId],
  };
}
