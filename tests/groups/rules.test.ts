import { describe, expect, it } from 'vitest';
import { SplitMode } from '../../src/modules/groups/group-expense.entity.js';
import { SettlementStatus } from '../../src/modules/groups/settlement.entity.js';
import { settlementStatus } from '../../src/modules/groups/settlements.rules.js';
import { suggestSettlements, type Balance } from '../../src/modules/groups/settle.rules.js';
import { balanceMoves, checkPayers, splitExpense, type BalanceLines } from '../../src/modules/groups/splits.rules.js';
import { DomainError } from '../../src/shared/errors.js';
import { minorUnitExponent } from '../../src/shared/currency.js';

const amounts = (shares: Array<{ amount: bigint }>) => shares.map((s) => s.amount);
const members = (...ids: string[]) => ids.map((userId) => ({ userId }));
const codeOf = (work: () => unknown): string | undefined => {
  try {
    work();
  } catch (error) {
    return error instanceof DomainError ? error.code : 'OTHER';
  }
  return undefined;
};

describe('equal splits', () => {
  it('splits 10.00 three ways into 3.34, 3.33, 3.33: the extra cent to the first in share order', () => {
    expect(amounts(splitExpense(1000n, SplitMode.EQUAL, members('c', 'a', 'b')))).toEqual([334n, 333n, 333n]);
  });

  it('splits 100 JPY (no decimals) three ways into 34, 33, 33 and 10.000 BHD (three decimals) seven ways without a lost fils', () => {
    expect(minorUnitExponent('JPY')).toBe(0);
    expect(minorUnitExponent('BHD')).toBe(3);
    expect(amounts(splitExpense(100n, SplitMode.EQUAL, members('a', 'b', 'c')))).toEqual([34n, 33n, 33n]);
    const bhd = amounts(splitExpense(10_000n, SplitMode.EQUAL, members('a', 'b', 'c', 'd', 'e', 'f', 'g')));
    expect(bhd).toEqual([1429n, 1429n, 1429n, 1429n, 1428n, 1428n, 1428n]);
    expect(bhd.reduce((a, b) => a + b, 0n)).toBe(10_000n);
  });

  it('refuses a value on an EQUAL share and a member listed twice', () => {
    expect(codeOf(() => splitExpense(100n, SplitMode.EQUAL, [{ userId: 'a', value: 5n }]))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => splitExpense(100n, SplitMode.EQUAL, members('a', 'a')))).toBe('BAD_USER_INPUT');
  });
});

describe('exact, percent and shares splits', () => {
  it('takes EXACT amounts as given and refuses a sum other than the expense (SPLIT_MISMATCH)', () => {
    expect(
      amounts(
        splitExpense(1000n, SplitMode.EXACT, [
          { userId: 'a', value: 999n },
          { userId: 'b', value: 1n },
        ]),
      ),
    ).toEqual([999n, 1n]);
    expect(codeOf(() => splitExpense(1000n, SplitMode.EXACT, [{ userId: 'a', value: 999n }]))).toBe('SPLIT_MISMATCH');
  });

  it('splits 1 JPY at 50/50 percent into 1 and 0, and refuses percentages that do not add up to 10000', () => {
    expect(
      splitExpense(1n, SplitMode.PERCENT, [
        { userId: 'a', value: 5000n },
        { userId: 'b', value: 5000n },
      ]),
    ).toEqual([
      { userId: 'a', amount: 1n, weight: 5000 },
      { userId: 'b', amount: 0n, weight: 5000 },
    ]);
    expect(codeOf(() => splitExpense(100n, SplitMode.PERCENT, [{ userId: 'a', value: 9999n }]))).toBe('SPLIT_MISMATCH');
  });

  it('splits 10.001 BHD at 33.33/33.33/33.34 percent exactly, leftovers in share order', () => {
    const shares = amounts(
      splitExpense(10_001n, SplitMode.PERCENT, [
        { userId: 'a', value: 3333n },
        { userId: 'b', value: 3333n },
        { userId: 'c', value: 3334n },
      ]),
    );
    // Floors: 3333, 3333, 3334 (= 10000); the one unit left goes to the first.
    expect(shares).toEqual([3334n, 3333n, 3334n]);
  });

  it('splits 45.00 by 2 and 1 parts into 30.00 and 15.00, and 1.00 by 1/1/1 parts into 34, 33, 33; a zero-part share gets no leftover', () => {
    expect(
      amounts(
        splitExpense(4500n, SplitMode.SHARES, [
          { userId: 'me', value: 2n },
          { userId: 'ana', value: 1n },
        ]),
      ),
    ).toEqual([3000n, 1500n]);
    expect(
      amounts(
        splitExpense(100n, SplitMode.SHARES, [
          { userId: 'z', value: 0n },
          { userId: 'a', value: 1n },
          { userId: 'b', value: 2n },
        ]),
      ),
    ).toEqual([0n, 34n, 66n]);
    expect(codeOf(() => splitExpense(100n, SplitMode.SHARES, [{ userId: 'a', value: 0n }]))).toBe('SPLIT_MISMATCH');
  });

  it('always adds up exactly, whatever the amount and weights', () => {
    for (let n = 1; n < 400; n++) {
      const amount = BigInt(n * 7919 + 13);
      const weights = [n % 7, (n * 3) % 11, 1 + (n % 5)].map((w) => BigInt(w));
      const shares = splitExpense(
        amount,
        SplitMode.SHARES,
        weights.map((value, i) => ({ userId: `u${i}`, value })),
      );
      expect(shares.reduce((sum, s) => sum + s.amount, 0n)).toBe(amount);
    }
  });
});

describe('payers', () => {
  it('accepts payers adding up to the expense and refuses any other sum (SPLIT_MISMATCH)', () => {
    expect(
      checkPayers(100n, [
        { userId: 'a', value: 60n },
        { userId: 'b', value: 40n },
      ]),
    ).toHaveLength(2);
    expect(codeOf(() => checkPayers(100n, [{ userId: 'a', value: 60n }]))).toBe('SPLIT_MISMATCH');
    expect(
      codeOf(() =>
        checkPayers(100n, [
          { userId: 'a', value: 0n },
          { userId: 'b', value: 100n },
        ]),
      ),
    ).toBe('BAD_USER_INPUT');
  });
});

describe('balance moves of an expense write', () => {
  const lines = (payers: Array<[string, number]>, shares: Array<[string, number]>, deleted = false): BalanceLines => ({
    payers: payers.map(([userId, amount]) => ({ userId, amount: String(amount) })),
    shares: shares.map(([userId, amount]) => ({ userId, amount: String(amount) })),
    deleted,
  });
  const moves = (m: Map<string, bigint>) => Object.fromEntries(m);

  it("adds what a new expense says: the payer is owed the others' shares", () => {
    expect(
      moves(
        balanceMoves(
          null,
          lines(
            [['a', 900]],
            [
              ['a', 300],
              ['b', 300],
              ['c', 300],
            ],
          ),
        ),
      ),
    ).toEqual({ a: 600n, b: -300n, c: -300n });
  });

  it('moves an edit by the difference only, and leaves out members it does not move', () => {
    const before = lines(
      [['a', 900]],
      [
        ['a', 300],
        ['b', 300],
        ['c', 300],
      ],
    );
    const after = lines(
      [['a', 900]],
      [
        ['a', 300],
        ['b', 600],
      ],
    );
    expect(moves(balanceMoves(before, after))).toEqual({ b: -300n, c: 300n });
    expect(balanceMoves(before, before).size).toBe(0);
  });

  it('takes a deleted version back entirely, and a deleted version moves nothing', () => {
    const before = lines(
      [
        ['a', 500],
        ['b', 400],
      ],
      [
        ['a', 450],
        ['b', 450],
      ],
    );
    expect(moves(balanceMoves(before, { ...before, deleted: true }))).toEqual({ a: -50n, b: 50n });
    expect(balanceMoves({ ...before, deleted: true }, { ...before, deleted: true }).size).toBe(0);
  });

  it('sums to zero for any pair of versions that add up, and keeps amounts past 2^53 exact', () => {
    const big = '9007199254740993';
    const m = balanceMoves(null, { payers: [{ userId: 'a', amount: big }], shares: [{ userId: 'b', amount: big }], deleted: false });
    expect(m.get('a')).toBe(9007199254740993n);
    expect([...m.values()].reduce((x, y) => x + y, 0n)).toBe(0n);
  });
});

describe('suggested settlements', () => {
  const apply = (balances: Balance[], from: string, to: string, amount: bigint): Balance[] =>
    balances.map((b) => ({ userId: b.userId, balance: b.balance + (b.userId === from ? amount : 0n) - (b.userId === to ? amount : 0n) }));

  it('settles every balance in at most members - 1 payments', () => {
    const balances = [
      { userId: 'a', balance: 700n },
      { userId: 'b', balance: -300n },
      { userId: 'c', balance: -500n },
      { userId: 'd', balance: 100n },
    ];
    const plan = suggestSettlements(balances);
    expect(plan.length).toBeLessThanOrEqual(3);
    let after = balances;
    for (const s of plan) after = apply(after, s.fromUserId, s.toUserId, s.amount);
    expect(after.every((b) => b.balance === 0n)).toBe(true);
  });

  it('is stable: paying any one suggestion leaves the others exactly as they were', () => {
    for (let seed = 1; seed < 60; seed++) {
      const raw = Array.from({ length: 6 }, (_, i) => BigInt(((seed * (i + 3) * 7919) % 2001) - 1000));
      raw[5] = -raw.slice(0, 5).reduce((a, b) => a + b, 0n);
      const balances = raw.map((balance, i) => ({ userId: `u${i}`, balance }));
      const plan = suggestSettlements(balances);
      for (const [i, paid] of plan.entries()) {
        const rest = suggestSettlements(apply(balances, paid.fromUserId, paid.toUserId, paid.amount));
        expect(rest).toEqual(plan.filter((_, j) => j !== i));
      }
    }
  });
});

describe('a proposed settlement follows its transfer', () => {
  const now = new Date('2026-12-07T12:00:00Z');
  const later = new Date('2026-12-07T12:10:00Z');

  it('is CANCELLED once its transfer is cancelled, expired, or pending past its expiry; SETTLED and CANCELLED stay', () => {
    expect(settlementStatus(SettlementStatus.PROPOSED, 'PENDING_CONFIRMATION', later, now)).toBe('PROPOSED');
    expect(settlementStatus(SettlementStatus.PROPOSED, 'PENDING_CONFIRMATION', now, now)).toBe('CANCELLED');
    expect(settlementStatus(SettlementStatus.PROPOSED, 'EXPIRED', null, now)).toBe('CANCELLED');
    expect(settlementStatus(SettlementStatus.PROPOSED, 'CANCELLED', null, now)).toBe('CANCELLED');
    expect(settlementStatus(SettlementStatus.SETTLED, 'POSTED', null, now)).toBe('SETTLED');
    expect(settlementStatus(SettlementStatus.SETTLED, null, null, now)).toBe('SETTLED');
  });
});
