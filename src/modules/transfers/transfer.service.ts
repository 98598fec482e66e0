import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import type { Config } from '../../config/config.js';
import { formatOf, rawTransaction, type PgResult, type RawTx, type Stmt } from '../../db/pg.js';
import type { CoreDeps } from '../../deps.js';
import { DomainError, notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { checkFreeText } from '../../shared/input-rules.js';
import { parseCurrency, parsePositiveAmount } from '../../shared/money.js';
import type { AccountRow } from '../accounts/account.rules.js';
import type { AccountService } from '../accounts/account.service.js';
import { accountRows, selectAccounts, updateBalances } from '../accounts/account.sql.js';
import { insertAuditEvents } from '../audit/audit.sql.js';
import type { AuditService } from '../audit/audit.service.js';
import { AuditAction, SUCCEEDED } from '../audit/audit.types.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { Transfer, TransferOrigin, TransferStatus } from './transfer.entity.js';
import { afterPosting, hookRowsOf, hookStatements, publishPosted, type PostedRows } from './transfer.events.js';
import type { CreateTransferInput, DepositInput, TransferRequest } from './transfer.inputs.js';
import {
  checkPair,
  checkRequest,
  depositTarget,
  keyVerdict,
  lookupOf,
  newTransfer,
  notPending,
  notPendingRefusal,
  pairOf,
  pendingVerdict,
  postTransfer,
  requestHash,
  type AccountLookup,
  type Checked,
  type Posting,
  type Refusal,
} from './transfer.rules.js';
import {
  claimKey,
  insertEntries,
  insertTransfer,
  keyDone,
  keyFailed,
  keyOutcome,
  lockKey,
  selectKeyOutcome,
  selectTransferForUpdate,
  transferOf,
  updateTransferStatus,
} from './transfer.sql.js';
import { transferView, type AuditOf, type TransferRow, type TransferView } from './transfer.types.js';

type TransferDeps = Pick<CoreDeps, 'clock' | 'pubsub' | 'metrics' | 'moneyPool' | 'transferBatcher' | 'logger' | 'postingHooks'> & {
  config: Pick<Config, 'transferPendingTtlSec'>;
};

/** What a money transaction decided: the rows it wrote, or a refusal (stored with the key, raised after commit). */
type Outcome = PostedRows | { error: Refusal };

/** A decision's rows and the statements that write them. */
interface Decision extends PostedRows {
  writes: Stmt[];
}

/**
 * The rules of one request, judged on the rows read under lock. No I/O: its writes go out
 * in the same round trip as COMMIT, so the locks are held for two round trips in all.
 */
type Decide = (accounts: Map<string, AccountRow>, now: Date) => Decision;

/**
 * A customer account paying one of the system accounts, judged by another module under the
 * account lock (a card payment): it reads its own rows in the same round trip and answers
 * without money (a replay, a decline) or with a posting plus its own rows to write with it.
 */
export interface SystemDebit<T> {
  /** Requests with the same lockKey run one after the other (their idempotency key). */
  lockKey: string;
  accountId: string;
  systemAccountId: string;
  /** Run after the locks, in the same round trip: they see every earlier request's commit. */
  reads: Stmt[];
  decide(accounts: Map<string, AccountRow>, reads: PgResult[], now: Date): SystemDebitVerdict<T>;
}

export type SystemDebitVerdict<T> =
  | { answer: T; writes: Stmt[] }
  | { post: { amount: bigint; currency: string; description: string }; with: (transfer: TransferRow) => { answer: T; writes: Stmt[] } };

export class TransferService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: TransferDeps,
    private readonly accounts: AccountService,
    private readonly audit: Pick<AuditService, 'event'>,
  ) {}

  /** The audit row of a request's verdict: `posted` on success, TRANSFER_REFUSED with the code otherwise. */
  private auditOf(auth: AuthInfo, posted: AuditAction, target: string): AuditOf {
    return (verdict) =>
      'error' in verdict
        ? this.audit.event(AuditAction.TRANSFER_REFUSED, verdict.error.code, { userId: auth.userId, target })
        : this.audit.event(posted, SUCCEEDED, { userId: auth.userId, target: `transfer:${verdict.transfer.id}` });
  }

  /**
   * Moves money now, from one of the caller's accounts: grouped with concurrent transfers into
   * one transaction (transfer.batch.ts), still all-or-nothing and answered as if alone.
   */
  async create(auth: AuthInfo, input: CreateTransferInput): Promise<TransferView> {
    return this.counted('transfer', async () => {
      const req = checkRequest(input);
      const outcome = await this.deps.transferBatcher.submit({
        userId: auth.userId,
        key: req.idempotencyKey,
        hash: requestHash({ kind: 'transfer', ...req }),
        lookup: lookupOf(req),
        audit: this.auditOf(auth, AuditAction.TRANSFER_POSTED, `account:${req.fromAccountId}`),
        judge: (accounts, now) => {
          const { from, to } = pairOf(auth, req, accounts);
          return postTransfer(newTransfer(auth, TransferOrigin.USER, from, to, req, now), from, to, now);
        },
      });
      // The batch published the entries and ran the posting hook after its commit.
      if ('error' in outcome) throw new DomainError(outcome.error.code, outcome.error.message);
      return transferView(outcome.transfer, auth.userId, this.deps.clock.now());
    });
  }

  /**
   * A PENDING_CONFIRMATION transfer: holds no money, expires after transferPendingTtlSec,
   * posted by confirm (which checks everything again) or dropped by cancel.
   */
  async propose(auth: AuthInfo, input: TransferRequest, origin: TransferOrigin = TransferOrigin.ASSISTANT): Promise<TransferView> {
    return this.counted('proposal', async () => {
      const req = checkRequest(input);
      const audit = this.auditOf(auth, AuditAction.TRANSFER_PROPOSED, `account:${req.fromAccountId}`);
      const outcome = await this.money(auth, { kind: 'proposal', ...req }, req.idempotencyKey, lookupOf(req), false, audit, (accounts, now) => {
        const { from, to } = pairOf(auth, req, accounts);
        const transfer = {
          ...newTransfer(auth, origin, from, to, req, now),
          expiresAt: new Date(now.getTime() + this.deps.config.transferPendingTtlSec * 1000),
        };
        return { transfer, entries: [], writes: [insertTransfer(transfer)] };
      });
      return this.finish(auth, outcome);
    });
  }

  /** Money from outside the bank: the currency's system account pays, so entries sum to zero. */
  async deposit(auth: AuthInfo, input: DepositInput): Promise<TransferView> {
    return this.counted('deposit', async () => {
      const amount = parsePositiveAmount(input.amountMinor);
      const currency = parseCurrency(input.currency);
      checkFreeText(input.description, 'description');
      if (!isUuid(input.accountId)) throw notFound('Account');
      const req = { accountId: input.accountId, amount, currency, description: input.description?.trim() || null };
      // Created once per currency and never changed: it need not be in the money transaction.
      const systemId = await this.accounts.systemAccountId(this.em, currency);
      const lookup = { ids: [systemId, req.accountId], number: null };
      const audit = this.auditOf(auth, AuditAction.DEPOSIT_POSTED, `account:${req.accountId}`);
      const outcome = await this.money(auth, { kind: 'deposit', ...req }, input.idempotencyKey, lookup, true, audit, (locked, now) => {
        const system = locked.get(systemId)!;
        const to = depositTarget(locked, req.accountId, currency);
        const checked: Checked = { ...req, fromAccountId: systemId, toAccountId: to.id, toAccountNumber: null, idempotencyKey: input.idempotencyKey };
        return posting(postTransfer(newTransfer(auth, TransferOrigin.OPERATOR, system, to, checked, now), system, to, now), now, false);
      });
      return this.finish(auth, outcome);
    });
  }

  /**
   * The money path of a card payment: one transaction, the key's lock, then both accounts
   * locked in id order (as every transfer), `decide` on what they read, and the posting (an
   * OPERATOR transfer, two entries) committed with the caller's rows. Retried like transfers.
   */
  async debitToSystem<T>(auth: AuthInfo, spec: SystemDebit<T>): Promise<T> {
    let outcome = 'NO_MONEY';
    try {
      const done = await this.transaction(async (tx): Promise<{ answer: T; posted?: PostedRows }> => {
        const now = this.deps.clock.now();
        const results = await tx.send(
          lockKey(spec.lockKey),
          selectAccounts({ ids: [spec.accountId, spec.systemAccountId], number: null }, true),
          ...spec.reads,
        );
        const accounts = accountRows(results[1]!);
        const verdict = spec.decide(accounts, results.slice(2), now);
        if ('answer' in verdict) {
          await tx.commit(...verdict.writes);
          return { answer: verdict.answer };
        }
        const from = accounts.get(spec.accountId);
        const system = accounts.get(spec.systemAccountId);
        if (!from || from.system || !system?.system) throw notFound('Account');
        const checked: Checked = {
          fromAccountId: from.id,
          toAccountId: system.id,
          toAccountNumber: null,
          ...verdict.post,
          idempotencyKey: null,
        };
        checkPair(from, system, checked.currency);
        const decision = posting(postTransfer(newTransfer(auth, TransferOrigin.OPERATOR, from, system, checked, now), from, system, now), now, false);
        const own = verdict.with(decision.transfer);
        const hook = hookStatements(this.deps.postingHooks, decision.entries, now);
        const committed = await tx.commit(...decision.writes, ...own.writes, ...hook);
        return { answer: own.answer, posted: { transfer: decision.transfer, entries: decision.entries, hookRows: hookRowsOf(hook, committed) } };
      });
      if (done.posted) {
        outcome = done.posted.transfer.status;
        await this.published(done.posted);
      }
      return done.answer;
    } catch (error) {
      outcome = error instanceof DomainError ? error.code : 'INTERNAL_SERVER_ERROR';
      throw error;
    } finally {
      this.deps.metrics.transfer('card_payment', outcome);
    }
  }

  /** Posts a pending transfer with every check run again; a second confirm returns the posted one. */
  async confirm(auth: AuthInfo, id: string): Promise<TransferView> {
    return this.counted('confirm', async () => {
      const outcome = await this.settle(auth, id, AuditAction.TRANSFER_POSTED, async (tx, transfer, now) => {
        if (transfer.status === TransferStatus.POSTED) return { transfer, entries: [], writes: [] };
        const [result] = await tx.send(selectAccounts({ ids: [transfer.fromAccountId, transfer.toAccountId], number: null }, true));
        const locked = accountRows(result!);
        const from = locked.get(transfer.fromAccountId);
        const to = locked.get(transfer.toAccountId);
        if (!from || from.ownerId !== auth.userId || !to) throw notFound('Account');
        checkPair(from, to, transfer.currency);
        return posting(postTransfer(transfer, from, to, now), now, true);
      });
      return this.finish(auth, outcome);
    });
  }

  async cancel(auth: AuthInfo, id: string): Promise<TransferView> {
    return this.counted('cancel', async () => {
      const outcome = await this.settle(auth, id, AuditAction.TRANSFER_CANCELLED, async (_tx, transfer, now) => {
        if (transfer.status === TransferStatus.POSTED) throw notPending(transfer.status);
        const cancelled = { ...transfer, status: TransferStatus.CANCELLED };
        return { transfer: cancelled, entries: [], writes: [updateTransferStatus(transfer.id, cancelled.status, now, false)] };
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

  // ---------- the money transaction ----------

  /**
   * New money behind the caller's idempotency key, in one transaction. The key row is
   * inserted first: a concurrent request with the same key waits on it, then reads the
   * winner's outcome. A business-rule failure is stored with the key and the transaction
   * still commits, so a retry fails the same way instead of succeeding later.
   * Round trip 1: BEGIN, the claim, the accounts (locked in id order when money moves);
   * round trip 2: every write, the key's outcome and COMMIT.
   */
  private money(
    auth: AuthInfo,
    request: Record<string, unknown>,
    key: string | null,
    lookup: AccountLookup,
    lock: boolean,
    audit: AuditOf,
    decide: Decide,
  ): Promise<Outcome> {
    const hash = requestHash(request);
    return this.transaction(async (tx) => {
      const now = this.deps.clock.now();
      const claimId = key === null ? null : uuidv7();
      const claim = claimId === null ? [] : [claimKey(claimId, now, auth.userId, key!, hash)];
      const results = await tx.send(...claim, selectAccounts(lookup, lock));
      if (claimId !== null && results[0]!.rows.length === 0) {
        const [keyRow, transfer] = await tx.send(...selectKeyOutcome(auth.userId, key!));
        const verdict = keyVerdict(keyOutcome(keyRow!, transfer!), hash);
        return 'error' in verdict ? verdict : { transfer: verdict.transfer, entries: [] };
      }
      let done: Decision;
      try {
        done = decide(accountRows(results[results.length - 1]!), now);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        // Every rule is judged before the first write, so only the verdict (and its audit row) is stored.
        const refusal = { code: error.code, message: error.message };
        await tx.commit(...(claimId === null ? [] : [keyFailed(claimId, error.code, error.message, now)]), insertAuditEvents([audit({ error: refusal })]));
        return { error: refusal };
      }
      const hook = hookStatements(this.deps.postingHooks, done.entries, now);
      const committed = await tx.commit(
        ...done.writes,
        ...(claimId === null ? [] : [keyDone(claimId, done.transfer.id, now)]),
        insertAuditEvents([audit(done)]),
        ...hook,
      );
      return { transfer: done.transfer, entries: done.entries, hookRows: hookRowsOf(hook, committed) };
    });
  }

  /** Locks a transfer the caller started and lets `work` decide; expiry is settled first. */
  private settle(auth: AuthInfo, id: string, action: AuditAction, work: (tx: RawTx, transfer: TransferRow, now: Date) => Promise<Decision>): Promise<Outcome> {
    if (!isUuid(id)) throw notFound('Transfer');
    return this.transaction(async (tx) => {
      const now = this.deps.clock.now();
      const [result] = await tx.send(selectTransferForUpdate(id));
      const transfer = transferOf(result!);
      if (!transfer || transfer.initiatorId !== auth.userId) throw notFound('Transfer');
      if (pendingVerdict(transfer, now) === 'expire') {
        // Record the expiry (this commits), then refuse.
        await tx.commit(updateTransferStatus(transfer.id, TransferStatus.EXPIRED, now, false));
        return { error: notPendingRefusal(TransferStatus.EXPIRED) };
      }
      const audit = this.auditOf(auth, action, `transfer:${transfer.id}`);
      let done: Decision;
      try {
        done = await work(tx, transfer, now);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        // Nothing was written: the refusal's audit row alone commits.
        const refusal = { code: error.code, message: error.message };
        await tx.commit(insertAuditEvents([audit({ error: refusal })]));
        return { error: refusal };
      }
      // A second confirm of a posted transfer writes nothing, and records nothing new.
      const audits = done.writes.length === 0 ? [] : [insertAuditEvents([audit(done)])];
      const hook = hookStatements(this.deps.postingHooks, done.entries, now);
      const results = await tx.commit(...done.writes, ...audits, ...hook);
      return { transfer: done.transfer, entries: done.entries, hookRows: hookRowsOf(hook, results) };
    });
  }

  private transaction<T>(work: (tx: RawTx) => Promise<T>): Promise<T> {
    return rawTransaction(this.deps.moneyPool, formatOf(this.em), work);
  }

  /** After commit: raise a stored refusal, or publish the new entries and answer. */
  private async finish(auth: AuthInfo, outcome: Outcome): Promise<TransferView> {
    if ('error' in outcome) throw new DomainError(outcome.error.code, outcome.error.message);
    await this.published(outcome);
    return transferView(outcome.transfer, auth.userId, this.deps.clock.now());
  }

  /** After commit: the events, then what the posting hook read (goals reaching their target). */
  private async published(posted: PostedRows): Promise<void> {
    await publishPosted(this.deps.pubsub, posted);
    await afterPosting(this.deps, posted);
  }
}

/** A posting's rows and their writes: the transfer (new, or pending until now), both entries, both balances. */
function posting(p: Posting, now: Date, exists: boolean): Decision {
  return {
    transfer: p.transfer,
    entries: p.entries,
    writes: [
      exists ? updateTransferStatus(p.transfer.id, TransferStatus.POSTED, now, true) : insertTransfer(p.transfer),
      insertEntries(p.entries),
      updateBalances(p.accounts, now),
    ],
  };
}
