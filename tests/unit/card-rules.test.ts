import { describe, expect, it } from 'vitest';
import { AccountStatus } from '../../src/modules/accounts/account.entity.js';
import type { AccountRow } from '../../src/modules/accounts/account.rules.js';
import { CardStatus } from '../../src/modules/cards/card.entity.js';
import { DeclineReason } from '../../src/modules/cards/card-payment.entity.js';
import {
  declineReason,
  expiryOf,
  isExpired,
  isLuhnValid,
  last4Of,
  luhnCheckDigit,
  newCardNumber,
  parseMonth,
  type CardRow,
} from '../../src/modules/cards/card.rules.js';

describe('card numbers', () => {
  it('computes the Luhn check digit of known numbers', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3);
    expect(isLuhnValid('79927398713')).toBe(true);
    expect(isLuhnValid('4111111111111111')).toBe(true);
    expect(isLuhnValid('4111111111111112')).toBe(false);
  });

  it('generates 16-digit, brand-free, Luhn-valid numbers whose last four are kept', () => {
    for (let i = 0; i < 200; i++) {
      const n = newCardNumber();
      expect(n).toMatch(/^9\d{15}$/);
      expect(isLuhnValid(n)).toBe(true);
      expect(last4Of(n)).toBe(n.slice(12));
    }
  });
});

describe('expiry', () => {
  it('runs three years from issue to the end of that month', () => {
    expect(expiryOf(new Date('2026-11-30T23:59:59Z'))).toEqual({ month: 11, year: 2029 });
    expect(isExpired({ month: 11, year: 2029 }, new Date('2029-11-30T23:59:59.999Z'))).toBe(false);
    expect(isExpired({ month: 11, year: 2029 }, new Date('2029-12-01T00:00:00Z'))).toBe(true);
    expect(isExpired({ month: 12, year: 2029 }, new Date('2030-01-01T00:00:00Z'))).toBe(true);
  });

  it('parses YYYY-MM months and refuses anything else', () => {
    expect(parseMonth('2026-02')).toEqual({ from: new Date('2026-02-01T00:00:00Z'), to: new Date('2026-03-01T00:00:00Z') });
    for (const bad of ['2026-13', '2026-1', '26-01', '1969-12']) expect(() => parseMonth(bad)).toThrow(/YYYY-MM/);
  });
});

describe('declineReason', () => {
  const now = new Date('2026-06-15T12:00:00Z');
  const card: CardRow = { id: 'c', accountId: 'a', userId: 'u', status: CardStatus.ACTIVE, expiryMonth: 6, expiryYear: 2029, monthlyLimit: 1000n };
  const account: AccountRow = { id: 'a', ownerId: 'u', number: 'CG1', currency: 'USD', balance: 5000n, entrySeq: 1, status: AccountStatus.OPEN, system: false };
  const usd = (amount: bigint) => ({ amount, currency: 'USD' });

  it('approves within the limit and the balance', () => {
    expect(declineReason(card, account, 0n, usd(1000n), now)).toBeNull();
  });

  it('names the account first, then the card, then the money', () => {
    expect(declineReason({ ...card, status: CardStatus.CANCELLED }, { ...account, status: AccountStatus.CLOSED }, 0n, usd(1n), now)).toBe(
      DeclineReason.ACCOUNT_CLOSED,
    );
    expect(declineReason({ ...card, status: CardStatus.CANCELLED }, account, 0n, usd(1n), now)).toBe(DeclineReason.CARD_CANCELLED);
    expect(declineReason({ ...card, status: CardStatus.FROZEN }, account, 0n, usd(1n), now)).toBe(DeclineReason.CARD_FROZEN);
    expect(declineReason({ ...card, expiryYear: 2026, expiryMonth: 5 }, account, 0n, usd(1n), now)).toBe(DeclineReason.CARD_EXPIRED);
    expect(declineReason(card, account, 0n, { amount: 1n, currency: 'EUR' }, now)).toBe(DeclineReason.CURRENCY_MISMATCH);
    expect(declineReason(card, account, 900n, usd(101n), now)).toBe(DeclineReason.MONTHLY_LIMIT_EXCEEDED);
    expect(declineReason({ ...card, monthlyLimit: null }, account, 0n, usd(5001n), now)).toBe(DeclineReason.INSUFFICIENT_FUNDS);
  });
});
