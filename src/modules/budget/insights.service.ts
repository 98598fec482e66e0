import type { EntityManager } from '@mikro-orm/postgresql';
import { money, parseCurrency } from '../../shared/money.js';
import { pageSize } from '../../shared/pagination.js';
import { formatMonth, parseMonth } from '../../shared/calendar-input.js';
import { monthRange } from '../../shared/time-zone.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { CardPayment, CardPaymentStatus } from '../cards/card-payment.entity.js';
import { paymentView, rowOfPayment, type CardPaymentView } from '../cards/card.types.js';
import type { SpendingCategory } from '../cards/mcc.rules.js';
import type { SpentRow, TransactionFeed } from '../transactions/feed.service.js';
import { TransactionSource } from '../transactions/transaction.enums.js';
import type { SourceSpend, TransactionView } from '../transactions/transaction.types.js';
import { addMonths, observations } from './budget.rules.js';
import type { BudgetService } from './budget.service.js';
import { CategorySpend, jarSpends, type JarSpend, type SpendingInsightsView } from './budget.types.js';
import { Fee } from './fee.entity.js';
import { upcoming } from './fee.service.js';

/** The SQL statements of spendingInsights (largestPayments and largestTransactions not asked for), whatever the number of transactions. */
export const INSIGHTS_STATEMENTS = 6;

/**
 * One month of spending from the transaction feed, every source: spendingInsights runs
 * INSIGHTS_STATEMENTS (6) statements whatever the number of transactions — preferences,
 * budget, jars (the budget's facts), spent per jar, category and source (this and the
 * previous month, one statement), received, fees — and each largest list one more when asked for.
 */
export class SpendingInsightsService {
  constructor(
    private readonly em: EntityManager,
    private readonly budget: Pick<BudgetService, 'facts'>,
    private readonly feed: Pick<TransactionFeed, 'spent' | 'received' | 'largest'>,
  ) {}

  /** INSIGHTS_STATEMENTS statements: see the class comment. */
  async spendingInsights(auth: AuthInfo, month: string, currencyCode: string): Promise<SpendingInsightsView> {
    const m = parseMonth(month);
    const currency = parseCurrency(currencyCode);
    const { timeZone, budget, jars } = await this.budget.facts(auth);
    const { from, to } = monthRange(m.year, m.month, timeZone);
    const previous = addMonths(m, -1);
    const previousFrom = monthRange(previous.year, previous.month, timeZone).from;
    const inBudget = budget.currency === currency;
    const [spentRows, received] = await Promise.all([
      this.feed.spent({ userId: auth.userId, timeZone, currency, from: previousFrom, to }, from),
      this.feed.received({ userId: auth.userId, timeZone, currency, from, to }),
    ]);
    const fees = inBudget ? await this.em.find(Fee, { user: auth.userId, active: true, currency }) : [];

    const current = spentRows.filter((r) => r.current);
    const byJar: JarSpend[] = inBudget
      ? jarSpends(
          budget,
          jars,
          sumBy(current, (r) => r.jarId),
        )
      : [];
    const categories = categoryTotals(spentRows);
    const byCategory = categories
      .filter((c) => c.payments > 0)
      .sort((a, b) => (b.spent > a.spent ? 1 : b.spent < a.spent ? -1 : a.category.localeCompare(b.category)))
      .map((c) => Object.assign(new CategorySpend(), { category: c.category, spent: money(c.spent, currency), payments: c.payments }));
    const totalSpent = categories.reduce((sum, c) => sum + c.spent, 0n);
    const previousSpent = categories.reduce((sum, c) => sum + c.previous, 0n);
    const upcomingFees = upcoming(fees, addMonths(m, 1));
    return {
      month: formatMonth(m),
      currency,
      income: inBudget && budget.monthlyIncome !== null ? money(budget.monthlyIncome, currency) : null,
      totalSpent: money(totalSpent, currency),
      totalReceived: money(received, currency),
      byCategory,
      byJar,
      bySource: sourceTotals(current, currency),
      changeFromPreviousMonth: money(totalSpent - previousSpent, currency),
      upcomingFees,
      observations: observations({
        currency,
        jars: byJar.map((j) => ({ name: j.jar.name, allocated: j.allocated.minor, spent: j.spent.minor })),
        categories,
        upcomingFees: upcomingFees.map((f) => ({ amount: f.amount.minor })),
      }),
      userId: auth.userId,
      timeZone,
      from,
      to,
    };
  }

  /** SpendingInsights.largestTransactions: every source, one statement. */
  largestTransactions(insights: SpendingInsightsView, first: number | null): Promise<TransactionView[]> {
    const limit = pageSize(first, 'first', 5);
    return this.feed.largest(
      { userId: insights.userId, timeZone: insights.timeZone, currency: insights.currency, from: insights.from, to: insights.to },
      limit,
    );
  }

  /** SpendingInsights.largestPayments: one statement. */
  async largestPayments(insights: SpendingInsightsView, first: number | null): Promise<CardPaymentView[]> {
    const limit = pageSize(first, 'first', 5);
    const rows = await this.em.find(
      CardPayment,
      { user: insights.userId, status: CardPaymentStatus.APPROVED, currency: insights.currency, createdAt: { $gte: insights.from, $lt: insights.to } },
      { orderBy: { amount: 'desc', createdAt: 'desc', id: 'desc' }, limit },
    );
    return rows.map((p) => paymentView(rowOfPayment(p)));
  }
}

function categoryTotals(rows: SpentRow[]): Array<{ category: SpendingCategory; spent: bigint; previous: bigint; payments: number }> {
  const map = new Map<SpendingCategory, { category: SpendingCategory; spent: bigint; previous: bigint; payments: number }>();
  for (const r of rows) {
    const entry = map.get(r.category) ?? { category: r.category, spent: 0n, previous: 0n, payments: 0 };
    if (r.current) {
      entry.spent += r.spent;
      entry.payments += r.transactions;
    } else entry.previous += r.spent;
    map.set(r.category, entry);
  }
  return [...map.values()].sort((a, b) => a.category.localeCompare(b.category));
}

function sumBy(rows: SpentRow[], key: (r: SpentRow) => string | null): Map<string, bigint> {
  const sums = new Map<string, bigint>();
  for (const r of rows) {
    const k = key(r);
    if (k !== null) sums.set(k, (sums.get(k) ?? 0n) + r.spent);
  }
  return sums;
}

/** Every source, in the enum's order, with what it added (zero included) and the category most of it went on. */
function sourceTotals(rows: SpentRow[], currency: string): SourceSpend[] {
  return Object.values(TransactionSource).map((source) => {
    const of = rows.filter((r) => r.source === source);
    const main = categoryTotals(of).sort((a, b) => (b.spent > a.spent ? 1 : b.spent < a.spent ? -1 : 0))[0];
    return {
      source,
      spent: money(
        of.reduce((sum, r) => sum + r.spent, 0n),
        currency,
      ),
      transactions: of.reduce((n, r) => n + r.transactions, 0),
      mainCategory: main && main.spent > 0n ? main.category : null,
    };
  });
}
