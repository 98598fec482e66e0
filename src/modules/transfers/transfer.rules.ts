import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { DomainError, badUserInput, notFound, type ErrorCode } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { checkFreeText } from '../../shared/input-rules.js';
import { parseCurrency, parsePositiveAmount } from '../../shared/money.js';
import { parseAccountNumber } from '../accounts/account-number.rules.js';
import { checkOpen, credit, debit, type AccountRow } from '../accounts/account.rules.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { EntryDirection } from './ledger-entry.entity.js';
import type { EntryRow } from './ledger.types.js';
import { TransferStatus, type TransferOrigin } from './transfer.entity.js';
import type { TransferRequest } from './transfer.inputs.js';
import type { KeyOutcome } from './transfer.sql.js';
import type { TransferRow } from './transfer.types.js';

/*
 * The rules of a transfer as pure functions: no I/O, judged on rows the money transaction
 * read under lock. Every rule is judged before the first write.
 */

/** A validated request, before any database work. */
export interface Checked {
  fromAccountId: string;
  toAccountId: string | null;
  toAccountNumber: string | null;
  amount: bigint;
  currency: string;
  description: string | null;
  idempotencyKey: string | null;
}

/** Which account rows a money transaction reads. */
export interface AccountLookup {
  ids: string[];
  number: string | null;
}

/** A verdict that is stored with an idempotency key and replayed: a business-rule failure. */
export interface Refusal {
  code: ErrorCode;
  message: string;
}

/** Everything that can be judged without the database: BAD_USER_INPUT or NOT_FOUND, nothing written. */
export function checkRequest(input: TransferRequest): Checked {
  const amount = parsePositiveAmount(input.amountMinor);
  const currency = parseCurrency(input.currency);
  const hasId = input.toAccountId !== null && input.toAccountId !== undefined && input.toAccountId !== '';
  const hasNumber = input.toAccountNumber !== null && input.toAccountNumber !== undefined && input.toAccountNumber !== '';
  if (hasId === hasNumber) {
    throw badUserInput([{ field: 'toAccountId', message: 'give exactly one of toAccountId and toAccountNumber' }]);
  }
  const toAccountNumber = hasNumber ? parseAccountNumber(input.toAccountNumber!) : null;
  if (!isUuid(input.fromAccountId)) throw notFound('Account');
  if (hasId && !isUuid(input.toAccountId!)) throw notFound('Destination account');
  const key = input.idempotencyKey ?? null;
  if (key !== null && (key.length < 1 || key.length > 255)) {
    throw badUserInput([{ field: 'idempotencyKey', message: 'must be 1 to 255 characters' }]);
  }
  checkFreeText(input.description, 'description');
  return {
    fromAccountId: input.fromAccountId.toLowerCase(),
    toAccountId: hasId ? input.toAccountId!.toLowerCase() : null,
    toAccountNumber,
    amount,
    currency,
    description: input.description?.trim() || null,
    idempotencyKey: key,
  };
}

/** The source by id, the destination by id or by number. */
export function lookupOf(req: Checked): AccountLookup {
  return req.toAccountId !== null ? { ids: [req.fromAccountId, req.toAccountId], number: null } : { ids: [req.fromAccountId], number: req.toAccountNumber };
}

/** Both accounts of a request, checked: the caller's source, their own destination by id or anyone's by number. */
export function pairOf(auth: AuthInfo, req: Checked, accounts: Map<string, AccountRow>): { from: AccountRow; to: AccountRow } {
  const from = accounts.get(req.fromAccountId);
  let to: AccountRow | undefined;
  if (req.toAccountId !== null) to = accounts.get(req.toAccountId);
  else for (const a of accounts.values()) if (a.number === req.toAccountNumber && !a.system) to = a;
  if (!from || from.system || from.ownerId !== auth.userId) throw notFound('Account');
  if (!to || to.system || (req.toAccountId !== null && to.ownerId !== auth.userId)) throw notFound('Destination account');
  if (from.id === to.id) throw new DomainError('SAME_ACCOUNT', 'The source and destination are the same account');
  checkPair(from, to, req.currency);
  return { from, to };
}

/** Both open, then both in the transfer's currency. */
export function checkPair(from: AccountRow, to: AccountRow, currency: string): void {
  checkOpen(from);
  checkOpen(to);
  checkCurrency(from, currency);
  checkCurrency(to, currency);
}

export function checkCurrency(account: AccountRow, currency: string): void {
  if (account.currency !== currency) {
    throw new DomainError('CURRENCY_MISMATCH', `The account holds ${account.currency}: transfers must be in that currency`);
  }
}

/** A deposit's destination: a customer account, open, in the deposit's currency. */
export function depositTarget(accounts: Map<string, AccountRow>, accountId: string, currency: string): AccountRow {
  const to = accounts.get(accountId);
  if (!to || to.system) throw notFound('Account');
  checkOpen(to);
  checkCurrency(to, currency);
  return to;
}

/** A new transfer, PENDING_CONFIRMATION until posted. Owners and numbers are copied in: accounts never change either. */
export function newTransfer(auth: AuthInfo, origin: TransferOrigin, from: AccountRow, to: AccountRow, req: Checked, now: Date): TransferRow {
  return {
    id: uuidv7(),
    status: TransferStatus.PENDING_CONFIRMATION,
    origin,
    amount: req.amount,
    currency: req.currency,
    fromAccountId: from.id,
    toAccountId: to.id,
    fromUserId: from.ownerId,
    toUserId: to.ownerId,
    initiatorId: auth.userId,
    fromAccountNumber: from.system ? null : from.number,
    toAccountNumber: to.number,
    description: req.description,
    idempotencyKey: req.idempotencyKey,
    createdAt: now,
    postedAt: null,
    expiresAt: null,
  };
}

export interface Posting {
  transfer: TransferRow;
  entries: EntryRow[];
  /** Both accounts with their new balance and entry seq. */
  accounts: AccountRow[];
}

/**
 * Posts `transfer` between the two locked rows: the one place a transfer's rows are built.
 * Funds and both balance edges are checked (account.rules) before anything is returned.
 */
export function postTransfer(transfer: TransferRow, from: AccountRow, to: AccountRow, now: Date): Posting {
  const debited = debit(from, transfer.amount);
  const credited = credit(to, transfer.amount);
  const posted: TransferRow = { ...transfer, status: TransferStatus.POSTED, postedAt: now };
  return {
    transfer: posted,
    entries: [entry(debited, posted, EntryDirection.DEBIT, now), entry(credited, posted, EntryDirection.CREDIT, now)],
    accounts: [debited, credited],
  };
}

/** One side of a posting; the account row already holds its new balance and seq. */
function entry(account: AccountRow, transfer: TransferRow, direction: EntryDirection, postedAt: Date): EntryRow {
  return {
    id: uuidv7(),
    accountId: account.id,
    transferId: transfer.id,
    userId: account.ownerId,
    seq: account.entrySeq,
    direction,
    amount: transfer.amount,
    balanceAfter: account.balance,
    currency: transfer.currency,
    description: transfer.description,
    postedAt,
  };
}

/** sha256 of the canonical request: the same key with another request is refused. */
export function requestHash(request: Record<string, unknown>): string {
  const canonical = JSON.stringify(request, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return createHash('sha256').update(canonical).digest('hex');
}

/** A key whose first request has committed: its transfer, its stored refusal, or IDEMPOTENCY_KEY_REUSED. */
export function keyVerdict(outcome: KeyOutcome | null, hash: string): { transfer: TransferRow } | { error: Refusal } {
  if (!outcome) throw new Error('idempotency key vanished after a conflict');
  if (outcome.requestHash !== hash) return { error: keyReused() };
  if (outcome.transfer) return { transfer: outcome.transfer };
  if (outcome.errorCode) return { error: { code: outcome.errorCode as ErrorCode, message: outcome.errorMessage ?? '' } };
  throw new Error('idempotency key committed without an outcome');
}

export function keyReused(): Refusal {
  return { code: 'IDEMPOTENCY_KEY_REUSED', message: 'This idempotency key was already used for a different request: use a new key for a new request' };
}

/**
 * A transfer the caller started, before confirm or cancel: 'expire' when it is pending past
 * its expiry (the caller records EXPIRED, then refuses); TRANSFER_NOT_PENDING when it is
 * cancelled or expired; 'open' otherwise (pending, or posted: confirm answers with it).
 */
export function pendingVerdict(transfer: TransferRow, now: Date): 'expire' | 'open' {
  if (transfer.status === TransferStatus.PENDING_CONFIRMATION && transfer.expiresAt !== null && transfer.expiresAt <= now) return 'expire';
  if (transfer.status === TransferStatus.CANCELLED || transfer.status === TransferStatus.EXPIRED) throw notPending(transfer.status);
  return 'open';
}

/** Who may see a transfer: its initiator, the sender, and the recipient once it is posted. */
export function canSee(userId: string, t: Pick<TransferRow, 'initiatorId' | 'fromUserId' | 'toUserId' | 'status'>): boolean {
  return t.initiatorId === userId || t.fromUserId === userId || (t.toUserId === userId && t.status === TransferStatus.POSTED);
}

export function notPendingRefusal(status: TransferStatus): Refusal {
  return { code: 'TRANSFER_NOT_PENDING', message: `The transfer is ${status.toLowerCase().replace('_', ' ')}, not pending confirmation` };
}

export function notPending(status: TransferStatus): DomainError {
  const e = notPendingRefusal(status);
  return new DomainError(e.code, e.message);
}
