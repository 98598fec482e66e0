import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { CoreDeps } from '../../deps.js';
import { parseMonth } from '../../shared/calendar-input.js';
import { notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { pageSize, timeIdCursor, toPage, type Page } from '../../shared/pagination.js';
import { monthRange } from '../../shared/time-zone.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { CardPayment } from '../cards/card-payment.entity.js';
import { paymentView, rowOfPayment, type CardPaymentView } from '../cards/card.types.js';
import type { SpendingCategory } from '../cards/mcc.rules.js';
import type { PreferencesService } from '../preferences/preferences.service.js';
import type { Bound } from './bound.js';
import { selectByIds, selectFeedPage, selectFilterOwnership, selectFeedReceived, selectFeedSpent, selectLargest, type FeedFilter } from './feed.sql.js';
import type { TransactionFilter } from './transaction.inputs.js';
import type { TransactionSource } from './transaction.enums.js';
import { transactionOfRow, type TransactionView } from './transaction.types.js';

type Rows = Array<Record<string, unknown>>;

/** One group of a month's spending: its jar, category and source, and whether it falls in the month asked (else the one before). */
export interface SpentRow {
  jarId: string | null;
  category: SpendingCategory;
  source: TransactionSource;
  current: boolean;
  spent: bigint;
  transactions: number;
}

/** A range of the feed in one currency: [from, to) in the user's time zone. */
export interface FeedRange {
  userId: string;
  timeZone: string;
  currency: string;
  from: Date;
  to: Date;
}

/**
 * The one transaction feed (feed.sql.ts) as budgets, insights, the agent and the API read it.
 * Every read is one statement, bound on the project's own pg pool, whatever the feed's size.
 */
export class TransactionFeed {
  /** Keyed by "userId|timeZone|id": one statement per user in a batch. */
  private readonly byId = new DataLoader<string, TransactionView | null>(async (keys) => {
    const groups = new Map<string, string[]>();
    for (const key of keys) {
      const cut = key.lastIndexOf('|');
      groups.set(key.slice(0, cut), [...(groups.get(key.slice(0, cut)) ?? []), key.slice(cut + 1)]);
    }
    const found = new Map<string, TransactionView>();
    for (const [owner, ids] of groups) {
      const [userId, timeZone] = owner.split('|') as [string, string];
      for (const row of await this.run(selectByIds(userId, timeZone, ids))) found.set(`${owner}|${row.id as string}`, transactionOfRow(row));
    }
    return keys.map((key) => found.get(key) ?? null);
  });

  private readonly payments = new DataLoader<string, CardPayment | null>(async (ids) => {
    const rows = await this.em.find(CardPayment, { id: { $in: [...ids] } });
    const map = new Map(rows.map((p) => [p.id, p]));
    return ids.map((id) => map.get(id) ?? null);
  });

  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'moneyPool'>,
    private readonly preferences: Pick<PreferencesService, 'get'>,
  ) {}

  async timeZoneOf(userId: string): Promise<string> {
    return (await this.preferences.get(userId)).timeZone;
  }

  /** `transactions`: newest first, keyset-paged on (moment, id). */
  async page(auth: AuthInfo, filter: TransactionFilter | null, first: number | null, after: string | null): Promise<Page<TransactionView>> {
    const limit = pageSize(first);
    const cursor = timeIdCursor(after);
    const timeZone = await this.timeZoneOf(auth.userId);
    const f = feedFilter(filter, timeZone);
    if (f === null) throw notFound(filter?.linkedAccountId && !isUuid(filter.linkedAccountId) ? 'Linked account' : 'Account');
    if (f.accountId || f.linkedAccountId) {
      // Another user's account filters nothing of the caller's: NOT_FOUND, as for a missing one.
      const [own] = await this.run(selectFilterOwnership(auth.userId, f.accountId ?? null, f.linkedAccountId ?? null));
      if (!own?.account) throw notFound('Account');
      if (!own.linked) throw notFound('Linked account');
    }
    return this.pageOf(auth.userId, timeZone, f, cursor, limit);
  }

  /** A page of a filter the caller built (a jar's month, say). */
  async pageOf(userId: string, timeZone: string, f: FeedFilter, cursor: { at: Date; id: string } | null, limit: number): Promise<Page<TransactionView>> {
    const rows = await this.run(selectFeedPage(userId, timeZone, f, cursor, limit));
    const total = (rows[0]?.total as number | undefined) ?? 0;
    return toPage(rows.map(transactionOfRow), limit, (t) => [t.at.toISOString(), t.id], total, { forward: true, hadCursor: cursor !== null });
  }

  /** One of the caller's transactions; another user's id is NOT_FOUND like a missing one. Batched. */
  async get(auth: AuthInfo, id: string): Promise<TransactionView> {
    const tx = isUuid(id) ? await this.byId.load(`${auth.userId}|${await this.timeZoneOf(auth.userId)}|${id.toLowerCase()}`) : null;
    if (!tx) throw notFound('Transaction');
    return tx;
  }

  /** After a write: the next get reads the row again. */
  forget(): void {
    this.byId.clearAll();
  }

  /** Spending grouped by jar, category, source and month: `current` is [split, to), the rest [from, split). One statement. */
  async spent(range: FeedRange, split: Date): Promise<SpentRow[]> {
    const rows = await this.run(selectFeedSpent(range.userId, range.timeZone, range, split));
    return rows.map((r) => ({
      jarId: (r.jar_id as string | null) ?? null,
      category: r.category as SpendingCategory,
      source: r.source as TransactionSource,
      current: r.current as boolean,
      spent: BigInt(r.spent as string),
      transactions: r.transactions as number,
    }));
  }

  /** Spent per jar in the range: one statement. */
  async spentByJar(range: FeedRange): Promise<Map<string, bigint>> {
    const byJar = new Map<string, bigint>();
    for (const r of await this.spent(range, range.from)) if (r.jarId) byJar.set(r.jarId, (byJar.get(r.jarId) ?? 0n) + r.spent);
    return byJar;
  }

  /** Income in the range: one statement. */
  async received(range: FeedRange): Promise<bigint> {
    const rows = await this.run(selectFeedReceived(range.userId, range.timeZone, range));
    return BigInt(rows[0]!.received as string);
  }

  /** The largest spendings in the range, largest first: one statement. */
  async largest(range: FeedRange, limit: number): Promise<TransactionView[]> {
    return (await this.run(selectLargest(range.userId, range.timeZone, range, limit))).map(transactionOfRow);
  }

  /** Transaction.cardPayment: batched. */
  async cardPayment(tx: TransactionView): Promise<CardPaymentView | null> {
    const payment = tx.cardPaymentId ? await this.payments.load(tx.cardPaymentId) : null;
    return payment ? paymentView(rowOfPayment(payment)) : null;
  }

  private async run(statement: Bound): Promise<Rows> {
    return (await this.deps.moneyPool.query(statement.text, statement.values)).rows as Rows;
  }
}

/** The API's filter as the feed's; null when it can match nothing (an id that is no id). */
function feedFilter(filter: TransactionFilter | null, timeZone: string): FeedFilter | null {
  const f: FeedFilter = {};
  if (!filter) return f;
  if (filter.month !== null && filter.month !== undefined) {
    const m = parseMonth(filter.month, 'filter.month');
    Object.assign(f, monthRange(m.year, m.month, timeZone));
  }
  if (filter.source) f.source = filter.source;
  if (filter.category) f.category = filter.category;
  if (filter.search) f.search = filter.search;
  if (filter.accountId) {
    if (!isUuid(filter.accountId)) return null;
    f.accountId = filter.accountId.toLowerCase();
  }
  if (filter.linkedAccountId) {
    if (!isUuid(filter.linkedAccountId)) return null;
    f.linkedAccountId = filter.linkedAccountId.toLowerCase();
  }
  return f;
}
