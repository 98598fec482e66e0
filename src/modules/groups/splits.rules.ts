import { DomainError, badUserInput } from '../../shared/errors.js';
import { SplitMode } from './group-expense.entity.js';

/*
 * How an expense is shared, as pure integer arithmetic in minor units: shares always add up
 * to the expense exactly. Rounding order: each share is rounded down, then the units left go
 * one each to the shares in the expense's share order (the order given, or the members' join
 * order when EQUAL lists nobody), skipping shares of weight 0.
 */

export const BASIS_POINTS = 10_000n;
const MAX_PARTS = 1_000_000n;

/** One line of a request: a member and, per mode, an amount, basis points or parts. */
export interface LineRequest {
  userId: string;
  value?: bigint | null;
}

/** A computed share: its amount, and the weight it was computed from (PERCENT, SHARES). */
export interface Share {
  userId: string;
  amount: bigint;
  weight: number | null;
}

export interface Payer {
  userId: string;
  amount: bigint;
}

function mismatch(message: string): DomainError {
  return new DomainError('SPLIT_MISMATCH', message);
}

function checkDistinct(lines: readonly LineRequest[], field: string): void {
  if (lines.length === 0) throw badUserInput([{ field, message: 'must list at least one member' }]);
  if (new Set(lines.map((l) => l.userId.toLowerCase())).size !== lines.length) {
    throw badUserInput([{ field, message: 'must list each member once' }]);
  }
}

/** Payers who paid more than nothing, adding up to the expense (SPLIT_MISMATCH otherwise). */
export function checkPayers(amount: bigint, payers: readonly LineRequest[]): Payer[] {
  checkDistinct(payers, 'paidBy');
  const out = payers.map((p) => {
    if (p.value === null || p.value === undefined || p.value <= 0n) throw badUserInput([{ field: 'paidBy', message: 'each amount must be greater than zero' }]);
    return { userId: p.userId, amount: p.value };
  });
  const total = out.reduce((sum, p) => sum + p.amount, 0n);
  if (total !== amount) throw mismatch(`The payers add up to ${total} minor units, the expense is ${amount}`);
  return out;
}

/** The shares of `amount` under `mode`, in the order of `lines`. */
export function splitExpense(amount: bigint, mode: SplitMode, lines: readonly LineRequest[]): Share[] {
  checkDistinct(lines, 'shares');
  switch (mode) {
    case SplitMode.EQUAL:
      if (lines.some((l) => l.value !== null && l.value !== undefined)) throw badUserInput([{ field: 'shares', message: 'EQUAL shares take no value' }]);
      return proportional(
        amount,
        lines.map((l) => ({ userId: l.userId, weight: 1n })),
        false,
      );
    case SplitMode.EXACT:
      return exact(amount, lines);
    case SplitMode.PERCENT: {
      const weighted = weights(lines, BASIS_POINTS, 'basis points from 0 to 10000');
      const total = weighted.reduce((sum, l) => sum + l.weight, 0n);
      if (total !== BASIS_POINTS) throw mismatch(`The percentages add up to ${total} basis points, not 10000`);
      return proportional(amount, weighted, true);
    }
    case SplitMode.SHARES: {
      const weighted = weights(lines, MAX_PARTS, `whole parts from 0 to ${MAX_PARTS}`);
      if (weighted.every((l) => l.weight === 0n)) throw mismatch('At least one share needs more than 0 parts');
      return proportional(amount, weighted, true);
    }
  }
}

function exact(amount: bigint, lines: readonly LineRequest[]): Share[] {
  const shares = lines.map((l) => {
    if (l.value === null || l.value === undefined || l.value < 0n)
      throw badUserInput([{ field: 'shares', message: 'each EXACT share needs an amount of 0 or more' }]);
    return { userId: l.userId, amount: l.value, weight: null };
  });
  const total = shares.reduce((sum, s) => sum + s.amount, 0n);
  if (total !== amount) throw mismatch(`The shares add up to ${total} minor units, the expense is ${amount}`);
  return shares;
}

function weights(lines: readonly LineRequest[], max: bigint, what: string): Array<{ userId: string; weight: bigint }> {
  return lines.map((l) => {
    if (l.value === null || l.value === undefined || l.value < 0n || l.value > max)
      throw badUserInput([{ field: 'shares', message: `each share needs ${what}` }]);
    return { userId: l.userId, weight: l.value };
  });
}

/** Rounded down by weight, then the leftover units one each to the weighted shares in order. */
function proportional(amount: bigint, lines: ReadonlyArray<{ userId: string; weight: bigint }>, keepWeight: boolean): Share[] {
  const total = lines.reduce((sum, l) => sum + l.weight, 0n);
  const shares = lines.map((l) => ({ userId: l.userId, amount: (amount * l.weight) / total, weight: keepWeight ? Number(l.weight) : null }));
  let left = amount - shares.reduce((sum, s) => sum + s.amount, 0n);
  // Fewer units are left than there are weighted shares, so one pass places them all.
  for (const [i, share] of shares.entries()) {
    if (left === 0n) break;
    if (lines[i]!.weight === 0n) continue;
    share.amount += 1n;
    left -= 1n;
  }
  return shares;
}

/** What one version of an expense says for balances: who paid and who owes, amounts as digits. */
export interface BalanceLines {
  payers: ReadonlyArray<{ userId: string; amount: string }>;
  shares: ReadonlyArray<{ userId: string; amount: string }>;
  deleted: boolean;
}

/**
 * How an expense write moves each member's balance (paid minus owed): the new version's lines
 * counted in, the old version's counted out; a deleted version counts for nothing. Members whose
 * balance does not move are left out.
 */
export function balanceMoves(before: BalanceLines | null, after: BalanceLines | null): Map<string, bigint> {
  const moves = new Map<string, bigint>();
  const add = (lines: BalanceLines | null, sign: bigint) => {
    if (!lines || lines.deleted) return;
    for (const p of lines.payers) moves.set(p.userId, (moves.get(p.userId) ?? 0n) + sign * BigInt(p.amount));
    for (const s of lines.shares) moves.set(s.userId, (moves.get(s.userId) ?? 0n) - sign * BigInt(s.amount));
  };
  add(before, -1n);
  add(after, 1n);
  for (const [userId, delta] of moves) if (delta === 0n) moves.delete(userId);
  return moves;
}
