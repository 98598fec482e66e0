import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { ormSql } from '../../db/orm-sql.js';
import { User } from '../auth/user.entity.js';
import type { SpendingCategory } from '../cards/mcc.rules.js';
import { TransactionEdit } from '../transactions/transaction-edit.entity.js';
import type { TransactionDirection } from '../transactions/transaction.enums.js';
import { LinkedAccount } from './linked-account.entity.js';
import { LinkedItem } from './linked-item.entity.js';
import { LinkedTransaction } from './linked-transaction.entity.js';
import { LinkStatus, type LinkedAccountKind } from './linking.enums.js';

/*
 * Linked accounts in the export document: what the bank said, and the user's category and jar
 * for each transaction. Never a token, a cursor or the aggregator's item: an imported account
 * comes back DISCONNECTED (it syncs again only once linked again); a bank's transaction keeps
 * the bank's id, which is what makes a second import double nothing.
 */

export interface LinkedTransactionDoc {
  /** The bank's id of the transaction. */
  bankId: string;
  direction: TransactionDirection;
  amountMinor: string;
  currency: string;
  description: string;
  merchant: string | null;
  category: SpendingCategory;
  occurredOn: string;
  pending: boolean;
  /** When the gateway first read it: a categorization rule applies to transactions read after it was made. */
  createdAt: string;
  /** The user's own category, and the jar (by name) it was moved to. */
  edit: { category: SpendingCategory | null; jar: string | null } | null;
}

export interface LinkedAccountDoc {
  /** The aggregator's id of the bank. */
  institution: string;
  institutionName: string;
  name: string;
  mask: string | null;
  kind: LinkedAccountKind;
  currency: string;
  balanceMinor: string | null;
  transactions: LinkedTransactionDoc[];
}

export class LinkingDocumentService {
  constructor(private readonly em: EntityManager) {}

  async exportLinked(userId: string): Promise<LinkedAccountDoc[]> {
    const accounts = await this.em.find(LinkedAccount, { user: userId }, { populate: ['item'], orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    if (accounts.length === 0) return [];
    const transactions = await this.em.find(LinkedTransaction, { user: userId }, { orderBy: [{ occurredOn: 'asc' }, { id: 'asc' }] });
    const edits = new Map((await this.em.find(TransactionEdit, { user: userId })).map((e) => [e.transactionId, e]));
    const jars = new Map(
      (await ormSql<{ id: string; name: string }>(this.em, `select "id", "name" from "jar" where "user_id" = ?`, [userId])).map((j) => [j.id, j.name]),
    );
    return accounts.map((a) => {
      const item = a.item.getEntity();
      return {
        institution: item.institutionId,
        institutionName: item.institutionName,
        name: a.name,
        mask: a.mask,
        kind: a.kind,
        currency: a.currency,
        balanceMinor: a.balance?.toString() ?? null,
        transactions: transactions
          .filter((t) => t.account.id === a.id)
          .map((t) => {
            const edit = edits.get(t.id);
            return {
              bankId: t.externalId,
              direction: t.direction,
              amountMinor: t.amount.toString(),
              currency: t.currency,
              description: t.description,
              merchant: t.merchant,
              category: t.category,
              occurredOn: t.occurredOn,
              pending: t.pending,
              createdAt: t.createdAt.toISOString(),
              edit: edit ? { category: edit.category, jar: edit.jar ? (jars.get(edit.jar.id) ?? null) : null } : null,
            };
          }),
      };
    });
  }

  /**
   * In the import's transaction: an account the caller has at the same bank (name, mask,
   * currency) takes the transactions it lacks; any other comes back DISCONNECTED, with no token.
   * A transaction the account has (the bank's id) is left as it is, the user's edits included.
   */
  async restoreLinkedInto(em: EntityManager, userId: string, docs: LinkedAccountDoc[], now: Date): Promise<{ accounts: number; transactions: number }> {
    const restored = { accounts: 0, transactions: 0 };
    if (docs.length === 0) return restored;
    const user = em.getReference(User, userId, { wrapped: true });
    const have: Array<{ account: LinkedAccount; institution: string }> = (await em.find(LinkedAccount, { user: userId }, { populate: ['item'] })).map((a) => ({
      account: a,
      institution: a.item.getEntity().institutionId,
    }));
    const jars = await ormSql<{ id: string; name: string }>(em, `select "id", "name" from "jar" where "user_id" = ? order by "archived", "created_at"`, [
      userId,
    ]);
    for (const d of docs) {
      let account = have.find(
        (h) => h.institution === d.institution && h.account.name === d.name && h.account.mask === d.mask && h.account.currency === d.currency,
      )?.account;
      if (!account) {
        const item = Object.assign(new LinkedItem(), {
          user,
          institutionId: d.institution,
          institutionName: d.institutionName,
          externalId: `imported:${uuidv7()}`,
          accessTokenSealed: null,
          status: LinkStatus.DISCONNECTED,
          createdAt: now,
          updatedAt: now,
        });
        account = em.create(LinkedAccount, {
          user,
          item,
          externalId: `imported:${uuidv7()}`,
          name: d.name,
          mask: d.mask,
          kind: d.kind,
          currency: d.currency,
          balance: d.balanceMinor === null ? null : BigInt(d.balanceMinor),
          disconnected: true,
          createdAt: now,
          updatedAt: now,
        });
        em.persist(item);
        have.push({ account, institution: d.institution });
        restored.accounts++;
      }
      const known = new Set((await em.find(LinkedTransaction, { account: account.id }, { fields: ['externalId'] })).map((t) => t.externalId));
      for (const t of d.transactions) {
        if (known.has(t.bankId)) continue;
        known.add(t.bankId);
        const row = em.create(LinkedTransaction, {
          user,
          account,
          externalId: t.bankId,
          direction: t.direction,
          amount: BigInt(t.amountMinor),
          currency: t.currency,
          description: t.description,
          merchant: t.merchant,
          category: t.category,
          occurredOn: t.occurredOn,
          pending: t.pending,
          createdAt: new Date(t.createdAt),
          updatedAt: now,
        });
        restored.transactions++;
        if (!t.edit) continue;
        const jar = t.edit.jar === null ? undefined : jars.find((j) => j.name.toLowerCase() === t.edit!.jar!.toLowerCase());
        em.create(TransactionEdit, {
          user,
          transactionId: row.id,
          category: t.edit.category,
          jar: jar ? em.getReference('Jar', jar.id, { wrapped: true }) : null,
          createdAt: now,
          updatedAt: now,
        } as never);
      }
    }
    return restored;
  }
}
