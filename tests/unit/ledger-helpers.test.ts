import 'reflect-metadata';
import type { EntityManager } from '@mikro-orm/postgresql';
import { describe, expect, it } from 'vitest';
import { isValidAccountNumber, newAccountNumber, parseAccountNumber } from '../../src/modules/accounts/account-number.rules.js';
import { formatDecimal, minorUnitExponent } from '../../src/shared/money.js';
import { inTransaction } from '../../src/shared/transactions.js';

function flakyEm(failures: string[]): { em: EntityManager; calls: () => number } {
  let calls = 0;
  const em = {
    async transactional<T>(work: (em: unknown) => Promise<T>): Promise<T> {
      const code = failures[calls++];
      if (code) throw Object.assign(new Error(`sqlstate ${code}`), { code });
      return work(em);
    },
  } as unknown as EntityManager;
  return { em, calls: () => calls };
}

describe('inTransaction', () => {
  it('runs the transaction again after a deadlock or serialization failure', async () => {
    const { em, calls } = flakyEm(['40P01', '40001', '40P01']);
    await expect(inTransaction(em, async () => 'done')).resolves.toBe('done');
    expect(calls()).toBe(4);
  });

  it('does not retry other errors', async () => {
    const { em, calls } = flakyEm(['23505']);
    await expect(inTransaction(em, async () => 'done')).rejects.toMatchObject({ code: '23505' });
    expect(calls()).toBe(1);
  });
});

describe('money and account numbers', () => {
  it("formats minor units with integer arithmetic in the currency's exponent", () => {
    expect(minorUnitExponent('JPY')).toBe(0);
    expect(minorUnitExponent('BHD')).toBe(3);
    expect(formatDecimal(-5n, 'BHD')).toBe('-0.005');
    expect(formatDecimal(-(2n ** 63n), 'USD')).toBe('-92233720368547758.08');
    expect(formatDecimal(980n, 'JPY')).toBe('980');
  });

  it('issues numbers whose check digits catch every single-digit typo', () => {
    for (let n = 0; n < 20; n++) {
      const number = newAccountNumber();
      expect(isValidAccountNumber(number)).toBe(true);
      for (let i = 2; i < number.length; i++) {
        for (let d = 0; d <= 9; d++) {
          if (String(d) === number[i]) continue;
          const typo = number.slice(0, i) + String(d) + number.slice(i + 1);
          expect(() => parseAccountNumber(typo), typo).toThrow();
        }
      }
    }
  });
});
