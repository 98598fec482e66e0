import type { PgResult, Stmt } from '../../db/pg.js';
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
  /** What each posting hook's statement returned, in the same transaction, in the hooks' order. */
  hookRows?: Array<PgResult['rows']>;
}

/**
 * Another module's work in a posting's own transaction (built in app.ts, so transfers knows
 * no other module): one statement last in the commit round trip, which sees the new balances
 * and costs no round trip of its own; then, after commit, what its rows mean.
 */
export interface PostingHook {
  statement(accountIds: readonly string[], at: Date): Stmt;
  /** After commit; a failure is logged by the caller and the posting stands. */
  afterCommit(rows: PgResult['rows']): Promise<void>;
}

/** Each hook's statement for postings that move money (none for a replay or a proposal). */
export function hookStatements(hooks: readonly PostingHook[] | undefined, entries: readonly EntryRow[], at: Date): Stmt[] {
  if (!hooks || entries.length === 0) return [];
  const accountIds = [...new Set(entries.map((e) => e.accountId))];
  return hooks.map((hook) => hook.statement(accountIds, at));
}

/** The hook statements' rows: they are sent last, so theirs are the last results of `results`. */
export function hookRowsOf(hook: Stmt[], results: PgResult[], end = results.length): Array<PgResult['rows']> | undefined {
  return hook.length > 0 ? results.slice(end - hook.length, end).map((r) => r.rows) : undefined;
}

/** After commit: each hook's reaction to what its statement read; the posting stands whatever they do. */
export async function afterPosting(deps: { postingHooks?: readonly PostingHook[]; logger: Logger }, posted: PostedRows): Promise<void> {
  if (!deps.postingHooks || !posted.hookRows) return;
  for (const [i, hook] of deps.postingHooks.entries()) {
    try {
      await hook.afterCommit(posted.hookRows[i] ?? []);
    } catch (error) {
      deps.logger.error({ err: error, transferId: posted.transfer.id }, 'a posting hook failed after commit');
    }
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
