import { Field, ObjectType } from 'type-graphql';
import { MinorUnitsScalar } from './scalars.js';
import { formatDecimal, isCurrency } from './currency.js';
import { badUserInput } from './errors.js';
import { INT64_MAX, INT64_MIN } from './int64.js';

export { formatDecimal, isCurrency, minorUnitExponent } from './currency.js';

/**
 * The largest amount one transfer or deposit may move: 10^15 minor units (10 trillion USD).
 * Far below int64, so no single posting can push an account, the currency's system
 * account included, to the edge of what a balance can hold.
 */
export const MAX_AMOUNT_MINOR = 10n ** 15n;

@ObjectType({ description: 'An exact amount of money: integer minor units and the currency. Never a float.' })
export class Money {
  @Field(() => MinorUnitsScalar, {
    description: 'The amount in minor units (cents for USD, yen for JPY) as a string of digits, e.g. "125000" for 1250.00 USD.',
  })
  minor!: bigint;

  @Field(() => String, { description: 'ISO 4217 code' })
  currency!: string;

  @Field(() => String, {
    description: 'Exact decimal rendering with the currency\'s own number of decimals, e.g. "1250.00" or "980" (JPY).',
  })
  decimal!: string;
}

export function money(minor: bigint, currency: string): Money {
  return { minor, currency, decimal: formatDecimal(minor, currency) };
}

/** An ISO 4217 code the runtime supports, upper-cased; BAD_USER_INPUT otherwise. */
export function parseCurrency(value: string, field = 'currency'): string {
  // ASCII only: toUpperCase() would turn a dotless "ı" into "I" and accept "ınr" as INR.
  const code = value.trim().replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 32));
  if (!/^[A-Z]{3}$/.test(code) || !isCurrency(code)) {
    throw badUserInput([{ field, message: 'must be an ISO 4217 currency code, e.g. "USD"' }]);
  }
  return code;
}

/** Amounts moved are strictly positive and at most MAX_AMOUNT_MINOR. */
export function parsePositiveAmount(amount: bigint, field = 'amountMinor'): bigint {
  if (amount <= 0n) throw badUserInput([{ field, message: 'must be greater than zero' }]);
  if (amount > MAX_AMOUNT_MINOR) throw badUserInput([{ field, message: `must be at most ${MAX_AMOUNT_MINOR} minor units` }]);
  return amount;
}

/** Whether a balance stays inside what the ledger's bigint columns hold. */
export function fitsBalance(balance: bigint): boolean {
  return balance >= INT64_MIN && balance <= INT64_MAX;
}
