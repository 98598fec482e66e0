import { describe, expect, it } from 'vitest';
import { allocations, feeOccurrences, formatAmount, observations, roundedShare } from '../../src/modules/budget/budget.rules.js';
import { parseDay, parseMonth } from '../../src/shared/calendar-input.js';
import { FeeCadence } from '../../src/modules/budget/fee.entity.js';
import { SpendingCategory } from '../../src/modules/cards/mcc.rules.js';
import { monthRange } from '../../src/shared/time-zone.js';

const day = (s: string) => parseDay(s, 'd');

describe('allocation rounding', () => {
  it('rounds half to even in whole minor units', () => {
    expect(roundedShare(1n, 5000)).toBe(0n); // 0.5 -> 0
    expect(roundedShare(3n, 5000)).toBe(2n); // 1.5 -> 2
    expect(roundedShare(5n, 5000)).toBe(2n); // 2.5 -> 2
    expect(roundedShare(7n, 5000)).toBe(4n); // 3.5 -> 4
    expect(roundedShare(1001n, 3333)).toBe(334n); // 333.6333 -> 334
  });

  it('with JPY (no decimals) never gives the jars more than the income', () => {
    // 3 yen in two halves: each rounds 1.5 -> 2, together 4 > 3; the newer jar gives one back.
    const shares = allocations(3n, [
      { id: 'a', allocationBasisPoints: 5000 },
      { id: 'b', allocationBasisPoints: 5000 },
    ]);
    expect([shares.get('a'), shares.get('b')]).toEqual([2n, 1n]);
    const thirds = allocations(
      100n,
      [1, 2, 3].map((i) => ({ id: String(i), allocationBasisPoints: 3333 })),
    );
    expect([...thirds.values()]).toEqual([33n, 33n, 33n]);
  });

  it('with BHD (3 decimals) keeps exact fils', () => {
    // 1234.567 BHD, 12.5% = 154.320875 -> 154.321
    expect(allocations(1_234_567n, [{ id: 'x', allocationBasisPoints: 1250 }]).get('x')).toBe(154_321n);
    expect(formatAmount(154_321n, 'BHD')).toBe('154.321 BHD');
    expect(formatAmount(125_000n, 'USD')).toBe('1,250.00 USD');
    expect(formatAmount(1_234_567n, 'JPY')).toBe('1,234,567 JPY');
  });
});

describe('months and days', () => {
  it('refuses malformed months and days', () => {
    for (const bad of ['2026-13', '2026-1', 'October', '2026-00']) expect(() => parseMonth(bad)).toThrow(/YYYY-MM/);
    for (const bad of ['2026-02-30', '2026-2-1', 'tomorrow']) expect(() => parseDay(bad, 'd')).toThrow(/YYYY-MM-DD/);
  });

  it('starts a month at local midnight in a non-UTC zone, DST included', () => {
    expect(monthRange(2026, 10, 'America/New_York').from.toISOString()).toBe('2026-10-01T04:00:00.000Z');
    expect(monthRange(2026, 10, 'America/New_York').to.toISOString()).toBe('2026-11-01T04:00:00.000Z');
    expect(monthRange(2026, 11, 'America/New_York').to.toISOString()).toBe('2026-12-01T05:00:00.000Z');
    expect(monthRange(2026, 1, 'Asia/Tokyo').from.toISOString()).toBe('2025-12-31T15:00:00.000Z');
  });
});

describe('fee occurrences', () => {
  it('puts a monthly fee due on the 31st on the last day of shorter months', () => {
    expect(feeOccurrences(FeeCadence.MONTHLY, day('2026-01-31'), { year: 2026, month: 2 })).toEqual([day('2026-02-28')]);
    expect(feeOccurrences(FeeCadence.MONTHLY, day('2026-01-31'), { year: 2026, month: 3 })).toEqual([day('2026-03-31')]);
    expect(feeOccurrences(FeeCadence.MONTHLY, day('2026-05-10'), { year: 2026, month: 4 })).toEqual([]);
  });

  it('lists each weekly occurrence once and yearly ones only in their month', () => {
    expect(feeOccurrences(FeeCadence.WEEKLY, day('2026-11-27'), { year: 2026, month: 12 }).map((d) => d.day)).toEqual([4, 11, 18, 25]);
    expect(feeOccurrences(FeeCadence.YEARLY, day('2024-12-15'), { year: 2026, month: 12 })).toEqual([day('2026-12-15')]);
    expect(feeOccurrences(FeeCadence.YEARLY, day('2024-12-15'), { year: 2026, month: 11 })).toEqual([]);
  });
});

describe('observations', () => {
  it('names overspent jars, rising categories and the fees to come', () => {
    expect(
      observations({
        currency: 'USD',
        jars: [
          { name: 'Dining', allocated: 10_000n, spent: 14_000n },
          { name: 'Groceries', allocated: 10_000n, spent: 9_000n },
        ],
        categories: [{ category: SpendingCategory.SUBSCRIPTIONS, spent: 2_200n, previous: 1_000n }],
        upcomingFees: [{ amount: 100_000n }, { amount: 20_000n }, { amount: 5_000n }],
      }),
    ).toEqual(['Dining is 40% over its jar.', 'Subscriptions rose by 12.00 USD.', '3 fees are due next month totalling 1,250.00 USD.']);
  });
});
