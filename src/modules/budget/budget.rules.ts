import { DomainError, badUserInput } from '../../shared/errors.js';
import { formatGrouped } from '../../shared/currency.js';
import { checkName } from '../../shared/input-rules.js';
import type { Month } from '../../shared/calendar-input.js';
import { daysInMonth, type CalendarDay } from '../../shared/time-zone.js';
import { SpendingCategory } from '../cards/mcc.rules.js';
import { FeeCadence } from './fee.entity.js';
import type { Jar } from './jar.entity.js';

/*
 * The budget's rules as pure functions: month arithmetic, allocation rounding, fee
 * occurrences, the insights' observations and the checks that span jars. No I/O.
 */

export const FULL_ALLOCATION = 10000;

export function addMonths(m: Month, n: number): Month {
  const index = m.year * 12 + (m.month - 1) + n;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

/** income × bp / 10000 rounded half to even, in integer arithmetic. */
export function roundedShare(income: bigint, basisPoints: number): bigint {
  const numerator = income * BigInt(basisPoints);
  const whole = numerator / 10000n;
  const rest = numerator % 10000n;
  if (rest * 2n > 10000n || (rest * 2n === 10000n && whole % 2n === 1n)) return whole + 1n;
  return whole;
}

/**
 * Each jar's share of the income, rounded half to even. When those roundings would sum to
 * more than the income (possible only by a few minor units), the excess comes off the jars
 * that were rounded up, the most recently created first: the jars never hold more than the income.
 */
export function allocations(income: bigint, jars: ReadonlyArray<{ id: string; allocationBasisPoints: number }>): Map<string, bigint> {
  const shares = jars.map((j) => {
    const exact = income * BigInt(j.allocationBasisPoints);
    const rounded = roundedShare(income, j.allocationBasisPoints);
    return { id: j.id, amount: rounded, roundedUp: rounded * 10000n > exact };
  });
  let excess = shares.reduce((sum, s) => sum + s.amount, 0n) - income;
  for (let i = shares.length - 1; i >= 0 && excess > 0n; i--) {
    if (shares[i]!.roundedUp) {
      shares[i]!.amount -= 1n;
      excess -= 1n;
    }
  }
  return new Map(shares.map((s) => [s.id, s.amount]));
}

/** The day `anchorDay` in a month, or its last day when the month is shorter. */
function clampedDay(year: number, month: number, anchorDay: number): CalendarDay {
  return { year, month, day: Math.min(anchorDay, daysInMonth(year, month)) };
}

function dayNumber(d: CalendarDay): number {
  return Date.UTC(d.year, d.month - 1, d.day) / 86_400_000;
}

/** The days of `month` on which a fee falls due, counting only from its next due day on. */
export function feeOccurrences(cadence: FeeCadence, nextDueOn: CalendarDay, month: Month): CalendarDay[] {
  const first = dayNumber({ ...month, day: 1 });
  const last = dayNumber({ ...month, day: daysInMonth(month.year, month.month) });
  const start = dayNumber(nextDueOn);
  if (start > last) return [];
  if (cadence === FeeCadence.WEEKLY) {
    const out: CalendarDay[] = [];
    const skip = start >= first ? 0 : Math.ceil((first - start) / 7);
    for (let n = start + skip * 7; n <= last; n += 7) {
      const d = new Date(n * 86_400_000);
      out.push({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
    }
    return out;
  }
  if (cadence === FeeCadence.YEARLY && month.month !== nextDueOn.month) return [];
  const due = clampedDay(month.year, month.month, nextDueOn.day);
  return dayNumber(due) >= start ? [due] : [];
}

/** "1,250.00 USD": integer arithmetic, thousands grouped. */
export const formatAmount = (minor: bigint, currency: string): string => formatGrouped(minor, currency);

const CATEGORY_NAMES: Record<SpendingCategory, string> = Object.fromEntries(
  Object.values(SpendingCategory).map((c) => [c, c.charAt(0) + c.slice(1).toLowerCase()]),
) as Record<SpendingCategory, string>;

export function categoryName(category: SpendingCategory): string {
  return CATEGORY_NAMES[category];
}

export interface ObservationFacts {
  currency: string;
  jars: ReadonlyArray<{ name: string; allocated: bigint; spent: bigint }>;
  categories: ReadonlyArray<{ category: SpendingCategory; spent: bigint; previous: bigint }>;
  upcomingFees: ReadonlyArray<{ amount: bigint }>;
}

/** Deterministic findings, most pressing first: overspent jars, categories that rose, fees coming. */
export function observations(f: ObservationFacts): string[] {
  const out: string[] = [];
  for (const jar of f.jars) {
    if (jar.spent <= jar.allocated) continue;
    if (jar.allocated === 0n) out.push(`${jar.name} has no allocation but ${formatAmount(jar.spent, f.currency)} went out of it.`);
    else out.push(`${jar.name} is ${((jar.spent - jar.allocated) * 100n) / jar.allocated}% over its jar.`);
  }
  for (const c of f.categories) {
    if (c.previous > 0n && c.spent > c.previous) out.push(`${categoryName(c.category)} rose by ${formatAmount(c.spent - c.previous, f.currency)}.`);
  }
  if (f.upcomingFees.length > 0) {
    const total = f.upcomingFees.reduce((sum, fee) => sum + fee.amount, 0n);
    const count = f.upcomingFees.length;
    out.push(`${count} ${count === 1 ? 'fee is' : 'fees are'} due next month totalling ${formatAmount(total, f.currency)}.`);
  }
  return out;
}

/** A jar's or fee's name: trimmed, 1 to 100 characters, visible, no control characters. */
export function jarName(value: string, field = 'name'): string {
  checkName(value, field);
  const name = value.trim();
  if (name === '' || name.length > 100) throw badUserInput([{ field, message: 'must be 1 to 100 non-blank characters' }]);
  return name;
}

/** An archived jar takes nothing new: no payment moved to it, no fee paid from it. */
export function checkUnarchived(jar: { archived: boolean }, field = 'jarId'): void {
  if (jar.archived) throw badUserInput([{ field, message: 'the jar is archived: choose one of your unarchived jars' }]);
}

export function basisPoints(value: number, field = 'allocationBasisPoints'): number {
  if (!Number.isInteger(value) || value < 0 || value > FULL_ALLOCATION)
    throw badUserInput([{ field, message: 'must be a whole number from 0 to 10000 (100%)' }]);
  return value;
}

/** Categories without repeats; BAD_USER_INPUT for one given twice. */
export function distinctCategories(values: readonly SpendingCategory[]): SpendingCategory[] {
  const set = new Set(values);
  if (set.size !== values.length) throw badUserInput([{ field: 'categories', message: 'must not repeat a category' }]);
  return [...set];
}

/** The budget currency until setMonthlyIncome sets another. */
export const DEFAULT_CURRENCY = 'USD';

export interface BudgetFacts {
  currency: string;
  monthlyIncome: bigint | null;
}

export function budgetFacts(budget: BudgetFacts | null): BudgetFacts {
  return { currency: budget?.currency ?? DEFAULT_CURRENCY, monthlyIncome: budget?.monthlyIncome ?? null };
}

export function allocationsOf(budget: BudgetFacts, jars: Jar[]): Map<string, bigint> {
  return allocations(budget.monthlyIncome ?? 0n, jars);
}

/** The checks that span jars; `others` are the user's other unarchived jars, read under the lock. */
export function checkFits(others: Jar[], selfId: string | null, jar: { name: string; bp: number; categories: readonly SpendingCategory[] }): void {
  const key = jar.name.toLowerCase();
  if (others.some((j) => j.id !== selfId && j.name.toLowerCase() === key)) {
    throw new DomainError('JAR_NAME_TAKEN', `You already have a jar called "${jar.name}": pick another name`);
  }
  const total = others.reduce((sum, j) => sum + (j.id === selfId ? 0 : j.allocationBasisPoints), 0) + jar.bp;
  if (total > FULL_ALLOCATION) {
    throw new DomainError(
      'BUDGET_OVER_ALLOCATED',
      `Your jars would hold ${total / 100}% of your income: at most ${(FULL_ALLOCATION - total + jar.bp) / 100}% is left to allocate`,
      { availableBasisPoints: FULL_ALLOCATION - total + jar.bp },
    );
  }
  for (const category of jar.categories) {
    const holder = others.find((j) => j.id !== selfId && j.categories.includes(category));
    if (holder) throw new DomainError('CATEGORY_TAKEN', `${category} is already in your "${holder.name}" jar: remove it there first`, { category });
  }
}
