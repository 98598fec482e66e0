import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { v7 as uuidv7 } from 'uuid';
import type { CoreDeps } from '../../deps.js';
import { DomainError, badUserInput, notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { money, parseCurrency, parsePositiveAmount, type Money } from '../../shared/money.js';
import { pageSize, timeIdCursor, toPage, type Page } from '../../shared/pagination.js';
import { Account } from '../accounts/account.entity.js';
import { checkOpen } from '../accounts/account.rules.js';
import type { AccountService } from '../accounts/account.service.js';
import { insertAuditEvents } from '../audit/audit.sql.js';
import type { AuditService } from '../audit/audit.service.js';
import { AuditAction } from '../audit/audit.types.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { User } from '../auth/user.entity.js';
import type { TransferQueries } from '../transfers/transfer.queries.js';
import type { TransferService } from '../transfers/transfer.service.js';
import { requestHash } from '../transfers/transfer.rules.js';
import type { TransferView } from '../transfers/transfer.types.js';
import { Card, CardStatus } from './card.entity.js';
import { CardPayment, CardPaymentStatus } from './card-payment.entity.js';
import type { CardPaymentsArgs, IssueCardInput, RecordCardPaymentInput, UpdateCardInput } from './card.inputs.js';
import { cardLabel, declineReason, expiryOf, last4Of, merchantName, monthlyLimit, monthOf, newCardNumber, parseMonth } from './card.rules.js';
import { cardOf, insertPayment, paymentOf, selectCard, selectPaymentByKey, selectSpent, spentOf } from './card.sql.js';
import { paymentView, rowOfPayment, type CardPaymentRow, type CardPaymentView } from './card.types.js';
import { categoryOf, parseMcc } from './mcc.rules.js';
import { ormSql } from '../../db/orm-sql.js';

/** closeAccount's cascade (wired in services.ts): the account's cards end with it, in its transaction. */
export async function cancelCardsOf(em: EntityManager, accountId: string, at: Date): Promise<void> {
  await em.nativeUpdate(Card, { account: accountId, status: { $ne: CardStatus.CANCELLED } }, { status: CardStatus.CANCELLED, updatedAt: at });
}

export class CardService {
  private readonly byId = new DataLoader<string, Card | null>(async (ids) => {
    const rows = await this.em.find(Card, { id: { $in: [...ids] } });
    const map = new Map(rows.map((c) => [c.id, c]));
    return ids.map((id) => map.get(id) ?? null);
  });

  private readonly byAccount = new DataLoader<string, Card[]>(async (accountIds) => {
    const rows = await this.em.find(Card, { account: { $in: [...accountIds] } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return accountIds.map((id) => rows.filter((c) => c.accountId === id));
  });

  /** Approved spending of this calendar month (UTC), per card. */
  private readonly spent = new DataLoader<string, bigint>(async (cardIds) => {
    const { from, to } = monthOf(this.deps.clock.now());
    const query = selectSpent(cardIds, from, to);
    const spent = spentOf(await ormSql(this.em, query.sql, query.params));
    return cardIds.map((id) => spent.get(id) ?? 0n);
  });

  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock'>,
    private readonly accounts: AccountService,
    private readonly transfers: Pick<TransferService, 'debitToSystem'>,
    private readonly transferQueries: Pick<TransferQueries, 'get'>,
    private readonly audit: Pick<AuditService, 'event' | 'record'>,
    /** Runs after an approved payment committed (the budget's alerts, wired in services.ts). */
    private readonly afterApproved: (payment: CardPaymentView) => Promise<void> = async () => {},
  ) {}

  /** A card on one of the caller's open accounts. The full number is generated and only its last four digits kept. */
  async issue(auth: AuthInfo, input: IssueCardInput): Promise<Card> {
    const account = await this.accounts.get(auth, input.accountId);
    checkOpen(account);
    const now = this.deps.clock.now();
    const expiry = expiryOf(now);
    const card = Object.assign(new Card(), {
      account: this.em.getReference(Account, account.id, { wrapped: true }),
      user: this.em.getReference(User, auth.userId, { wrapped: true }),
      currency: account.currency,
      kind: input.kind,
      label: cardLabel(input.label),
      last4: last4Of(newCardNumber()),
      expiryMonth: expiry.month,
      expiryYear: expiry.year,
      monthlyLimit: monthlyLimit(input.monthlyLimitMinor),
      createdAt: now,
      updatedAt: now,
    });
    this.em.persist(card);
    await this.em.flush();
    return card;
  }

  /** The caller's cards, oldest first; on one account when accountId is given. */
  async list(auth: AuthInfo, accountId?: string | null): Promise<Card[]> {
    const where: FilterQuery<Card> = accountId ? { user: auth.userId, account: (await this.accounts.get(auth, accountId)).id } : { user: auth.userId };
    return this.em.find(Card, where, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  /** Account.cards: the account is the caller's (it was resolved for them); batched. */
  forAccount(account: Pick<Account, 'id'>): Promise<Card[]> {
    return this.byAccount.load(account.id);
  }

  /** The caller's card; another user's id is NOT_FOUND exactly like a missing one. */
  async get(auth: AuthInfo, id: string): Promise<Card> {
    const card = isUuid(id) ? await this.byId.load(id.toLowerCase()) : null;
    if (!card || card.ownerId !== auth.userId) throw notFound('Card');
    return card;
  }

  async update(auth: AuthInfo, id: string, input: UpdateCardInput): Promise<Card> {
    const card = await this.active(auth, id);
    if (input.clearMonthlyLimit && input.monthlyLimitMinor !== null && input.monthlyLimitMinor !== undefined) {
      throw badUserInput([{ field: 'clearMonthlyLimit', message: 'give either monthlyLimitMinor or clearMonthlyLimit, not both' }]);
    }
    if (input.label !== undefined) card.label = cardLabel(input.label);
    if (input.monthlyLimitMinor !== null && input.monthlyLimitMinor !== undefined) card.monthlyLimit = monthlyLimit(input.monthlyLimitMinor);
    if (input.clearMonthlyLimit) card.monthlyLimit = null;
    return this.save(card);
  }

  /** Payments are declined until unfrozen; freezing a frozen card is a no-op. */
  async freeze(auth: AuthInfo, id: string): Promise<Card> {
    const card = await this.active(auth, id);
    card.status = CardStatus.FROZEN;
    return this.save(card, auth);
  }

  async unfreeze(auth: AuthInfo, id: string): Promise<Card> {
    const card = await this.active(auth, id);
    card.status = CardStatus.ACTIVE;
    return this.save(card, auth);
  }

  /** Final; cancelling a cancelled card answers with it. */
  async cancel(auth: AuthInfo, id: string): Promise<Card> {
    const card = await this.get(auth, id);
    card.status = CardStatus.CANCELLED;
    return this.save(card, auth);
  }

  monthlyLimit(card: Card): Money | null {
    return card.monthlyLimit === null ? null : money(card.monthlyLimit, card.currency);
  }

  async spentThisMonth(card: Card): Promise<Money> {
    return money(await this.spent.load(card.id), card.currency);
  }

  /**
   * The caller's card payments, approved and declined, newest first, keyset-paged on
   * (createdAt, id); filtered by account, card, category and month (YYYY-MM, UTC).
   */
  async payments(auth: AuthInfo, args: CardPaymentsArgs & { cardId?: string }): Promise<Page<CardPaymentView>> {
    const limit = pageSize(args.first);
    const cursor = timeIdCursor(args.after);
    const conditions: Array<FilterQuery<CardPayment>> = [{ user: auth.userId }];
    if (args.accountId) conditions.push({ account: (await this.accounts.get(auth, args.accountId)).id });
    if (args.cardId) conditions.push({ card: args.cardId });
    if (args.category) conditions.push({ category: args.category });
    if (args.month !== null && args.month !== undefined) {
      const { from, to } = parseMonth(args.month);
      conditions.push({ createdAt: { $gte: from, $lt: to } });
    }
    const where: FilterQuery<CardPayment> = { $and: conditions };
    const page: FilterQuery<CardPayment> = cursor
      ? { $and: [where, { $or: [{ createdAt: { $lt: cursor.at } }, { createdAt: cursor.at, id: { $lt: cursor.id } }] }] }
      : where;
    const [rows, total] = await Promise.all([
      this.em.find(CardPayment, page, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 }),
      this.em.count(CardPayment, where),
    ]);
    const views = rows.map((p) => paymentView(rowOfPayment(p)));
    return toPage(views, limit, (p) => [p.createdAt.toISOString(), p.id], total, { forward: true, hadCursor: cursor !== null });
  }

  /**
   * CardPayment.card. The payment was already authorised (the owner's list, or the network
   * that recorded it), so its card is too; the card's own account and payments still check.
   */
  async paymentCard(payment: CardPaymentView): Promise<Card> {
    const card = await this.byId.load(payment.cardId);
    if (!card) throw notFound('Card');
    return card;
  }

  /** CardPayment.transfer: the posted transfer, null for a decline. */
  async paymentTransfer(auth: AuthInfo, payment: CardPaymentView): Promise<TransferView | null> {
    return payment.transferId === null ? null : this.transferQueries.get(auth, payment.transferId);
  }

  /**
   * The card network's request (OPERATOR). Judged under the account lock in the transfers
   * module's money transaction: approved, one transfer to the currency's card-settlement
   * account written with the payment row; declined, the payment row alone. The key's first
   * answer, approval or decline, is the answer for good; another request under it is
   * IDEMPOTENCY_KEY_REUSED. Input errors (BAD_USER_INPUT, NOT_FOUND) store nothing.
   */
  async recordPayment(auth: AuthInfo, input: RecordCardPaymentInput): Promise<CardPaymentView> {
    const merchant = merchantName(input.merchant);
    const mcc = parseMcc(input.merchantCategoryCode);
    const amount = parsePositiveAmount(input.amountMinor);
    const currency = parseCurrency(input.currency);
    const key = input.idempotencyKey;
    if (!isUuid(input.cardId)) throw notFound('Card');
    const cardId = input.cardId.toLowerCase();
    const card = await this.em.findOne(Card, { id: cardId });
    if (!card) throw notFound('Card');
    const systemAccountId = await this.accounts.cardSettlementAccountId(this.em, currency);
    const hash = requestHash({ kind: 'card_payment', cardId, merchant, mcc, amount, currency });
    // The month is the request's: a payment racing midnight at month end counts in the month it was read in.
    const month = monthOf(this.deps.clock.now());
    const row = await this.transfers.debitToSystem<CardPaymentRow>(auth, {
      lockKey: `card_payment:${auth.userId}:${key}`,
      accountId: card.accountId,
      systemAccountId,
      reads: [selectPaymentByKey(auth.userId, key), selectCard(cardId), selectSpent([cardId], month.from, month.to)],
      decide: (accounts, [byKey, cardRow, spentRow], now) => {
        const existing = paymentOf(byKey!);
        if (existing) {
          if (existing.requestHash !== hash) {
            throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was already used for a different request: use a new key for a new request');
          }
          return { answer: existing, writes: [] };
        }
        const locked = cardOf(cardRow!)!;
        const account = accounts.get(locked.accountId)!;
        const payment: CardPaymentRow = {
          id: uuidv7(),
          cardId,
          accountId: locked.accountId,
          userId: locked.userId,
          recordedById: auth.userId,
          merchant,
          merchantCategoryCode: mcc,
          category: categoryOf(mcc),
          amount,
          currency,
          status: CardPaymentStatus.DECLINED,
          declineReason: declineReason(locked, account, spentOf(spentRow!.rows).get(cardId) ?? 0n, { amount, currency }, now),
          transferId: null,
          idempotencyKey: key,
          requestHash: hash,
          createdAt: now,
        };
        // The card owner's trail; the actor is the network (the operator) that asked.
        const audited = (p: CardPaymentRow) =>
          insertAuditEvents([
            this.audit.event(AuditAction.CARD_PAYMENT, p.declineReason === null ? p.status : `${p.status}:${p.declineReason}`, {
              userId: p.userId,
              actorId: auth.userId,
              target: `card_payment:${p.id}`,
            }),
          ]);
        if (payment.declineReason !== null) return { answer: payment, writes: [insertPayment(payment), audited(payment)] };
        return {
          post: { amount, currency, description: merchant },
          with: (transfer) => {
            const approved = { ...payment, status: CardPaymentStatus.APPROVED, transferId: transfer.id };
            return { answer: approved, writes: [insertPayment(approved), audited(approved)] };
          },
        };
      },
    });
    const view = paymentView(row);
    if (view.status === CardPaymentStatus.APPROVED) await this.afterApproved(view);
    return view;
  }

  /** Frozen and active cards change; a cancelled one is final. */
  private async active(auth: AuthInfo, id: string): Promise<Card> {
    const card = await this.get(auth, id);
    if (card.status === CardStatus.CANCELLED) throw new DomainError('CARD_NOT_ACTIVE', 'The card is cancelled: cancelling is final');
    return card;
  }

  /** With `statusBy`, the status change and its audit row commit together. */
  private async save(card: Card, statusBy?: AuthInfo): Promise<Card> {
    card.updatedAt = this.deps.clock.now();
    if (!statusBy) {
      await this.em.flush();
      return card;
    }
    const row = this.audit.event(AuditAction.CARD_STATUS_CHANGED, card.status, { userId: statusBy.userId, target: `card:${card.id}` });
    await this.em.transactional((em) => this.audit.record(em, row));
    return card;
  }
}
