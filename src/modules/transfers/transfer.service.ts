import { createHash } from 'node:crypto';
import { LockMode, type EntityManager, type FilterQuery } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { v7 as uuidv7 } from 'uuid';
import { Topic, type LedgerEntryData, type TransferData } from '../../pubsub/topics.js';
import type { AppDeps } from '../../services.js';
import { DomainError, badUserInput, notFound, type ErrorCode } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { INT64_MAX, INT64_MIN, parseCurrency, parsePositiveAmount } from '../../shared/money.js';
import { decodeCursor, pageSize, toPage, type Page } from '../../shared/pagination.js';
import { inTransaction } from '../../shared/transactions.js';
import { parseAccountNumber } from '../accounts/account-number.js';
import { Account, AccountStatus } from '../accounts/account.entity.js';
import type { AccountService } from '../accounts/account.service.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { User } from '../auth/user.entity.js';
import { EntryDirection, LedgerEntry } from './ledger-entry.entity.js';
import { Transfer, TransferOrigin, TransferStatus } from './transfer.entity.js';
import type { CreateTransferInput, DepositInput, TransferRequest, TransfersArgs } from './transfer.inputs.js';
import { entryData, transferData, transferView, type LedgerEntryView, type TransferView } from './transfer.types.js';

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

export class TransferService {
  private readonly byId = new DataLoader<string, Transfer | null>(async (ids) => {
    const rows = await this.em.find(Transfer, { id: { $in: [...ids] } });
    const map = new Map(rows.map((t) => [t.id, t]));
    return ids.map((id) => map.get(id) ?? null);
  });

  constructor(
    private readonly em: EntityManager,
    private readonly deps: AppDeps,
    private readonly accounts: AccountService,
  ) {}

  /** Moves money now, from one of the caller's accounts. */
  async create(auth: AuthInfo, input: CreateTransferInput): Promise<TransferView> {
    return this.counted('transfer', async () => {
      const req = checkRequest(input);
      return this.keyed(auth, { kind: 'transfer', ...req }, req.idempotencyKey, async (em) => {
        const { from, to } = await this.pair(em, auth, req, true);
        requireFunds(from, req.amount);
        return this.post(em, this.newTransfer(em, auth, TransferOrigin.USER, TransferStatus.POSTED, from, to, req), from, to);
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
      return this.keyed(auth, { kind: 'proposal', ...req }, req.idempotencyKey, async (em) => {
        const { from, to } = await this.pair(em, auth, req, false);
        const transfer = this.newTransfer(em, auth, origin, TransferStatus.PENDING_CONFIRMATION, from, to, req);
        transfer.expiresAt = new Date(this.deps.clock.now().getTime() + this.deps.config.transferPendingTtlSec * 1000);
        em.persist(transfer);
        return { transfer, entries: [] };
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
      return this.keyed(auth, { kind: 'deposit', ...req }, input.idempotencyKey, async (em) => {
        const systemId = await this.accounts.systemAccountId(em, currency);
        const locked = await this.accounts.lockInOrder(em, [systemId, req.accountId]);
        const system = locked.get(systemId)!;
        const to = locked.get(req.accountId);
        if (!to || to.system) throw notFound('Account');
        if (to.status !== AccountStatus.OPEN) throw accountClosed();
        if (to.currency !== currency) throw currencyMismatch(to.currency);
        if (system.balance - amount < INT64_MIN) throw tooLarge();
        const checked: Checked = { ...req, fromAccountId: systemId, toAccountId: to.id, toAccountNumber: null, idempotencyKey: input.idempotencyKey };
        return this.post(em, this.newTransfer(em, auth, TransferOrigin.OPERATOR, TransferStatus.POSTED, system, to, checked), system, to);
      });
    });
  }

  /** Posts a pending transfer with every check run again; a second confirm returns the posted one. */
  async confirm(auth: AuthInfo, id: string): Promise<TransferView> {
    return this.counted('confirm', async () => {
      const outcome = await this.decide(auth, id, async (em, transfer) => {
        if (transfer.status === TransferStatus.POSTED) return { transfer, entries: [] };
        const locked = await this.accounts.lockInOrder(em, [transfer.fromAccount.id, transfer.toAccount.id]);
        const from = locked.get(transfer.fromAccount.id);
        const to = locked.get(transfer.toAccount.id);
        if (!from || from.ownerId !== auth.userId || !to) throw notFound('Account');
        checkOpenAndCurrency(from, to, transfer.currency);
        requireFunds(from, transfer.amount);
        return this.post(em, transfer, from, to);
      });
      return this.finish(auth, outcome);
    });
  }

  async cancel(auth: AuthInfo, id: string): Promise<TransferView> {
    return this.counted('cancel', async () => {
      const outcome = await this.decide(auth, id, async (_em, transfer) => {
        if (transfer.status === TransferStatus.POSTED) throw notPending(transfer.status);
        transfer.status = TransferStatus.CANCELLED;
        transfer.updatedAt = this.deps.clock.now();
        return { transfer, entries: [] };
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
    return transferData(transfer);
  }

  /** For LedgerEntry.transfer: the entry is the caller's, so its transfer is theirs to see; batched. */
  async forEntry(auth: AuthInfo, entry: LedgerEntryView): Promise<TransferView> {
    if (entry.transfer) return entry.transfer;
    const transfer = await this.byId.load(entry.transferId);
    if (!transfer) throw notFound('Transfer');
    return transferView(transferData(transfer), auth.userId, this.deps.clock.now());
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
    const views = rows.map((t) => transferView(transferData(t), me, now));
    return toPage(views, limit, (t) => [t.id], total, { forward: true, hadCursor: cursor !== undefined });
  }

  // ---------- the money transaction ----------

  /**
   * Runs `work` in one transaction behind the caller's idempotency key. The key row is
   * inserted first: a concurrent request with the same key waits on it, then reads the
   * winner's outcome. A business-rule failure is stored with the key and the transaction
   * still commits, so a retry fails the same way instead of succeeding later.
   */
  private async keyed(
    auth: AuthInfo,
    request: Record<string, unknown>,
    key: string | null,
    work: (em: EntityManager) => Promise<{ transfer: Transfer; entries: LedgerEntry[] }>,
  ): Promise<TransferView> {
    const hash = requestHash(request);
    const outcome = await inTransaction<Outcome>(this.em, async (em) => {
      let claimId: string | null = null;
      if (key !== null) {
        const claim = await this.claim(em, auth.userId, key, hash);
        if ('outcome' in claim) return claim.outcome;
        claimId = claim.id;
      }
      try {
        const done = await work(em);
        await em.flush();
        if (claimId) {
          await em.execute(`update "idempotency_key" set "transfer_id" = ?, "updated_at" = ? where "id" = ?`, [
            done.transfer.id,
            this.deps.clock.now(),
            claimId,
          ]);
        }
        return {
          transfer: transferData(done.transfer),
          entries: done.entries.map((e) => ({ userId: e.user?.id ?? null, entry: entryData(e) })),
        };
      } catch (error) {
        if (!(error instanceof DomainError) || claimId === null) throw error;
        // Nothing was flushed before the rule broke; drop what the fork holds and keep only the verdict.
        em.clear();
        await em.execute(`update "idempotency_key" set "error_code" = ?, "error_message" = ?, "updated_at" = ? where "id" = ?`, [
          error.code,
          error.message,
          this.deps.clock.now(),
          claimId,
        ]);
        return { error: { code: error.code, message: error.message } };
      }
    });
    return this.finish(auth, outcome);
  }

  private async claim(
    em: EntityManager,
    userId: string,
    key: string,
    hash: string,
  ): Promise<{ id: string } | { outcome: Outcome }> {
    const id = uuidv7();
    const now = this.deps.clock.now();
    const inserted = await em.execute<Array<{ id: string }>>(
      `insert into "idempotency_key" ("id", "created_at", "updated_at", "user_id", "key", "request_hash")
       values (?, ?, ?, ?, ?, ?) on conflict ("user_id", "key") do nothing returning "id"`,
      [id, now, now, userId, key, hash],
    );
    if (inserted.length > 0) return { id };
    // The conflicting insert has committed by now (ON CONFLICT waited for it): read its outcome.
    const [row] = await em.execute<Array<{ request_hash: string; transfer_id: string | null; error_code: string | null; error_message: string | null }>>(
      `select "request_hash", "transfer_id", "error_code", "error_message" from "idempotency_key" where "user_id" = ? and "key" = ?`,
      [userId, key],
    );
    if (!row) throw new Error('idempotency key vanished after a conflict');
    if (row.request_hash !== hash) {
      return {
        outcome: {
          error: {
            code: 'IDEMPOTENCY_KEY_REUSED',
            message: 'This idempotency key was already used for a different request: use a new key for a new request',
          },
        },
      };
    }
    if (row.transfer_id) {
      const transfer = await em.findOneOrFail(Transfer, { id: row.transfer_id });
      return { outcome: { transfer: transferData(transfer), entries: [] } };
    }
    if (row.error_code) return { outcome: { error: { code: row.error_code as ErrorCode, message: row.error_message ?? '' } } };
    throw new Error('idempotency key committed without an outcome');
  }

  /** Locks a transfer the caller started and lets `work` decide; expiry is settled first. */
  private async decide(
    auth: AuthInfo,
    id: string,
    work: (em: EntityManager, transfer: Transfer) => Promise<{ transfer: Transfer; entries: LedgerEntry[] }>,
  ): Promise<Outcome> {
    if (!isUuid(id)) throw notFound('Transfer');
    const now = this.deps.clock.now();
    return inTransaction<Outcome>(this.em, async (em) => {
      const transfer = await em.findOne(Transfer, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!transfer || transfer.initiator.id !== auth.userId) throw notFound('Transfer');
      if (transfer.status === TransferStatus.PENDING_CONFIRMATION && transfer.statusAt(now) === TransferStatus.EXPIRED) {
        // Record the expiry (this commits), then refuse.
        transfer.status = TransferStatus.EXPIRED;
        transfer.updatedAt = now;
        return { error: notPendingError(TransferStatus.EXPIRED) };
      }
      if (transfer.status === TransferStatus.CANCELLED || transfer.status === TransferStatus.EXPIRED) {
        throw notPending(transfer.status);
      }
      const done = await work(em, transfer);
      await em.flush();
      return {
        transfer: transferData(done.transfer),
        entries: done.entries.map((e) => ({ userId: e.user?.id ?? null, entry: entryData(e) })),
      };
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

  /** Resolves and loads (locked, in id order, when money will move) both accounts, and checks them. */
  private async pair(em: EntityManager, auth: AuthInfo, req: Checked, lock: boolean): Promise<{ from: Account; to: Account }> {
    const toId = req.toAccountId ?? (await this.accounts.idByNumber(em, req.toAccountNumber!));
    if (!toId) throw notFound('Destination account');
    const locked = await this.accounts.lockInOrder(em, [req.fromAccountId, toId], lock);
    const from = locked.get(req.fromAccountId);
    const to = locked.get(toId);
    if (!from || from.system || from.ownerId !== auth.userId) throw notFound('Account');
    // By id only the caller's own accounts; anyone's by number.
    if (!to || to.system || (req.toAccountId !== null && to.ownerId !== auth.userId)) throw notFound('Destination account');
    if (from.id === to.id) throw new DomainError('SAME_ACCOUNT', 'The source and destination are the same account');
    checkOpenAndCurrency(from, to, req.currency);
    return { from, to };
  }

  private newTransfer(
    em: EntityManager,
    auth: AuthInfo,
    origin: TransferOrigin,
    status: TransferStatus,
    from: Account,
    to: Account,
    req: Checked,
  ): Transfer {
    return new Transfer({
      initiator: em.getReference(User, auth.userId, { wrapped: true }),
      origin,
      status,
      from,
      to,
      amount: req.amount,
      currency: req.currency,
      description: req.description,
      idempotencyKey: req.idempotencyKey,
      createdAt: this.deps.clock.now(),
    });
  }

  /** Both rows are locked by the caller: move the balances and write the two entries. */
  private post(em: EntityManager, transfer: Transfer, from: Account, to: Account): { transfer: Transfer; entries: LedgerEntry[] } {
    const now = this.deps.clock.now();
    if (to.balance + transfer.amount > INT64_MAX) throw tooLarge();
    from.balance -= transfer.amount;
    from.entrySeq += 1;
    to.balance += transfer.amount;
    to.entrySeq += 1;
    transfer.status = TransferStatus.POSTED;
    transfer.postedAt = now;
    transfer.updatedAt = now;
    const entries = [
      new LedgerEntry(from, transfer, EntryDirection.DEBIT, now),
      new LedgerEntry(to, transfer, EntryDirection.CREDIT, now),
    ];
    em.persist([transfer, ...entries]);
    return { transfer, entries };
  }
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

function checkOpenAndCurrency(from: Account, to: Account, currency: string): void {
  if (from.status !== AccountStatus.OPEN || to.status !== AccountStatus.OPEN) throw accountClosed();
  if (from.currency !== currency) throw currencyMismatch(from.currency);
  if (to.currency !== currency) throw currencyMismatch(to.currency);
}

function requireFunds(from: Account, amount: bigint): void {
  if (from.balance < amount) throw new DomainError('INSUFFICIENT_FUNDS', 'The source account does not hold enough money for this transfer');
}

function accountClosed(): DomainError {
  return new DomainError('ACCOUNT_CLOSED', 'The account is closed');
}

function currencyMismatch(accountCurrency: string): DomainError {
  return new DomainError('CURRENCY_MISMATCH', `The account holds ${accountCurrency}: transfers must be in that currency`);
}

function tooLarge(): DomainError {
  return badUserInput([{ field: 'amountMinor', message: 'would take a balance past the largest amount an account can hold' }]);
}

function notPendingError(status: TransferStatus): { code: ErrorCode; message: string } {
  return { code: 'TRANSFER_NOT_PENDING', message: `The transfer is ${status.toLowerCase().replace('_', ' ')}, not pending confirmation` };
}

function notPending(status: TransferStatus): DomainError {
  const e = notPendingError(status);
  return new DomainError(e.code, e.message);
}
