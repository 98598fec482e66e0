import { DomainError } from '../../shared/errors.js';
import { INT64_MAX, INT64_MIN } from '../../shared/int64.js';
import { AccountStatus } from './account.entity.js';

/*
 * Balance changes, as pure functions on the rows the money transaction read under lock.
 * Check order is observable and fixed: open and currency (the caller), then funds, then
 * the int64 edge (the source's, then the destination's).
 */

/** An account row as the money transaction sees it (locked when money will move). */
export interface AccountRow {
  id: string;
  ownerId: string | null;
  number: string;
  currency: string;
  balance: bigint;
  entrySeq: number;
  status: AccountStatus;
  system: boolean;
}

/** A closed account takes nothing new: no money, no card, no goal linked to it. */
export function checkOpen(account: Pick<AccountRow, 'status'>): void {
  if (account.status !== AccountStatus.OPEN) throw accountClosed();
}

/**
 * Takes `amount` out: a customer account needs the funds, the currency's system account
 * may go below zero but not past int64 (it would refuse every later deposit for good).
 */
export function debit(account: AccountRow, amount: bigint): AccountRow {
  if (!account.system && account.balance < amount) throw insufficientFunds();
  const balance = account.balance - amount;
  if (balance < INT64_MIN) throw balanceLimit();
  return { ...account, balance, entrySeq: account.entrySeq + 1 };
}

export function credit(account: AccountRow, amount: bigint): AccountRow {
  const balance = account.balance + amount;
  if (balance > INT64_MAX) throw balanceLimit();
  return { ...account, balance, entrySeq: account.entrySeq + 1 };
}

export function accountClosed(): DomainError {
  return new DomainError('ACCOUNT_CLOSED', 'The account is closed');
}

function insufficientFunds(): DomainError {
  return new DomainError('INSUFFICIENT_FUNDS', 'The source account does not hold enough money for this transfer');
}

function balanceLimit(): DomainError {
  return new DomainError('BALANCE_LIMIT', 'This posting would take an account balance past the largest amount the ledger can hold: nothing was posted');
}
