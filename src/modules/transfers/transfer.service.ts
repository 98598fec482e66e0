import { createHash } from 'node:crypto';
import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { v7 as uuidv7 } from 'uuid';
import { Topic, type LedgerEntryData, type TransferData } from '../../pubsub/topics.js';
import type { CoreDeps } from '../../deps.js';
import { DomainError, badUserInput, notFound, type ErrorCode } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { fitsBalance, parseCurrency, parsePositiveAmount } from '../../shared/money.js';
import { decodeCursor, pageSize, toPage, type Page } from '../../shared/pagination.js';
import { parseAccountNumber } from '../accounts/account-number.js';
import { AccountStatus } from '../accounts/account.entity.js';
import type { AccountService } from '../accounts/account.service.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { EntryDirection } from './ledger-entry.entity.js';
import { Transfer, TransferOrigin, TransferStatus } from './transfer.entity.js';
import type { CreateTransferInput, DepositInput, TransferRequest, TransfersArgs } from './transfer.inputs.js';
import {
  accountRows,
  claimKey,
  insertEntries,
  insertTransfer,
  keyDone,
  keyFailed,
  keyOutcome,
  moneyTransaction,
  selectAccounts,
  selectKeyOutcome,
  selectTransferForUpdate,
  transferOf,
  updateBalances,
  updateTransferStatus,
  type AccountRow,
  type MoneyTx,
  type Stmt,
} from './transfer.sql.js';
import {
  entryData,
  transferData,
  transferRow,
  transferView,
  type EntryRow,
  type LedgerEntryView,
  type TransferRow,
  type TransferView,
} from './transfer.types.js';

/** A validated request, before any database work. */
interface Checked {
  fromAccountId: string;
  toAccountId: string | null;
  toAccountNumber: string | null;
  amount: bigint;
  currency: string;
  description: string | null;
  idempotencyKey: string | null;
}

interface Posted {
  transfer: TransferData;
  entries: Array<{ userId: string | null; entry: LedgerEntryData }>;
}

type Outcome = Posted | { error: { code: ErrorCode; message: string } };

/** What a decision writes: the response and the events are built from these rows, not read back. */
interface Written {
  transfer: TransferRow;
  entries: EntryRow[];
  writes: Stmt[];
}

/**
 * The rules of one request, judged on the rows read under lock. No I/O: its writes go out
 * in the same round trip as COMMIT, so the locks are held for two round trips in all.
 */
type Decide = (accounts: Map<string, AccountRow>, now: Date) => Written;

export class TransferService {
  private readonly byId = new DataLoader<string, Transfer | null>(async (ids) => {
    const rows = await this.em.find(Transfer, { id: { $in: [...ids] } });
    const map = new Map(rows.map((t) => [t.id, t]));
    return ids.map((id) => map.get(id) ?? null);
  });

  constructor(
    private readonly em: EntityManager,
    private readonly deps: CoreDeps,
    private readonly accounts: AccountService,
  ) {}

  /** Moves money now, from one of the caller's accounts. */
  async create(auth: AuthInfo, input: CreateTransferInput): Promise<TransferView> {
    return this.counted('transfer', async () => {
      const req = checkRequest(input);
      return this.keyed(auth, { kind: 'transfer', ...req }, req.idempotencyKey, req, true, (accounts, now) => {
        const { from, to } = pairOf(auth, req, accounts);
        requireFunds(from, req.amount);
        return post(newTransfer(auth, TransferOrigin.USER, from, to, req, now), from, to, now, false);
      });
    });
  }

  /**
   * A PENDING_CONFIRMATION transfer: holds no money, expires after transferPendingTtlSec,
   * posted by confirm (which checks everything again) or dropped by cancel.
   */
  async propose(auth: AuthInfo, input: TransferRequest, origin: TransferOrigin = TransferOrigin.ASSISTANT): Promise<TransferView> {
    return this.counted('proposal', async () => {
      const req = checkRequest(input);
      return this.keyed(auth, { kind: 'proposal', ...req }, req.idempotencyKey, req, false, (accounts, now) => {
        const { from, to } = pairOf(auth, req, accounts);
        const transfer = newTransfer(auth, origin, from, to, req, now);
        transfer.expiresAt = new Date(now.getTime() + this.deps.config.transferPendingTtlSec * 1000);
        return { transfer, entries: [], writes: [insertTransfer(transfer)] };
      });
    });
  }

  /** Money from outside the bank: the currency's system account pays, so entries sum to zero. */
  async deposit(auth: AuthInfo, input: DepositInput): Promise<TransferView> {
    return this.counted('deposit', async () => {
      const amount = parsePositiveAmount(input.amountMinor);
      const currency = parseCurrency(input.currency);
      if (!isUuid(input.accountId)) throw notFound('Account');
      const req = { accountId: input.accountId, amount, currency, description: input.description?.trim() || null };
      // Created once per currency and never changed: it need not be in the money transaction.
      const systemId = await this.accounts.systemAccountId(this.em, currency);
      const ids = { ids: [systemId, req.accountId], number: null };
      return this.keyed(auth, { kind: 'deposit', ...req }, input.idempotencyKey, ids, true, (locked, now) => {
        const system = locked.get(systemId)!;
        const to = locked.get(req.accountId);
        if (!to || to.system) throw notFound('Account');
        if (to.status !== AccountStatus.OPEN) throw accountClosed();
        if (to.currency !== currency) throw currencyMismatch(to.currency);
        const checked: Checked = { ...req, fromAccountId: systemId, toAccountId: to.id, toAccountNumber: null, idempotencyKey: input.idempotencyKey };
        return post(newTransfer(auth, TransferOrigin.OPERATOR, system, to, checked, now), system, to, now, false);
      });
    });
  }

  /** Posts a pending transfer with every check run again; a second confirm returns the posted one. */
  async confirm(auth: AuthInfo, id: string): Promise<TransferView> {
    return this.counted('confirm', async () => {
      const outcome = await this.decide(auth, id, async (tx, transfer, now) => {
        if (transfer.status === TransferStatus.POSTED) return { transfer, entries: [], writes: [] };
        const [result] = await tx.send(selectAccounts({ ids: [transfer.fromAccountId, transfer.toAccountId], number: null }, true));
        const locked = accountRows(result!);
        const from = locked.get(transfer.fromAccountId);
        const to = locked.get(transfer.toAccountId);
        if (!from || from.ownerId !== auth.userId || !to) throw notFound('Account');
        checkOpenAndCurrency(from, to, transfer.currency);
        requireFunds(from, transfer.amount);
        return post(transfer, from, to, now, true);
      });
      return this.finish(auth, outcome);
    });
  }

  async cancel(auth: AuthInfo, id: string): Promise<TransferView> {
    return this.counted('cancel', async () => {
      const outcome = await this.decide(auth, id, async (_tx, transfer, now) => {
        if (transfer.status === TransferStatus.POSTED) throw notPending(transfer.status);
        transfer.status = TransferStatus.CANCELLED;
        return { transfer, entries: [], writes: [updateTransferStatus(transfer.id, transfer.status, now, false)] };
      });
      return this.finish(auth, outcome);
    });
  }

  /** Counts the request in the metrics by its outcome: the transfer's status, or the error code. */
  private async counted(kind: string, work: () => Promise<TransferView>): Promise<TransferView> {
    try {
      const view = await work();
      this.deps.metrics.transfer(kind, view.status);
      return view;
    } catch (error) {
      this.deps.metrics.transfer(kind, error instanceof DomainError ? error.code : 'INTERNAL_SERVER_ERROR');
      throw error;
    }
  }

  /** Marks every pending transfer past its expiry EXPIRED; returns how many. Reads already treat them so. */
  expireDue(): Promise<number> {
    return this.em.nativeUpdate(
      Transfer,
      { status: TransferStatus.PENDING_CONFIRMATION, expiresAt: { $lte: this.deps.clock.now() } },
      { status: TransferStatus.EXPIRED, updatedAt: this.deps.clock.now() },
    );
  }

  async get(auth: AuthInfo, id: string): Promise<TransferView> {
    return transferView(await this.snapshot(auth, id), auth.userId, this.deps.clock.now());
  }

  /** The JSON-safe snapshot that events carry (the agent's TransferProposed), for a transfer the caller may see. */
  async snapshot(auth: AuthInfo, id: string): Promise<TransferData> {
    const transfer = isUuid(id) ? await this.byId.load(id) : null;
    if (!transfer || !canSee(auth.userId, transfer)) throw notFound('Transfer');
    return transferData(transferRow(transfer));
  }

  /** For LedgerEntry.transfer: the entry is the caller's, so its transfer is theirs to see; batched. */
  async forEntry(auth: AuthInfo, entry: LedgerEntryView): Promise<TransferView> {
    if (entry.transfer) return entry.transfer;
    const transfer = await this.byId.load(entry.transferId);
    if (!transfer) throw notFound('Transfer');
    return transferView(transferData(transferRow(transfer)), auth.userId, this.deps.clock.now());
  }

  /** Newest first by id (uuid v7: time-ordered), keyset-paged so inserts never shift a page. */
  async list(auth: AuthInfo, args: TransfersArgs): Promise<Page<TransferView>> {
    const limit = pageSize(args.first);
    const cursor = decodeCursor(args.after);
    if (cursor && (typeof cursor[0] !== 'string' || !isUuid(cursor[0]))) {
      throw badUserInput([{ field: 'after', message: 'is not a cursor this API gave out' }]);
    }
    const now = this.deps.clock.now();
    const me = auth.userId;
    const conditions: Array<FilterQuery<Transfer>> = [
      { $or: [{ initiator: me }, { fromUser: me }, { toUser: me, status: TransferStatus.POSTED }] },
    ];
    if (args.accountId) {
      const account = await this.accounts.get(auth, args.accountId);
      conditions.push({ $or: [{ fromAccount: account.id }, { toAccount: account.id }] });
    }
    if (args.status === TransferStatus.PENDING_CONFIRMATION) {
      conditions.push({ status: TransferStatus.PENDING_CONFIRMATION, expiresAt: { $gt: now } });
    } else if (args.status === TransferStatus.EXPIRED) {
      conditions.push({
        $or: [{ status: TransferStatus.EXPIRED }, { status: TransferStatus.PENDING_CONFIRMATION, expiresAt: { $lte: now } }],
      });
    } else if (args.status) {
      conditions.push({ status: args.status });
    }
    const where: FilterQuery<Transfer> = { $and: conditions };
    const [rows, total] = await Promise.all([
      this.em.find(Transfer, cursor ? { $and: [where, { id: { $lt: cursor[0] as string } }] } : where, {
        orderBy: { id: 'desc' },
        limit: limit + 1,
      }),
      this.em.count(Transfer, where),
    ]);
    const views = rows.map((t) => transferView(transferData(transferRow(t)), me, now));
    return toPage(views, limit, (t) => [t.id], total, { forward: true, hadCursor: cursor !== undefined });
  }

  // ---------- the money transaction ----------

  /**
   * Runs `decide` in one transaction behind the caller's idempotency key. The key row is
   * inserted first: a concurrent request with the same key waits on it, then reads the
   * winner's outcome. A business-rule failure is stored with the key and the transaction
   * still commits, so a retry fails the same way instead of succeeding later.
   * Round trip 1: BEGIN, the claim, the accounts (locked in id order when money moves);
   * round trip 2: every write, the key's outcome and COMMIT.
   */
  private async keyed(
    auth: AuthInfo,
    request: Record<string, unknown>,
    key: string | null,
    accounts: { ids: string[]; number: string | null } | Checked,
    lock: boolean,
    decide: Decide,
  ): Promise<TransferView> {
    const hash = requestHash(request);
    const lookup = 'ids' in accounts ? accounts : lookupOf(accounts);
    const outcome = await moneyTransaction<Outcome>(this.em, async (tx) => {
      const now = this.deps.clock.now();
      const claimId = key === null ? null : uuidv7();
      const claim = claimId === null ? [] : [claimKey(claimId, now, auth.userId, key!, hash)];
      const results = await tx.send(...claim, selectAccounts(lookup, lock));
      if (claimId !== null && results[0]!.rows.length === 0) return this.replay(tx, auth.userId, key!, hash);
      let done: Written;
      try {
        done = decide(accountRows(results[results.length - 1]!), now);
      } catch (error) {
        if (!(error instanceof DomainError) || claimId === null) throw error;
        // Every rule is judged before the first write, so only the verdict is stored.
        await tx.commit(keyFailed(claimId, error.code, error.message, now));
        return { error: { code: error.code, message: error.message } };
      }
      await tx.commit(...done.writes, ...(claimId === null ? [] : [keyDone(claimId, done.transfer.id, now)]));
      return posted(done);
    });
    return this.finish(auth, outcome);
  }

  /** The key's first request has committed (ON CONFLICT waited for it): answer with its outcome. */
  private async replay(tx: MoneyTx, userId: string, key: string, hash: string): Promise<Outcome> {
    const [result] = await tx.send(selectKeyOutcome(userId, key));
    const row = keyOutcome(result!);
    if (!row) throw new Error('idempotency key vanished after a conflict');
    if (row.requestHash !== hash) {
      return {
        error: {
          code: 'IDEMPOTENCY_KEY_REUSED',
          message: 'This idempotency key was already used for a different request: use a new key for a new request',
        },
      };
    }
    if (row.transfer) return { transfer: transferData(row.transfer), entries: [] };
    if (row.errorCode) return { error: { code: row.errorCode as ErrorCode, message: row.errorMessage ?? '' } };
    throw new Error('idempotency key committed without an outcome');
  }

  /** Locks a transfer the caller started and lets `work` decide; expiry is settled first. */
  private async decide(
    auth: AuthInfo,
    id: string,
    work: (tx: MoneyTx, transfer: TransferRow, now: Date) => Promise<Written>,
  ): Promise<Outcome> {
    if (!isUuid(id)) throw notFound('Transfer');
    return moneyTransaction<Outcome>(this.em, async (tx) => {
      const now = this.deps.clock.now();
      const [result] = await tx.send(selectTransferForUpdate(id));
      const transfer = transferOf(result!);
      if (!transfer || transfer.initiatorId !== auth.userId) throw notFound('Transfer');
      if (transfer.status === TransferStatus.PENDING_CONFIRMATION && transfer.expiresAt !== null && transfer.expiresAt <= now) {
        // Record the expiry (this commits), then refuse.
        await tx.commit(updateTransferStatus(transfer.id, TransferStatus.EXPIRED, now, false));
        return { error: notPendingError(TransferStatus.EXPIRED) };
      }
      if (transfer.status === TransferStatus.CANCELLED || transfer.status === TransferStatus.EXPIRED) {
        throw notPending(transfer.status);
      }
      const done = await work(tx, transfer, now);
      await tx.commit(...done.writes);
      return posted(done);
    });
  }

  /** After commit: raise a stored failure, or publish the new entries and answer. */
  private async finish(auth: AuthInfo, outcome: Outcome): Promise<TransferView> {
    if ('error' in outcome) throw new DomainError(outcome.error.code, outcome.error.message);
    for (const { userId, entry } of outcome.entries) {
      if (userId === null) continue;
      await this.deps.pubsub.publish(Topic.ACCOUNT_ACTIVITY, userId, { userId, entry, transfer: outcome.transfer });
    }
    return transferView(outcome.transfer, auth.userId, this.deps.clock.now());
  }
}

/** Which account rows a request reads: the source by id, the destination by id or by number. */
function lookupOf(req: Checked): { ids: string[]; number: string | null } {
  return req.toAccountId !== null ? { ids: [req.fromAccountId, req.toAccountId], number: null } : { ids: [req.fromAccountId], number: req.toAccountNumber };
}

/** Both accounts of a request, checked. */
function pairOf(auth: AuthInfo, req: Checked, accounts: Map<string, AccountRow>): { from: AccountRow; to: AccountRow } {
  const from = accounts.get(req.fromAccountId);
  let to: AccountRow | undefined;
  if (req.toAccountId !== null) to = accounts.get(req.toAccountId);
  else for (const a of accounts.values()) if (a.number === req.toAccountNumber && !a.system) to = a;
  if (!from || from.system || from.ownerId !== auth.userId) throw notFound('Account');
  // By id only the caller's own accounts; anyone's by number.
  if (!to || to.system || (req.toAccountId !== null && to.ownerId !== auth.userId)) throw notFound('Destination account');
  if (from.id === to.id) throw new DomainError('SAME_ACCOUNT', 'The source and destination are the same account');
  checkOpenAndCurrency(from, to, req.currency);
  return { from, to };
}

/** A new transfer; post() or propose decides its status. Owners and numbers are copied in: accounts never change either. */
function newTransfer(auth: AuthInfo, origin: TransferOrigin, from: AccountRow, to: AccountRow, req: Checked, now: Date): TransferRow {
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

/**
 * Both rows are locked by the caller: the transfer (new, or pending until now), both entries and both balances.
 * Every balance is checked before anything is written, the currency's system account included:
 * one that reached the int64 edge would refuse every later deposit in that currency for good.
 */
function post(transfer: TransferRow, from: AccountRow, to: AccountRow, now: Date, exists: boolean): Written {
  if (!fitsBalance(from.balance - transfer.amount) || !fitsBalance(to.balance + transfer.amount)) throw balanceLimit();
  from.balance -= transfer.amount;
  from.entrySeq += 1;
  to.balance += transfer.amount;
  to.entrySeq += 1;
  transfer.status = TransferStatus.POSTED;
  transfer.postedAt = now;
  const entries = [entry(from, transfer, EntryDirection.DEBIT, now), entry(to, transfer, EntryDirection.CREDIT, now)];
  return {
    transfer,
    entries,
    writes: [
      exists ? updateTransferStatus(transfer.id, TransferStatus.POSTED, now, true) : insertTransfer(transfer),
      insertEntries(entries),
      updateBalances([from, to], now),
    ],
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

function posted(done: Written): Posted {
  return {
    transfer: transferData(done.transfer),
    entries: done.entries.map((e) => ({ userId: e.userId, entry: entryData(e) })),
  };
}

/** Everything that can be judged without the database: BAD_USER_INPUT or NOT_FOUND, nothing written. */
function checkRequest(input: TransferRequest): Checked {
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

function requestHash(request: Record<string, unknown>): string {
  const canonical = JSON.stringify(request, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return createHash('sha256').update(canonical).digest('hex');
}

function canSee(userId: string, t: Transfer): boolean {
  return t.initiator.id === userId || t.fromUser?.id === userId || (t.toUser?.id === userId && t.status === TransferStatus.POSTED);
}

function checkOpenAndCurrency(from: AccountRow, to: AccountRow, currency: string): void {
  if (from.status !== AccountStatus.OPEN || to.status !== AccountStatus.OPEN) throw accountClosed();
  if (from.currency !== currency) throw currencyMismatch(from.currency);
  if (to.currency !== currency) throw currencyMismatch(to.currency);
}

function requireFunds(from: AccountRow, amount: bigint): void {
  if (from.balance < amount) throw new DomainError('INSUFFICIENT_FUNDS', 'The source account does not hold enough money for this transfer');
}

function accountClosed(): DomainError {
  return new DomainError('ACCOUNT_CLOSED', 'The account is closed');
}

function currencyMismatch(accountCurrency: string): DomainError {
  return new DomainError('CURRENCY_MISMATCH', `The account holds ${accountCurrency}: transfers must be in that currency`);
}

function balanceLimit(): DomainError {
  return new DomainError('BALANCE_LIMIT', 'This posting would take an account balance past the largest amount the ledger can hold: nothing was posted');
}

function notPendingError(status: TransferStatus): { code: ErrorCode; message: string } {
  return { code: 'TRANSFER_NOT_PENDING', message: `The transfer is ${status.toLowerCase().replace('_', ' ')}, not pending confirmation` };
}

function notPending(status: TransferStatus): DomainError {
  const e = notPendingError(status);
  return new DomainError(e.code, e.message);
}
