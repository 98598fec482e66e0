import type { BudgetOverview } from '../../budget/budget.service.js';
import { SpendingCategory } from '../../cards/mcc.rules.js';
import type { Money } from '../../../shared/money.js';
import type { Tool } from './tool.js';

const MONTH = { type: 'string', pattern: '^\\d{4}-\\d{2}$' };
const CURRENCY = { type: 'string', pattern: '^[A-Z]{3}$' };

const amount = (m: Money) => ({ decimal: m.decimal, minor: m.minor.toString(), currency: m.currency });

/** The overview as the model reads it: exact amounts as decimal text plus minor-unit strings. */
export function overviewResult(o: BudgetOverview): Record<string, unknown> {
  return {
    month: o.month,
    currency: o.budget.currency,
    monthlyIncome: o.budget.monthlyIncome ? amount(o.budget.monthlyIncome) : null,
    allocatedBasisPoints: o.budget.allocatedBasisPoints,
    jars: o.jars.map((j) => ({
      id: j.jar.id,
      name: j.jar.name,
      allocationBasisPoints: j.jar.allocationBasisPoints,
      categories: j.jar.categories,
      allocated: amount(j.allocated),
      spent: amount(j.spent),
      remaining: amount(j.remaining),
    })),
  };
}

const budgetOverview: Tool = {
  definition: {
    name: 'budget_overview',
    description:
      "The user's budget: monthly income and currency, and each jar (envelope) with its share in basis points (10000 = 100%), its categories and, for a month (default: the current one in the user's time zone), what it was allocated, what was spent from it and what is left (negative when overspent).",
    parameters: { type: 'object', properties: { month: MONTH }, additionalProperties: false },
  },
  async execute(args, { services, auth }) {
    return overviewResult(await services.budget.overview(auth, args.month as string | undefined));
  },
};

const spendingInsights: Tool = {
  definition: {
    name: 'spending_insights',
    description:
      'One month of the user\'s spending from every source (month "YYYY-MM" in their time zone, default the current one; currency default the budget\'s): total spent and received, spending per category, per jar and per source (CARD, TRANSFER, MANUAL, LINKED), the change from the previous month, the five largest card payments, the fees due next month and computed observations.',
    parameters: { type: 'object', properties: { month: MONTH, currency: CURRENCY }, additionalProperties: false },
  },
  async execute(args, { services, auth }) {
    const month = (args.month as string | undefined) ?? (await services.budget.currentMonth(auth));
    const currency = (args.currency as string | undefined) ?? (await services.budget.budget(auth)).currency;
    const insights = await services.insights.spendingInsights(auth, month, currency);
    const largest = await services.insights.largestPayments(insights, 5);
    return {
      month: insights.month,
      currency: insights.currency,
      income: insights.income ? amount(insights.income) : null,
      totalSpent: amount(insights.totalSpent),
      totalReceived: amount(insights.totalReceived),
      changeFromPreviousMonth: amount(insights.changeFromPreviousMonth),
      byCategory: insights.byCategory.map((c) => ({ category: c.category, spent: amount(c.spent), payments: c.payments })),
      byJar: insights.byJar.map((j) => ({ name: j.jar.name, allocated: amount(j.allocated), spent: amount(j.spent), remaining: amount(j.remaining) })),
      bySource: insights.bySource.map((s) => ({ source: s.source, spent: amount(s.spent), transactions: s.transactions, mainCategory: s.mainCategory })),
      largestPayments: largest.map((p) => ({ merchant: p.merchant, category: p.category, amount: amount(p.amount), at: p.createdAt.toISOString() })),
      upcomingFees: insights.upcomingFees.map((f) => ({ name: f.name, dueOn: f.nextDueOn, amount: amount(f.amount) })),
      observations: insights.observations,
    };
  },
};

const setMonthlyIncome: Tool = {
  definition: {
    name: 'set_monthly_income',
    description:
      'Sets the user\'s monthly income (amountMinor: integer minor units as a string, e.g. "420000" for 4200.00 USD) and the budget currency (default: the budget\'s current one). Only when the user clearly asks for it.',
    parameters: {
      type: 'object',
      properties: { amountMinor: { type: 'string', pattern: '^[0-9]{1,16}$' }, currency: CURRENCY },
      required: ['amountMinor'],
      additionalProperties: false,
    },
  },
  async execute(args, { services, auth }) {
    const currency = (args.currency as string | undefined) ?? (await services.budget.budget(auth)).currency;
    await services.budget.setMonthlyIncome(auth, { amountMinor: BigInt(args.amountMinor as string), currency });
    return overviewResult(await services.budget.overview(auth));
  },
};

const createJar: Tool = {
  definition: {
    name: 'create_jar',
    description:
      'Creates a budget jar with a share of the monthly income in basis points (1000 = 10%) and optional spending categories whose card payments land in it. Fails with JAR_NAME_TAKEN, CATEGORY_TAKEN or BUDGET_OVER_ALLOCATED (the jars together hold at most 100%). Only when the user clearly asks for it.',
    parameters: {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 100 },
        allocationBasisPoints: { type: 'integer', minimum: 0, maximum: 10000 },
        categories: { type: 'array', items: { type: 'string', enum: Object.values(SpendingCategory) }, maxItems: 14 },
      },
      required: ['name', 'allocationBasisPoints'],
      additionalProperties: false,
    },
  },
  async execute(args, { services, auth }) {
    const jar = await services.budget.createJar(auth, {
      name: args.name as string,
      allocationBasisPoints: args.allocationBasisPoints as number,
      categories: (args.categories as SpendingCategory[] | undefined) ?? [],
    });
    return {
      created: { id: jar.id, name: jar.name, allocationBasisPoints: jar.allocationBasisPoints, categories: jar.categories },
      ...overviewResult(await services.budget.overview(auth)),
    };
  },
};

export const BUDGET_TOOLS: Tool[] = [budgetOverview, spendingInsights, setMonthlyIncome, createJar];
