import type { BudgetDoc } from '../budget/budget-document.service.js';
import { FULL_ALLOCATION } from '../budget/budget.rules.js';
import { FeeCadence } from '../budget/fee.entity.js';
import { SpendingCategory } from '../cards/mcc.rules.js';
import {
  DAY,
  TIMESTAMP,
  bool,
  currencyCode,
  day,
  int,
  Invalid,
  list,
  minorSchema,
  minorUnits,
  nullable,
  oneOf,
  record,
  text,
  timestamp,
} from './document-schema.js';

/* The document's budget (optional: null or absent means none): its schema and the checks past it. */

const MAX = { jars: 200, fees: 1000, assignments: 100_000 } as const;
const AMOUNT_HINT = 'must be a whole number of minor units up to 10^15, as a string';
const currency = text(3, 3);
const jarIndex = { type: 'integer', minimum: 0, hint: 'must be the index of a jar in budget.jars' };

export const budgetSchema = nullable(
  record({
    currency,
    monthlyIncomeMinor: { ...nullable(minorSchema(AMOUNT_HINT, true)), hint: AMOUNT_HINT },
    jars: list(
      record({
        name: text(100, 1),
        description: nullable(text(500)),
        allocationBasisPoints: int(0, FULL_ALLOCATION),
        categories: list(oneOf(SpendingCategory), Object.keys(SpendingCategory).length),
        archived: bool,
        createdAt: TIMESTAMP,
      }),
      MAX.jars,
    ),
    fees: list(
      record({
        name: text(100, 1),
        amountMinor: minorSchema(AMOUNT_HINT),
        currency,
        cadence: oneOf(FeeCadence),
        nextDueOn: DAY,
        jar: { ...jarIndex, type: ['integer', 'null'], hint: 'must be null or the index of a jar in budget.jars' },
        active: bool,
        createdAt: TIMESTAMP,
      }),
      MAX.fees,
    ),
    assignments: list(
      record({
        payment: record({ accountNumber: text(64, 1), merchant: text(200, 1), amountMinor: minorSchema(AMOUNT_HINT), currency, createdAt: TIMESTAMP }),
        jar: jarIndex,
      }),
      MAX.assignments,
    ),
  }),
);

export function checkBudget(b: BudgetDoc | null): BudgetDoc | null {
  if (b === null) return null;
  const jar = (value: number | null, path: string) => {
    if (value !== null && value >= b.jars.length)
      throw new Invalid(path, `must be ${b.jars.length === 0 ? 'null: budget.jars is empty' : `an integer from 0 to ${b.jars.length - 1}`}`);
  };
  minorUnits(b.monthlyIncomeMinor, 'budget.monthlyIncomeMinor', AMOUNT_HINT);
  const jars = b.jars.map((j, i) => ({ ...j, name: j.name.trim(), createdAt: timestamp(j.createdAt, `budget.jars[${i}].createdAt`) }));
  const fees = b.fees.map((f, i) => {
    const at = `budget.fees[${i}]`;
    minorUnits(f.amountMinor, `${at}.amountMinor`, AMOUNT_HINT);
    jar(f.jar, `${at}.jar`);
    return {
      ...f,
      name: f.name.trim(),
      currency: currencyCode(f.currency, `${at}.currency`),
      nextDueOn: day(f.nextDueOn, `${at}.nextDueOn`),
      createdAt: timestamp(f.createdAt, `${at}.createdAt`),
    };
  });
  const assignments = b.assignments.map((a, i) => {
    const at = `budget.assignments[${i}]`;
    minorUnits(a.payment.amountMinor, `${at}.payment.amountMinor`, AMOUNT_HINT);
    jar(a.jar, `${at}.jar`);
    return {
      ...a,
      payment: {
        ...a.payment,
        currency: currencyCode(a.payment.currency, `${at}.payment.currency`),
        createdAt: timestamp(a.payment.createdAt, `${at}.payment.createdAt`),
      },
    };
  });
  return { ...b, currency: currencyCode(b.currency, 'budget.currency'), jars, fees, assignments };
}
