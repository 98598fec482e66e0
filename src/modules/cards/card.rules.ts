import { randomInt } from 'node:crypto';
import { parseMonth as parseCalendarMonth } from '../../shared/calendar-input.js';
import { badUserInput } from '../../shared/errors.js';
import { checkName } from '../../shared/input-rules.js';
import { parsePositiveAmount } from '../../shared/money.js';
import { AccountStatus } from '../accounts/account.entity.js';
import type { AccountRow } from '../accounts/account.rules.js';
import { CardStatus } from './card.entity.js';
import { DeclineReason } from './card-payment.entity.js';

/*
 * The rules of cards and card payments as pure functions: no I/O. A payment is judged on
 * rows the money transaction read under the account lock.
 */

/** 16 digits; the leading 9 (ISO/IEC 7812 "national assignment") belongs to no card brand. */
const NUMBER_DIGITS = 16;
const PREFIX = '9';

/** The Luhn check digit for `body` (the number without its last digit). */
export function luhnCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    // From the right, every other digit starting with the one next to the check digit is doubled.
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function isLuhnValid(number: string): boolean {
  return /^\d{2,19}$/.test(number) && luhnCheckDigit(number.slice(0, -1)) === Number(number.at(-1));
}

/** A Luhn-valid card number. The caller keeps only last4Of(it) and lets the rest go. */
export function newCardNumber(): string {
  let body = PREFIX;
  while (body.length < NUMBER_DIGITS - 1) body += String(randomInt(10));
  return `${body}${luhnCheckDigit(body)}`;
}

export function last4Of(number: string): string {
  return number.slice(-4);
}

/** Three years from issue, valid to the end of that month (UTC). */
export function expiryOf(issuedAt: Date): { month: number; year: number } {
  return { month: issuedAt.getUTCMonth() + 1, year: issuedAt.getUTCFullYear() + 3 };
}

/** Expired from the first instant of the month after the expiry month. */
export function isExpired(expiry: { month: number; year: number }, now: Date): boolean {
  return now.getTime() >= Date.UTC(expiry.year, expiry.month, 1);
}

/** The calendar month (UTC) holding `at`: [from, to). */
export function monthOf(at: Date): { from: Date; to: Date } {
  return { from: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)), to: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1)) };
}

/** "YYYY-MM" (UTC) as [from, to); BAD_USER_INPUT on anything the shared parser refuses. */
export function parseMonth(value: string, field = 'month'): { from: Date; to: Date } {
  const m = parseCalendarMonth(value, field);
  return monthOf(new Date(Date.UTC(m.year, m.month - 1, 1)));
}

/** Trimmed; blank means no label. */
export function cardLabel(value: string | null | undefined): string | null {
  const label = value?.trim() ?? '';
  if (label !== '') checkName(label, 'label');
  if (label.length > 100) throw badUserInput([{ field: 'label', message: 'must be at most 100 characters' }]);
  return label === '' ? null : label;
}

export function monthlyLimit(value: bigint | null | undefined): bigint | null {
  return value === null || value === undefined ? null : parsePositiveAmount(value, 'monthlyLimitMinor');
}

export function merchantName(value: string): string {
  checkName(value, 'merchant');
  const merchant = value.trim();
  if (merchant.length < 1 || merchant.length > 200) throw badUserInput([{ field: 'merchant', message: 'must be 1 to 200 characters' }]);
  return merchant;
}

/** A card as the money transaction reads it. */
export interface CardRow {
  id: string;
  accountId: string;
  userId: string;
  status: CardStatus;
  expiryMonth: number;
  expiryYear: number;
  monthlyLimit: bigint | null;
}

/**
 * Why a payment is declined, or null to approve it. Order: the account (closing an account
 * cancels its cards, so ACCOUNT_CLOSED names the cause), the card, then the money: currency,
 * the month's limit (approved payments of this calendar month, read under the account lock),
 * the balance.
 */
export function declineReason(
  card: CardRow,
  account: AccountRow,
  spentThisMonth: bigint,
  payment: { amount: bigint; currency: string },
  now: Date,
): DeclineReason | null {
  if (account.status !== AccountStatus.OPEN) return DeclineReason.ACCOUNT_CLOSED;
  if (card.status === CardStatus.CANCELLED) return DeclineReason.CARD_CANCELLED;
  if (card.status === CardStatus.FROZEN) return DeclineReason.CARD_FROZEN;
  if (isExpired({ month: card.expiryMonth, year: card.expiryYear }, now)) return DeclineReason.CARD_EXPIRED;
  if (payment.currency !== account.currency) return DeclineReason.CURRENCY_MISMATCH;
  if (card.monthlyLimit !== null && spentThisMonth + payment.amount > card.monthlyLimit) return DeclineReason.MONTHLY_LIMIT_EXCEEDED;
  if (account.balance < payment.amount) return DeclineReason.INSUFFICIENT_FUNDS;
  return null;
}

/** "Virtual card ending 4242": what a card may say about itself, no brand and no more digits. */
export function cardDescription(kind: string, last4: string): string {
  return `${kind.charAt(0)}${kind.slice(1).toLowerCase()} card ending ${last4}`;
}
