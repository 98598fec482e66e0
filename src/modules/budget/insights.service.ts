import type { EntityManager } from '@mikro-orm/postgresql';
import { money, parseCurrency } from '../../shared/money.js';
import { pageSize } from '../../shared/pagination.js';
import { formatMonth, parseMonth } from '../../shared/calendar-input.js';
import { monthRange } from '../../shared/time-zone.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { CardPayment, CardPaymentStatus } from '../cards/card-payment.entity.js';
import { paymentView, rowOfPayment, type CardPaymentView } from '../cards/card.types.js';
import type { SpendingCategory } from '../cards/mcc.rules.js';
import { addMonths, observations } from './budget.rules.js';
import type { BudgetService } from './budget.service.js';
import { selectCategorySpent, selectJarSpent, selectReceived, spentByJar } from './budget.sql.js';
import { CategorySpend, jarSpends, type JarSpend, type SpendingInsightsView } from './budget.types.js';
import { Fee } from './fee.entity.js';
import { upcoming } from './fee.service.js';
import { ormSql } from '../../db/orm-sql.js';

type Rows = Array<Record<string, unknown>>;

/** The SQL statements of spendingInsights (largestPayments not asked for), whatever the number of payments. */
export const INSIGHTS_STATEMENTS = 7;

/**
 * One month of spending from the database: spendingInsights runs INSIGHTS_STATEMENTS (7)
 * statements whatever the number of payments — preferences, budget, jars (the budget's
 * facts), spent per jar, spent per category (this and the previous month), received, fees —
 * and largestPayments one more when asked for.
 */
export class SpendingInsightsService {
  constructor(
    private readonly em: EntityManager,
    private readonly budget: Pick<BudgetService, 'facts'>,
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
    const statements = [
      selectJarSpent(auth.userId, currency, from, to),
      selectCategorySpent(auth.userId, currency, previousFrom, from, to),
      selectReceived(auth.userId, currency, from, to),
    ];
    const [jarRows, categoryRows, receivedRows] = await Promise.all(statements.map((s) => ormSql(this.em, s.sql, s.params)));
    const fees = inBudget ? await this.em.find(Fee, { user: auth.userId, active: true, currency }) : [];

    const byJar: JarSpend[] = inBudget ? jarSpends(budget, jars, spentByJar(jarRows!)) : [];
    const categories = categoryTotals(categoryRows!);
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
      totalReceived: money(BigInt(receivedRows![0]!.received as string), currency),
      byCategory,
      byJar,
      changeFromPreviousMonth: money(totalSpent - previousSpent, currency),
      upcomingFees,
      observations: observations({
        currency,
        jars: byJar.map((j) => ({ name: j.jar.name, allocated: j.allocated.minor, spent: j.spent.minor })),
        categories,
        upcomingFees: upcomingFees.map((f) => ({ amount: f.amount.minor })),
      }),
      userId: auth.userId,
      from,
      to,
    };
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

function categoryTotals(rows: Rows): Array<{ category: SpendingCategory; spent: bigint; previous: bigint; payments: number }> {
  const map = new Map<SpendingCategory, { category: SpendingCategory; spent: bigint; previous: bigint; payments: number }>();
  for (const r of rows) {
    const category = r.category as SpendingCategory;
    const entry = map.get(category) ?? { category, spent: 0n, previous: 0n, payments: 0 };
    if (r.current) {
      entry.spent += BigInt(r.spent as string);
      entry.payments += r.payments as number;
    } else entry.previous += BigInt(r.spent as string);
    map.set(category, entry);
  }
  return [...map.values()].sort((a, b) => a.category.localeCompare(b.category));
}
