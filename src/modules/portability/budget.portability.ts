import type { EntityManager } from '@mikro-orm/postgresql';
import { badUserInput, DomainError } from '../../shared/errors.js';
import { isCurrency } from '../../shared/currency.js';
import { User } from '../auth/user.entity.js';
import { Budget } from '../budget/budget.entity.js';
import { FULL_ALLOCATION } from '../budget/budget.rules.js';
import { lockBudget } from '../budget/budget.sql.js';
import { Fee, FeeCadence } from '../budget/fee.entity.js';
import { PaymentJarAssignment } from '../budget/jar-assignment.entity.js';
import { Jar } from '../budget/jar.entity.js';
import { CardPayment } from '../cards/card-payment.entity.js';
import { SpendingCategory } from '../cards/mcc.rules.js';
import { array, bool, day, int, Invalid, nullableText, object, oneOf, text, timestamp } from './export-document.js';
import { ormSql } from '../../db/orm-sql.js';

/*
 * The budget part of the export document: income, jars, fees and payments moved to another
 * jar. Ids never leave: fees and moves name their jar by index, a moved payment by what the
 * network sent (account number, merchant, amount, currency, time).
 */

export interface BudgetDoc {
  currency: string;
  monthlyIncomeMinor: string | null;
  jars: Array<{
    name: string;
    description: string | null;
    allocationBasisPoints: number;
    categories: SpendingCategory[];
    archived: boolean;
    createdAt: string;
  }>;
  fees: Array<{
    name: string;
    amountMinor: string;
    currency: string;
    cadence: FeeCadence;
    nextDueOn: string;
    jar: number | null;
    active: boolean;
    createdAt: string;
  }>;
  assignments: Array<{ payment: { accountNumber: string; merchant: string; amountMinor: string; currency: string; createdAt: string }; jar: number }>;
}

const MAX = { jars: 200, fees: 1000, assignments: 100_000 } as const;
const AMOUNT = /^[1-9]\d{0,15}$/;

/** The caller's budget as a document part; null when they never set one up. */
export async function exportBudget(em: EntityManager, userId: string): Promise<BudgetDoc | null> {
  const [budget, jars, fees, moves] = await Promise.all([
    em.findOne(Budget, { user: userId }),
    em.find(Jar, { user: userId }, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
    em.find(Fee, { user: userId }, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
    em.find(PaymentJarAssignment, { user: userId }, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], populate: ['payment', 'payment.account'] }),
  ]);
  if (!budget && jars.length === 0 && fees.length === 0) return null;
  const index = new Map(jars.map((j, i) => [j.id, i]));
  return {
    currency: budget?.currency ?? 'USD',
    monthlyIncomeMinor: budget?.monthlyIncome?.toString() ?? null,
    jars: jars.map((j) => ({
      name: j.name,
      description: j.description,
      allocationBasisPoints: j.allocationBasisPoints,
      categories: [...j.categories],
      archived: j.archived,
      createdAt: j.createdAt.toISOString(),
    })),
    fees: fees.map((f) => ({
      name: f.name,
      amountMinor: f.amount.toString(),
      currency: f.currency,
      cadence: f.cadence,
      nextDueOn: f.nextDueOn,
      jar: f.jar ? (index.get(f.jar.id) ?? null) : null,
      active: f.active,
      createdAt: f.createdAt.toISOString(),
    })),
    assignments: moves.map((m) => {
      const p = m.payment.$;
      return {
        payment: {
          accountNumber: p.account.$.number,
          merchant: p.merchant,
          amountMinor: p.amount.toString(),
          currency: p.currency,
          createdAt: p.createdAt.toISOString(),
        },
        jar: index.get(m.jar.id)!,
      };
    }),
  };
}

/** The `budget` member of a document: null or absent means none; BAD_USER_INPUT names the first bad path. */
export function parseBudgetDoc(value: unknown): BudgetDoc | null {
  if (value === undefined || value === null) return null;
  try {
    return parse(value, 'budget');
  } catch (error) {
    if (error instanceof Invalid) throw badUserInput([{ field: error.path, message: error.message }]);
    throw error;
  }
}

function currency(value: unknown, path: string): string {
  const code = text(value, path, 3, 3);
  if (!isCurrency(code)) throw new Invalid(path, 'must be an ISO 4217 code such as "USD"');
  return code;
}

function minor(value: unknown, path: string, zero = false): string {
  if (typeof value !== 'string' || !(AMOUNT.test(value) || (zero && value === '0')) || BigInt(value) > 10n ** 15n) {
    throw new Invalid(path, 'must be a whole number of minor units up to 10^15, as a string');
  }
  return value;
}

function parse(value: unknown, at: string): BudgetDoc {
  const b = object(value, at);
  const jars = array(b.jars, `${at}.jars`, MAX.jars).map((item, i) => {
    const path = `${at}.jars[${i}]`;
    const j = object(item, path);
    const categories = array(j.categories, `${path}.categories`, Object.keys(SpendingCategory).length).map((c, k) =>
      oneOf(c, `${path}.categories[${k}]`, SpendingCategory),
    );
    return {
      name: text(j.name, `${path}.name`, 100, 1).trim(),
      description: nullableText(j.description, `${path}.description`, 500),
      allocationBasisPoints: int(j.allocationBasisPoints, `${path}.allocationBasisPoints`, 0, FULL_ALLOCATION),
      categories,
      archived: bool(j.archived, `${path}.archived`),
      createdAt: timestamp(j.createdAt, `${path}.createdAt`),
    };
  });
  const jarIndex = (v: unknown, path: string, nullable: boolean): number | null => (v === null && nullable ? null : int(v, path, 0, jars.length - 1));
  const fees = array(b.fees, `${at}.fees`, MAX.fees).map((item, i) => {
    const path = `${at}.fees[${i}]`;
    const f = object(item, path);
    const due = day(f.nextDueOn, `${path}.nextDueOn`);
    return {
      name: text(f.name, `${path}.name`, 100, 1).trim(),
      amountMinor: minor(f.amountMinor, `${path}.amountMinor`),
      currency: currency(f.currency, `${path}.currency`),
      cadence: oneOf(f.cadence, `${path}.cadence`, FeeCadence),
      nextDueOn: due,
      jar: jarIndex(f.jar, `${path}.jar`, true),
      active: bool(f.active, `${path}.active`),
      createdAt: timestamp(f.createdAt, `${path}.createdAt`),
    };
  });
  const assignments = array(b.assignments, `${at}.assignments`, MAX.assignments).map((item, i) => {
    const path = `${at}.assignments[${i}]`;
    const a = object(item, path);
    const p = object(a.payment, `${path}.payment`);
    return {
      payment: {
        accountNumber: text(p.accountNumber, `${path}.payment.accountNumber`, 64, 1),
        merchant: text(p.merchant, `${path}.payment.merchant`, 200, 1),
        amountMinor: minor(p.amountMinor, `${path}.payment.amountMinor`),
        currency: currency(p.currency, `${path}.payment.currency`),
        createdAt: timestamp(p.createdAt, `${path}.payment.createdAt`),
      },
      jar: jarIndex(a.jar, `${path}.jar`, false)!,
    };
  });
  return {
    currency: currency(b.currency, `${at}.currency`),
    monthlyIncomeMinor: b.monthlyIncomeMinor === null ? null : minor(b.monthlyIncomeMinor, `${at}.monthlyIncomeMinor`, true),
    jars,
    fees,
    assignments,
  };
}

export interface BudgetRestored {
  jars: number;
  fees: number;
  jarAssignments: number;
}

/**
 * In the import's transaction, under the budget lock: the income and currency are the
 * document's; a jar whose name the caller already has (ignoring case, archived or not alike) is matched, the others
 * added, and the result must still fit (BUDGET_OVER_ALLOCATED, CATEGORY_TAKEN); fees equal to
 * one the caller has are not doubled; a move applies to the caller's payment that matches.
 */
export async function restoreBudgetInto(em: EntityManager, userId: string, doc: BudgetDoc | null, now: Date): Promise<BudgetRestored> {
  const restored: BudgetRestored = { jars: 0, fees: 0, jarAssignments: 0 };
  if (!doc) return restored;
  const lock = lockBudget(userId);
  await ormSql(em, lock.sql, lock.params);
  const user = em.getReference(User, userId, { wrapped: true });
  let budget = await em.findOne(Budget, { user: userId });
  if (!budget) em.persist((budget = Object.assign(new Budget(), { user, currency: doc.currency, createdAt: now })));
  budget.currency = doc.currency;
  budget.monthlyIncome = doc.monthlyIncomeMinor === null ? budget.monthlyIncome : BigInt(doc.monthlyIncomeMinor);
  budget.updatedAt = now;

  const existing = await em.find(Jar, { user: userId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  const jars = doc.jars.map((d) => {
    const same = existing.find((j) => j.archived === d.archived && j.name.toLowerCase() === d.name.toLowerCase());
    if (same) return same;
    const jar = Object.assign(new Jar(), { user, ...d, createdAt: new Date(d.createdAt), updatedAt: now });
    em.persist(jar);
    existing.push(jar);
    restored.jars++;
    return jar;
  });
  const active = existing.filter((j) => !j.archived);
  const total = active.reduce((sum, j) => sum + j.allocationBasisPoints, 0);
  if (total > FULL_ALLOCATION)
    throw new DomainError('BUDGET_OVER_ALLOCATED', `With the imported jars yours would hold ${total / 100}% of your income: at most 100%`);
  const seen = new Map<SpendingCategory, string>();
  for (const jar of active) {
    for (const c of jar.categories) {
      if (seen.has(c))
        throw new DomainError('CATEGORY_TAKEN', `${c} would be in both "${seen.get(c)}" and "${jar.name}": a category belongs to one jar`, { category: c });
      seen.set(c, jar.name);
    }
  }

  const fees = await em.find(Fee, { user: userId });
  for (const d of doc.fees) {
    if (d.currency !== budget.currency)
      throw new DomainError('CURRENCY_MISMATCH', `The fee "${d.name}" is in ${d.currency} but the budget is in ${budget.currency}`);
    const jar = d.jar === null ? null : jars[d.jar]!;
    const same = (f: Fee) => f.name === d.name && f.amount === BigInt(d.amountMinor) && f.cadence === d.cadence && f.nextDueOn === d.nextDueOn;
    if (fees.some(same)) continue;
    const fee = Object.assign(new Fee(), {
      user,
      name: d.name,
      amount: BigInt(d.amountMinor),
      currency: d.currency,
      cadence: d.cadence,
      nextDueOn: d.nextDueOn,
      jar: jar ? em.getReference(Jar, jar.id, { wrapped: true }) : null,
      active: d.active,
      createdAt: new Date(d.createdAt),
      updatedAt: now,
    });
    em.persist(fee);
    fees.push(fee);
    restored.fees++;
  }

  for (const a of doc.assignments) {
    const payment = await em.findOne(CardPayment, {
      user: userId,
      account: { number: a.payment.accountNumber },
      merchant: a.payment.merchant,
      amount: BigInt(a.payment.amountMinor),
      currency: a.payment.currency,
      createdAt: new Date(a.payment.createdAt),
    });
    if (!payment) continue;
    await em.nativeDelete(PaymentJarAssignment, { payment: payment.id });
    em.persist(
      Object.assign(new PaymentJarAssignment(), {
        payment,
        user,
        jar: em.getReference(Jar, jars[a.jar]!.id, { wrapped: true }),
        createdAt: now,
        updatedAt: now,
      }),
    );
    restored.jarAssignments++;
  }
  return restored;
}
