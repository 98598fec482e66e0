import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import type { PgPoolClient as PoolClient } from '../../db/pg.js';
import type { CoreDeps } from '../../deps.js';
import { Topic } from '../../pubsub/topics.js';
import { DomainError } from '../../shared/errors.js';
import type { Bound } from '../transactions/bound.js';
import { AggregatorError, type AggregatorTransaction, type SyncPage } from './aggregator.js';
import { linkedCategory } from './category.rules.js';
import { LinkedAccount } from './linked-account.entity.js';
import { linkedAccountData } from './linking.events.js';
import { LinkedAccountEventKind } from './linking.enums.js';
import type { LinkingRuntime } from './linking.runtime.js';
import {
  carryEditsFromPending,
  commitCursor,
  deleteRemoved,
  deleteReplacedPending,
  markLoginRequired,
  selectSyncable,
  tryLockItem,
  unlockItem,
  updateBalance,
  upsertTransactions,
  type TxnRow,
} from './linking.sql.js';

export interface SyncCounts {
  added: number;
  modified: number;
  removed: number;
}

const PAGE_SIZE = 500;
/** Restarts after "mutation during pagination" before the sync gives up for now. */
const RESTARTS = 3;

/**
 * One linked item's sync, Plaid's /transactions/sync way: pages from the last committed
 * cursor, each page written in one transaction with multi-row statements, the cursor stored
 * only when the whole sync committed. A page applied twice (a restart mid-sync) changes
 * nothing: rows are upserted by the bank's id. One instance of the fleet syncs an item at a
 * time: the sync holds the item's advisory lock on the connection it writes with, which
 * PostgreSQL lets go when that connection ends, a killed process's included.
 */
export class LinkSyncService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock' | 'moneyPool' | 'logger' | 'pubsub'>,
    private readonly runtime: Pick<LinkingRuntime, 'aggregator' | 'cipher' | 'syncing'>,
  ) {}

  /** Null when another sync holds the item (or it is not ACTIVE); LINK_LOGIN_REQUIRED and AGGREGATOR_UNAVAILABLE as DomainErrors. */
  async syncItem(itemId: string): Promise<SyncCounts | null> {
    // In-process first: the embedded database serves every connection from one session, where advisory locks do not exclude.
    if (this.runtime.syncing.has(itemId)) return null;
    this.runtime.syncing.add(itemId);
    let client: PoolClient | undefined;
    let broken: Error | undefined;
    try {
      client = await this.deps.moneyPool.connect();
      if (!(await query(client, tryLockItem(itemId)))[0]?.locked) return null;
      try {
        return await this.syncLocked(client, itemId);
      } finally {
        await query(client, unlockItem(itemId)).catch((error: Error) => (broken = error));
      }
    } finally {
      // A connection that may still hold the lock is closed, never pooled.
      client?.release(broken);
      this.runtime.syncing.delete(itemId);
    }
  }

  private async syncLocked(client: PoolClient, itemId: string): Promise<SyncCounts | null> {
    const claimed = (await query(client, selectSyncable(itemId)))[0];
    if (!claimed) return null;
    const userId = claimed.user_id as string;
    const accessToken = this.runtime.cipher.open(claimed.access_token_sealed as string, itemId);
    const accounts = await this.em.find(LinkedAccount, { item: itemId }, { refresh: true });
    const accountIds = new Map(accounts.filter((a) => !a.disconnected).map((a) => [a.externalId, a]));
    const counts: SyncCounts = { added: 0, modified: 0, removed: 0 };
    try {
      let cursor = claimed.cursor as string;
      for (let restarts = 0; ;) {
        try {
          // The next page is asked for while this one is written: the aggregator's latency overlaps the commit.
          // Pages are still applied in order, each in its own transaction; the cursor is stored only at the end.
          let page: SyncPage | null = await this.runtime.aggregator.sync(accessToken, cursor, PAGE_SIZE);
          while (page) {
            const next: Promise<SyncPage> | null = page.hasMore ? this.runtime.aggregator.sync(accessToken, page.nextCursor, PAGE_SIZE) : null;
            next?.catch(() => undefined);
            await this.applyPage(client, userId, accountIds, page, counts);
            cursor = page.nextCursor;
            page = next ? await next : null;
          }
          break;
        } catch (error) {
          if (!(error instanceof AggregatorError && error.kind === 'MUTATION_DURING_PAGINATION') || ++restarts > RESTARTS) throw error;
          cursor = claimed.cursor as string;
        }
      }
      await this.refreshBalances(client, accessToken, accountIds);
      await query(client, commitCursor(itemId, cursor, this.deps.clock.now()));
    } catch (error) {
      if (error instanceof AggregatorError && error.kind === 'LOGIN_REQUIRED') {
        await query(client, markLoginRequired(itemId, this.deps.clock.now()));
        await this.announce(userId, accounts, LinkedAccountEventKind.LOGIN_REQUIRED, null);
        throw new DomainError('LINK_LOGIN_REQUIRED', 'The bank wants you to sign in again: relink the account with startAccountLink(relinkAccountId)');
      }
      if (error instanceof AggregatorError)
        throw new DomainError('AGGREGATOR_UNAVAILABLE', 'The bank-data aggregator did not answer: the account will sync later');
      throw error;
    }
    await this.announce(userId, accounts, LinkedAccountEventKind.SYNCED, counts);
    return counts;
  }

  /** Publishes one event per connected account of the item. */
  async announce(userId: string, accounts: LinkedAccount[], kind: LinkedAccountEventKind, sync: SyncCounts | null): Promise<void> {
    const fresh = await this.em.find(LinkedAccount, { id: { $in: accounts.map((a) => a.id) } }, { refresh: true, populate: ['item'] });
    for (const account of fresh.filter((a) => !a.disconnected)) {
      await this.deps.pubsub.publish(Topic.LINKED_ACCOUNT, userId, { userId, kind, account: linkedAccountData(account), sync });
    }
  }

  /** One page, one transaction: upserts, the pending rows replaced by posted ones (their edits carried over), removals. */
  private async applyPage(client: PoolClient, userId: string, accounts: Map<string, LinkedAccount>, page: SyncPage, counts: SyncCounts): Promise<void> {
    const rows = [...page.added, ...page.modified].flatMap((t) => this.rowOf(t, accounts));
    const ids = [...accounts.values()].map((a) => a.id);
    const statements: Bound[] = [];
    if (rows.length > 0) statements.push(upsertTransactions(userId, rows, this.deps.clock.now()));
    // Only a posted row that names its pending one replaces it: most pages have none, and skip two statements.
    const posted = rows.filter((r) => r.pendingExternalId !== null).map((r) => r.externalId);
    if (posted.length > 0) statements.push(carryEditsFromPending(ids, posted), deleteReplacedPending(ids, posted));
    if (page.removed.length > 0) statements.push(deleteRemoved(ids, page.removed));
    try {
      await client.query('begin');
      for (const s of statements) await client.query(s.text, s.values);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    }
    counts.added += page.added.length;
    counts.modified += page.modified.length;
    counts.removed += page.removed.length;
  }

  private rowOf(t: AggregatorTransaction, accounts: Map<string, LinkedAccount>): TxnRow[] {
    const account = accounts.get(t.accountExternalId);
    if (!account || t.amountMinor === 0n) return [];
    return [
      {
        id: uuidv7(),
        accountId: account.id,
        externalId: t.externalId,
        direction: t.amountMinor > 0n ? 'OUT' : 'IN',
        amount: t.amountMinor > 0n ? t.amountMinor : -t.amountMinor,
        currency: t.currency,
        description: (t.merchant ?? t.name).slice(0, 200),
        merchant: t.merchant,
        category: linkedCategory(t.category, t.mcc),
        occurredOn: t.date,
        pending: t.pending,
        pendingExternalId: t.pendingExternalId,
      },
    ];
  }

  private async refreshBalances(client: PoolClient, accessToken: string, accounts: Map<string, LinkedAccount>): Promise<void> {
    for (const remote of await this.runtime.aggregator.accounts(accessToken)) {
      const local = accounts.get(remote.externalId);
      if (local) await query(client, updateBalance(local.id, remote.balanceMinor));
    }
  }
}

async function query(client: PoolClient, statement: Bound): Promise<Array<Record<string, unknown>>> {
  return (await client.query(statement.text, statement.values)).rows as Array<Record<string, unknown>>;
}
