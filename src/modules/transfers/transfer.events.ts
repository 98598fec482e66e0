import type { PgResult, Stmt } from '../../db/statement.js';
import type { Logger } from '../../shared/logger.js';
import { Topic, type LedgerEntryData, type TransferData } from '../../pubsub/topics.js';
import type { PubSub } from '../../pubsub/pubsub.js';
import type { EntryDirection } from './ledger-entry.entity.js';
import { entryView, type EntryRow, type LedgerEntryView } from './ledger.types.js';
import type { TransferOrigin, TransferStatus } from './transfer.entity.js';
import { transferView, type TransferRow, type TransferView } from './transfer.types.js';

/*
 * The pub/sub boundary, the only place TransferData and LedgerEntryData are made or read:
 * payloads travel as JSON (Redis), so bigint and Date go as strings here and nowhere else.
 */

/** A posting's rows, as the money transaction wrote them. */
export interface PostedRows {
  transfer: TransferRow;
  entries: EntryRow[];
  /** What the posting hook's statement returned, in the same transaction. */
  hookRows?: PgResult['rows'];
}

/** What a posting's commit writes, as a hook's statement needs it (it cannot read it back: the same statement writes it). */
export interface Posting {
  balances: readonly NewBalance[];
  /** The transfers posted. */
  transferIds: readonly string[];
}

/** An account's balance after a posting's entries, as the commit writes it. */
export interface NewBalance {
  accountId: string;
  balance: bigint;
}

/**
 * Another module's work in a posting's own transaction (built in app.ts, so transfers knows
 * no other module): one statement last in the commit's writes, given the new balances (the
 * writes go as one statement, in which it would read the old ones) and costing no round trip
 * of its own; then, after commit, what its rows mean.
 */
export interface PostingHook {
  statement(posting: Posting, at: Date): Stmt;
  /** After commit; a failure is logged by the caller and the posting stands. */
  afterCommit(rows: PgResult['rows']): Promise<void>;
}

/** The hook's statement for postings that move money (none for a replay or a proposal). */
export function hookStatements(hook: PostingHook | undefined, entries: readonly EntryRow[], at: Date): Stmt[] {
  return hook && entries.length > 0
    ? [hook.statement({ balances: newBalances(entries), transferIds: [...new Set(entries.map((e) => e.transferId))] }, at)]
    : [];
}

/** Each account's balance after its last entry (the highest seq). */
function newBalances(entries: readonly EntryRow[]): NewBalance[] {
  const last = new Map<string, EntryRow>();
  for (const e of entries) if ((last.get(e.accountId)?.seq ?? -1) < e.seq) last.set(e.accountId, e);
  return [...last.values()].map((e) => ({ accountId: e.accountId, balance: e.balanceAfter }));
}

/**
 * Several modules' hooks as one: their statements as the parts of one WITH (so the commit stays
 * one statement), each returned row tagged with its hook and carried as JSON (amounts in the
 * hooks' rows are text, or at most 10^15, so JSON numbers hold them exactly); after commit,
 * each hook gets its own rows. One hook is used as it is.
 */
export function combinePostingHooks(hooks: readonly PostingHook[]): PostingHook | undefined {
  if (hooks.length <= 1) return hooks[0];
  return {
    statement(posting, at) {
      const parts = hooks.map((h) => h.statement(posting, at));
      if (parts.some((part) => /^\s*with\b/i.test(part.sql))) throw new Error('combinePostingHooks: a hook statement with its own WITH cannot be combined');
      return {
        sql: `with ${parts.map((part, i) => `"h${i}" as (${part.sql})`).join(', ')} ${parts
          .map((_, i) => `select ${i} as "hook", row_to_json("h${i}") as "row" from "h${i}"`)
          .join(' union all ')}`,
        params: parts.flatMap((part) => part.params),
      };
    },
    async afterCommit(rows) {
      for (const [i, hook] of hooks.entries()) {
        const own = rows.filter((r) => r.hook === i).map((r) => r.row as Record<string, unknown>);
        if (own.length > 0) await hook.afterCommit(own);
      }
    },
  };
}

/** The hook statement's rows: it is the last write, so the commit's result is its. */
export function hookRowsOf(hook: Stmt[], committed: PgResult): PgResult['rows'] | undefined {
  return hook.length > 0 ? committed.rows : undefined;
}

/** After commit: the hook's reaction to what its statement read; the posting stands whatever it does. */
export async function afterPosting(deps: { postingHook?: PostingHook; logger: Logger }, posted: PostedRows): Promise<void> {
  if (!deps.postingHook || !posted.hookRows) return;
  try {
    await deps.postingHook.afterCommit(posted.hookRows);
  } catch (error) {
    deps.logger.error({ err: error, transferId: posted.transfer.id }, 'the posting hook failed after commit');
  }
}

/** After commit: each entry to its owner (system accounts have none), with its transfer. */
export async function publishPosted(pubsub: PubSub, posted: PostedRows): Promise<void> {
  const transfer = toTransferData(posted.transfer);
  for (const entry of posted.entries) {
    if (entry.userId === null) continue;
    await pubsub.publish(Topic.ACCOUNT_ACTIVITY, entry.userId, { userId: entry.userId, entry: toEntryData(entry), transfer });
  }
}

export function toTransferData(t: TransferRow): TransferData {
  return {
    id: t.id,
    status: t.status,
    origin: t.origin,
    amountMinor: t.amount.toString(),
    currency: t.currency,
    fromAccountId: t.fromAccountId,
    toAccountId: t.toAccountId,
    fromUserId: t.fromUserId,
    toUserId: t.toUserId,
    initiatorId: t.initiatorId,
    fromAccountNumber: t.fromAccountNumber,
    toAccountNumber: t.toAccountNumber,
    description: t.description,
    idempotencyKey: t.idempotencyKey,
    createdAt: t.createdAt.toISOString(),
    postedAt: t.postedAt?.toISOString() ?? null,
    expiresAt: t.expiresAt?.toISOString() ?? null,
  };
}

export function toEntryData(e: EntryRow): LedgerEntryData {
  return {
    id: e.id,
    accountId: e.accountId,
    transferId: e.transferId,
    seq: e.seq,
    direction: e.direction,
    amountMinor: e.amount.toString(),
    balanceAfterMinor: e.balanceAfter.toString(),
    currency: e.currency,
    description: e.description,
    postedAt: e.postedAt.toISOString(),
  };
}

/** An event's transfer as its viewer sees it (the agent's TransferProposed, account activity). */
export function viewOfTransferData(d: TransferData, viewerId: string, now: Date): TransferView {
  return transferView(rowOfTransferData(d), viewerId, now);
}

export function viewOfEntryData(d: LedgerEntryData, transfer?: TransferView): LedgerEntryView {
  return entryView(
    {
      id: d.id,
      accountId: d.accountId,
      transferId: d.transferId,
      seq: d.seq,
      direction: d.direction as EntryDirection,
      amount: BigInt(d.amountMinor),
      balanceAfter: BigInt(d.balanceAfterMinor),
      currency: d.currency,
      description: d.description,
      postedAt: new Date(d.postedAt),
    },
    transfer,
  );
}

function rowOfTransferData(d: TransferData): TransferRow {
  return {
    id: d.id,
    status: d.status as TransferStatus,
    origin: d.origin as TransferOrigin,
    amount: BigInt(d.amountMinor),
    currency: d.currency,
    fromAccountId: d.fromAccountId,
    toAccountId: d.toAccountId,
    fromUserId: d.fromUserId,
    toUserId: d.toUserId,
    initiatorId: d.initiatorId,
    fromAccountNumber: d.fromAccountNumber,
    toAccountNumber: d.toAccountNumber,
    description: d.description,
    idempotencyKey: d.idempotencyKey,
    createdAt: new Date(d.createdAt),
    postedAt: d.postedAt ? new Date(d.postedAt) : null,
    expiresAt: d.expiresAt ? new Date(d.expiresAt) : null,
  };
}
