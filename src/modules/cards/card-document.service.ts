import type { EntityManager } from '@mikro-orm/postgresql';
import { Account, AccountStatus } from '../accounts/account.entity.js';
import type { AccountService } from '../accounts/account.service.js';
import { User } from '../auth/user.entity.js';
import { Card, type CardKind, CardStatus } from './card.entity.js';

/** A payment card in the export document: never a card number beyond its last four digits, never a security code. */
export interface CardDoc {
  /** The account it was on: restored onto the caller's account with this number, else the one with this name and currency. */
  account: { number: string; name: string; currency: string };
  kind: CardKind;
  label: string | null;
  last4: string;
  expiryMonth: number;
  expiryYear: number;
  status: CardStatus;
  monthlyLimitMinor: string | null;
  createdAt: string;
}

/** The cards' slice of the export document: read on the operation's EntityManager, restored in the import's transaction. */
export class CardDocumentService {
  constructor(
    private readonly em: EntityManager,
    private readonly accounts: Pick<AccountService, 'customerAccounts'>,
  ) {}

  async exportCards(userId: string): Promise<CardDoc[]> {
    const { em } = this;
    const cards = await em.find(Card, { user: userId }, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], populate: ['account'] });
    return cards.map((c) => ({
      account: { number: c.account.$.number, name: c.account.$.name, currency: c.account.$.currency },
      kind: c.kind,
      label: c.label,
      last4: c.last4,
      expiryMonth: c.expiryMonth,
      expiryYear: c.expiryYear,
      status: c.status,
      monthlyLimitMinor: c.monthlyLimit?.toString() ?? null,
      createdAt: c.createdAt.toISOString(),
    }));
  }

  /**
   * In the import's transaction. The card's number was never known, so its last four come back as
   * they were; a card whose account the caller lacks is skipped, one already there not doubled,
   * one on a closed account comes back CANCELLED.
   */
  async restoreCards(em: EntityManager, userId: string, docs: CardDoc[], now: Date): Promise<number> {
    if (docs.length === 0) return 0;
    const accounts = await this.accounts.customerAccounts(em, userId);
    const existing = await em.find(Card, { user: userId });
    let restored = 0;
    for (const d of docs) {
      const account =
        accounts.find((a) => a.number === d.account.number) ??
        accounts.find((a) => a.status === AccountStatus.OPEN && a.name === d.account.name && a.currency === d.account.currency);
      if (!account || account.currency !== d.account.currency) continue;
      const same = (c: Card) =>
        c.accountId === account.id && c.last4 === d.last4 && c.kind === d.kind && c.expiryMonth === d.expiryMonth && c.expiryYear === d.expiryYear;
      if (existing.some(same)) continue;
      const card = Object.assign(new Card(), {
        account: em.getReference(Account, account.id, { wrapped: true }),
        user: em.getReference(User, userId, { wrapped: true }),
        currency: account.currency,
        kind: d.kind,
        label: d.label,
        last4: d.last4,
        expiryMonth: d.expiryMonth,
        expiryYear: d.expiryYear,
        status: account.status === AccountStatus.OPEN ? d.status : CardStatus.CANCELLED,
        monthlyLimit: d.monthlyLimitMinor === null ? null : BigInt(d.monthlyLimitMinor),
        createdAt: new Date(d.createdAt),
        updatedAt: now,
      });
      em.persist(card);
      existing.push(card);
      restored++;
    }
    return restored;
  }
}
