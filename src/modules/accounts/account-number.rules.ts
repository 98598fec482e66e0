import { randomInt } from 'node:crypto';
import { badUserInput } from '../../shared/errors.js';

/**
 * Account numbers are "CG" + 10 random digits + 2 ISO 7064 mod 97-10 check digits (as in
 * IBAN): every single-digit typo and every swap of two neighbouring digits is caught.
 */
const PREFIX = 'CG';
const BODY_DIGITS = 10;

export function newAccountNumber(): string {
  let body = '';
  for (let i = 0; i < BODY_DIGITS; i++) body += String(randomInt(10));
  const check = 98n - ((BigInt(body) * 100n) % 97n);
  return `${PREFIX}${body}${check.toString().padStart(2, '0')}`;
}

export function isValidAccountNumber(number: string): boolean {
  return new RegExp(`^${PREFIX}\\d{${BODY_DIGITS + 2}}$`).test(number) && BigInt(number.slice(PREFIX.length)) % 97n === 1n;
}

/** Accepts spaces, dashes and lower case as people type them; BAD_USER_INPUT on a typo. */
export function parseAccountNumber(value: string, field = 'toAccountNumber'): string {
  const number = value.replace(/[\s-]/g, '').toUpperCase();
  if (!isValidAccountNumber(number)) {
    throw badUserInput([{ field, message: 'is not a valid account number: check it for typos' }]);
  }
  return number;
}

export function systemAccountNumber(currency: string): string {
  return `SYSTEM-${currency}`;
}

/** Where approved card payments in `currency` go: the card network settles with the bank from it. */
export function cardSettlementAccountNumber(currency: string): string {
  return `SYSTEM-CARDS-${currency}`;
}
