import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { filterIterator } from '../../pubsub/filter.js';
import { Topic, type AccountActivityPayload } from '../../pubsub/topics.js';
import type { CoreDeps } from '../../deps.js';
import { notFound } from '../../shared/errors.js';
import { formatMonth, parseMonth } from '../../shared/calendar-input.js';
import { money } from '../../shared/money.js';
import { loadWindowPages } from '../../db/window-pages.js';
import { pageSize, seqCursor, toPage, type Page } from '../../shared/pagination.js';
import type { AccountView } from '../accounts/account.types.js';
import type { AccountService } from '../accounts/account.service.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { viewOfEntryData, viewOfTransferData } from './transfer.events.js';
import { LedgerEntry } from './ledger-entry.entity.js';
import { entryRow, entryView, type LedgerEntryView, type Statement } from './ledger.types.js';
import { ormSql } from '../../db/orm-sql.js';

type LedgerDeps = Pick<CoreDeps, 'clock' | 'pubsub'>;

/** Reading history: entry pages, monthly statements, live activity. Writing is the transfer service's. */
export class LedgerService {
  /** Per operation, one loader per page shape: every account's page in one statement. */
  private readonly entryLoaders = new Map<string, DataLoader<AccountView, Page<LedgerEntryView>, string>>();

  constructor(
    private readonly em: EntityManager,
    private readonly deps: LedgerDeps,
    private readonly accounts: AccountService,
  ) {}

  /** Newest first by the account's entry seq: keyset paging, so new entries never shift a page. */
  entries(auth: AuthInfo, account: AccountView, first: number | null | undefined, after: string | null | undefined): Promise<Page<LedgerEntryView>> {
    if (account.ownerId !== auth.userId) throw notFound('Account');
    const limit = pageSize(first);
    const beforeSeq = seqCursor(after);
    const key = `${limit}:${beforeSeq ?? ''}`;
    let loader = this.entryLoaders.get(key);
    if (!loader) {
      loader = new DataLoader((accounts: readonly AccountView[]) => this.entryPages(accounts, limit, beforeSeq), { cacheKeyFn: (a) => a.id });
      this.entryLoaders.set(key, loader);
    }
    return loader.load(account);
  }

  /**
   * Pages of many accounts' entries in one statement (a window keeps `limit + 1` rows per
   * account); the total is the account's entrySeq, which always equals its entry count.
   */
  private async entryPages(accounts: readonly AccountView[], limit: number, beforeSeq: number | null): Promise<Array<Page<LedgerEntryView>>> {
    const byAccount = await loadWindowPages({
      em: this.em,
      entity: LedgerEntry,
      table: 'ledger_entry',
      parentColumn: 'account_id',
      parentIds: accounts.map((a) => a.id),
      order: { column: 'seq', direction: 'desc' },
      bounds: { below: beforeSeq },
      limit: limit + 1,
    });
    return accounts.map((a) =>
      toPage(
        (byAccount.get(a.id) ?? []).map((e) => entryView(entryRow(e))),
        limit,
        (e) => [e.seq],
        a.entrySeq,
        { forward: true, hadCursor: beforeSeq !== null },
      ),
    );
  }

  /** month is YYYY-MM (UTC). Opening and closing come from balanceAfter, so the months chain. */
  async statement(auth: AuthInfo, account: AccountView, month: string): Promise<Statement> {
    if (account.ownerId !== auth.userId) throw notFound('Account');
    const { year, month: monthNumber } = parseMonth(month);
    const from = new Date(Date.UTC(year, monthNumber - 1, 1));
    const to = new Date(Date.UTC(year, monthNumber, 1));
    const [row] = await ormSql<{ opening: string | null; closing: string | null; credits: string; debits: string; n: string }>(
      this.em,
      `select
         (select "balance_after" from "ledger_entry" where "account_id" = ? and "posted_at" < ? order by "seq" desc limit 1) as "opening",
         (select "balance_after" from "ledger_entry" where "account_id" = ? and "posted_at" >= ? and "posted_at" < ? order by "seq" desc limit 1) as "closing",
         coalesce(sum("amount") filter (where "direction" = 'CREDIT'), 0)::text as "credits",
         coalesce(sum("amount") filter (where "direction" = 'DEBIT'), 0)::text as "debits",
         count(*)::text as "n"
       from "ledger_entry" where "account_id" = ? and "posted_at" >= ? and "posted_at" < ?`,
      [account.id, from, account.id, from, to, account.id, from, to],
    );
    const opening = BigInt(row?.opening ?? 0);
    const closing = row?.closing === null || row?.closing === undefined ? opening : BigInt(row.closing);
    return {
      accountId: account.id,
      month: formatMonth({ year, month: monthNumber }),
      openingBalance: money(opening, account.currency),
      closingBalance: money(closing, account.currency),
      totalCredits: money(BigInt(row?.credits ?? 0), account.currency),
      totalDebits: money(BigInt(row?.debits ?? 0), account.currency),
      entryCount: Number(row?.n ?? 0),
      ownerId: account.ownerId,
      from,
      to,
    };
  }

  statementEntries(auth: AuthInfo, statement: Statement, first: number | null | undefined, after: string | null | undefined): Promise<Page<LedgerEntryView>> {
    if (statement.ownerId !== auth.userId) throw notFound('Account');
    return this.page(statement.accountId, { postedAt: { $gte: statement.from, $lt: statement.to } }, pageSize(first, 'first', 50), after);
  }

  /**
   * Entries posted on the caller's accounts (or one of them). The topic is keyed by owner,
   * so ownership holds without a query per event; the account filter is in memory.
   */
  async watchActivity(auth: AuthInfo, accountId: string | null | undefined): Promise<AsyncIterableIterator<AccountActivityPayload>> {
    const account = accountId ? await this.accounts.get(auth, accountId) : null;
    const events = this.deps.pubsub.subscribe(Topic.ACCOUNT_ACTIVITY, auth.userId);
    return account ? filterIterator(events, (e) => e.entry.accountId === account.id) : events;
  }

  /** Renders an event for its recipient (the topic key is the owner, so this is them). */
  activityView(payload: AccountActivityPayload): LedgerEntryView {
    return viewOfEntryData(payload.entry, viewOfTransferData(payload.transfer, payload.userId, this.deps.clock.now()));
  }

  private async page(accountId: string, extra: Record<string, unknown>, limit: number, after: string | null | undefined): Promise<Page<LedgerEntryView>> {
    const beforeSeq = seqCursor(after);
    const where = { account: accountId, ...extra };
    const [rows, total] = await Promise.all([
      this.em.find(LedgerEntry, beforeSeq !== null ? { ...where, seq: { $lt: beforeSeq } } : where, {
        orderBy: { seq: 'desc' },
        limit: limit + 1,
      }),
      this.em.count(LedgerEntry, where),
    ]);
    const views = rows.map((e) => entryView(entryRow(e)));
    return toPage(views, limit, (e) => [e.seq], total, { forward: true, hadCursor: beforeSeq !== null });
  }
}
