import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Money, money } from '../../shared/money.js';
import { SpendingCategory } from '../cards/mcc.rules.js';
import { SourceSpend } from '../transactions/transaction.types.js';
import { allocationsOf, budgetFacts, type BudgetFacts } from './budget.rules.js';
import { FeeCadence } from './fee.entity.js';
import type { Jar } from './jar.entity.js';

@ObjectType('Jar', { description: "A budget envelope ('jar'): a share of monthly income for some categories of spending." })
export class JarView {
  @Field(() => ID, { description: 'The jar id (UUID).' })
  id!: string;

  @Field(() => String, { description: "Unique among the caller's jars ignoring case, 1 to 100 characters." })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Free text; null when none was given.' })
  description!: string | null;

  @Field(() => Int, { description: "Share of the monthly income, in basis points (10000 = 100%). The caller's unarchived jars together hold at most 10000." })
  allocationBasisPoints!: number;

  @Field(() => [SpendingCategory], {
    description: 'Card payments in these categories land in this jar unless moved. A category belongs to at most one unarchived jar of a user.',
  })
  categories!: SpendingCategory[];

  @Field(() => Boolean, { description: 'An archived jar holds no allocation and no categories; payments moved to it still count in it.' })
  archived!: boolean;

  @Field(() => Date, { description: 'When the jar was created.' })
  createdAt!: Date;
}

@ObjectType('JarMonth', { description: "One jar in one calendar month of the caller's time zone: what it was given, what went out of it, what is left." })
export class JarMonthView {
  @Field(() => String, { description: 'The month, "YYYY-MM", in the caller\'s time zone (UserPreferences.timeZone).' })
  month!: string;

  @Field(() => Money, {
    description:
      "income × allocationBasisPoints / 10000 in whole minor units, rounded half to even; when the jars' roundings would exceed the income, the excess minor units come off the jars that were rounded up, newest first. Zero without an income or for an archived jar.",
  })
  allocated!: Money;

  @Field(() => Money, {
    description:
      'Spending in the budget currency counted in this jar this month, from every source (card payments, transfers out, manual transactions); moved ones count where they were moved to.',
  })
  spent!: Money;

  @Field(() => Money, { description: 'allocated − spent; negative when overspent.' })
  remaining!: Money;

  /** For JarMonth.payments and JarMonth.transactions. */
  jarId!: string;
  timeZone!: string;
  from!: Date;
  to!: Date;
}

@ObjectType('Budget', { description: "The caller's budget: monthly income and jars, all in one currency." })
export class BudgetView {
  @Field(() => String, { description: 'ISO 4217 currency of the income, the jars and the fees; "USD" until setMonthlyIncome sets another.' })
  currency!: string;

  @Field(() => Money, { nullable: true, description: 'Income per month; null until setMonthlyIncome.' })
  monthlyIncome!: Money | null;

  @Field(() => Int, { description: 'Sum of allocationBasisPoints over the unarchived jars, 0 to 10000.' })
  allocatedBasisPoints!: number;

  @Field(() => [JarView], { description: 'Unarchived jars, oldest first.' })
  jars!: JarView[];
}

@ObjectType('Fee', { description: 'A recurring cost the user wants to plan for (rent, a subscription, a bank fee).' })
export class FeeView {
  @Field(() => ID, { description: 'The fee id (UUID). In upcomingFees a weekly fee appears once per occurrence, with the same id.' })
  id!: string;

  @Field(() => String, { description: '1 to 100 characters.' })
  name!: string;

  @Field(() => Money, { description: 'What each occurrence costs, in the budget currency.' })
  amount!: Money;

  @Field(() => FeeCadence, { description: 'How often it is due.' })
  cadence!: FeeCadence;

  @Field(() => String, { description: '"YYYY-MM-DD" in the caller\'s time zone: the next due day (in upcomingFees: the occurrence\'s day).' })
  nextDueOn!: string;

  @Field(() => Boolean, { description: 'Inactive fees are kept but never listed as upcoming.' })
  active!: boolean;

  /** For Fee.jar. */
  jarId!: string | null;
}

@ObjectType('CategorySpend', { description: 'Approved card spending in one category in a month.' })
export class CategorySpend {
  @Field(() => SpendingCategory, { description: 'The merchant category.' })
  category!: SpendingCategory;

  @Field(() => Money, { description: 'Total of the approved payments.' })
  spent!: Money;

  @Field(() => Int, { description: 'How many approved payments.' })
  payments!: number;
}

@ObjectType('JarSpend', { description: 'One jar in the month of the insights.' })
export class JarSpend {
  @Field(() => JarView, { description: 'The jar.' })
  jar!: JarView;

  @Field(() => Money, { description: 'As JarMonth.allocated.' })
  allocated!: Money;

  @Field(() => Money, { description: 'As JarMonth.spent.' })
  spent!: Money;

  @Field(() => Money, { description: 'allocated − spent; negative when overspent.' })
  remaining!: Money;
}

@ObjectType('SpendingInsights', { description: "One month of the caller's spending in one currency, computed from card payments and the ledger." })
export class SpendingInsightsView {
  @Field(() => String, { description: '"YYYY-MM" in the caller\'s time zone.' })
  month!: string;

  @Field(() => String, { description: 'ISO 4217 code; only payments and entries in it are counted.' })
  currency!: string;

  @Field(() => Money, { nullable: true, description: 'The monthly income when the budget is in this currency; null otherwise or when unset.' })
  income!: Money | null;

  @Field(() => Money, { description: 'Spending in the month from every source: card payments, transfers out, manual transactions.' })
  totalSpent!: Money;

  @Field(() => Money, { description: "Money that came in to the caller's accounts in this currency from outside them (deposits, other users)." })
  totalReceived!: Money;

  @Field(() => [CategorySpend], { description: 'Spending per category, largest first; categories without spending are left out.' })
  byCategory!: CategorySpend[];

  @Field(() => [JarSpend], {
    description:
      'Every unarchived jar, oldest first; empty when the budget is in another currency. Payments moved to an archived jar count in totalSpent and byCategory only.',
  })
  byJar!: JarSpend[];

  @Field(() => Money, { description: "This month's spending minus the previous month's (negative when it fell)." })
  changeFromPreviousMonth!: Money;

  @Field(() => [FeeView], { description: 'Active fees due in the month after this one, one item per occurrence, by day.' })
  upcomingFees!: FeeView[];

  @Field(() => [String], { description: "Plain-language findings, e.g. 'Dining is 40% over its jar.' Deterministic: computed, not generated by a model." })
  observations!: string[];

  @Field(() => [SourceSpend], { description: 'Spending by source, so the user sees what the cards, transfers, cash and other banks each add.' })
  bySource!: SourceSpend[];

  /** For largestPayments and largestTransactions. */
  userId!: string;
  timeZone!: string;
  from!: Date;
  to!: Date;
}

@ObjectType('BudgetAlert', { description: 'A jar went over its allocation in a month: sent once per jar and month, after the card payment that did it.' })
export class BudgetAlertView {
  @Field(() => JarView, { description: 'The jar as it was when the payment went through.' })
  jar!: JarView;

  @Field(() => String, { description: '"YYYY-MM" in the caller\'s time zone.' })
  month!: string;

  @Field(() => Money, { description: "The jar's allocation for the month." })
  allocated!: Money;

  @Field(() => Money, { description: 'Spent in the jar this month, the payment included; more than allocated.' })
  spent!: Money;
}

export function jarView(jar: Jar): JarView {
  return {
    id: jar.id,
    name: jar.name,
    description: jar.description,
    allocationBasisPoints: jar.allocationBasisPoints,
    categories: [...jar.categories],
    archived: jar.archived,
    createdAt: jar.createdAt,
  };
}

export function budgetView(budget: BudgetFacts | null, jars: Jar[]): BudgetView {
  const facts = budgetFacts(budget);
  return {
    currency: facts.currency,
    monthlyIncome: facts.monthlyIncome === null ? null : money(facts.monthlyIncome, facts.currency),
    allocatedBasisPoints: jars.reduce((sum, j) => sum + j.allocationBasisPoints, 0),
    jars: jars.map(jarView),
  };
}

/** Each jar's allocation, spending and what is left, in the budget currency. */
export function jarSpends(budget: BudgetFacts, jars: Jar[], spent: Map<string, bigint>): JarSpend[] {
  const allocated = allocationsOf(budget, jars);
  return jars.map((jar) => {
    const a = allocated.get(jar.id) ?? 0n;
    const s = spent.get(jar.id) ?? 0n;
    return { jar: jarView(jar), allocated: money(a, budget.currency), spent: money(s, budget.currency), remaining: money(a - s, budget.currency) };
  });
}
