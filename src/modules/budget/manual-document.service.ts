import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../../shared/errors.js';
import { User } from '../auth/user.entity.js';
import type { SpendingCategory } from '../cards/mcc.rules.js';
import { ManualTransaction } from '../transactions/manual-transaction.entity.js';
import type { TransactionDirection } from '../transactions/transaction.enums.js';
import { Budget } from './budget.entity.js';
import { budgetFacts } from './budget.rules.js';
import { Jar } from './jar.entity.js';

/* Manual transactions in the export document: ids never leave, a moved one names its jar. */

export interface ManualTransactionDoc {
  direction: TransactionDirection;
  amountMinor: string;
  currency: string;
  description: string;
  category: SpendingCategory;
  occurredOn: string;
  /** The jar it was moved to, by name; null: its category's. */
  jar: string | null;
  createdAt: string;
}

export class ManualDocumentService {
  constructor(private readonly em: EntityManager) {}

  async exportManual(userId: string): Promise<ManualTransactionDoc[]> {
    const rows = await this.em.find(ManualTransaction, { user: userId }, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    const jars = new Map((await this.em.find(Jar, { user: userId })).map((j) => [j.id, j.name]));
    return rows.map((m) => ({
      direction: m.direction,
      amountMinor: m.amount.toString(),
      currency: m.currency,
      description: m.description,
      category: m.category,
      occurredOn: m.occurredOn,
      jar: m.jar ? (jars.get(m.jar.id) ?? null) : null,
      createdAt: m.createdAt.toISOString(),
    }));
  }

  /**
   * In the import's transaction, after the budget: each in the budget currency (else
   * CURRENCY_MISMATCH, as recordManualTransaction); one equal to a manual transaction the caller
   * has (every field and the time it was entered) is not doubled; a jar is the caller's of that name.
   */
  async restoreManualInto(em: EntityManager, userId: string, docs: ManualTransactionDoc[], now: Date): Promise<number> {
    if (docs.length === 0) return 0;
    const currency = budgetFacts(await em.findOne(Budget, { user: userId })).currency;
    const have = await em.find(ManualTransaction, { user: userId });
    const jars = await em.find(Jar, { user: userId }, { orderBy: [{ archived: 'asc' }, { createdAt: 'asc' }] });
    const key = (m: Omit<ManualTransactionDoc, 'jar'>) =>
      [m.direction, m.amountMinor, m.currency, m.description, m.category, m.occurredOn, new Date(m.createdAt).toISOString()].join('|');
    const known = new Set(have.map((m) => key({ ...m, amountMinor: m.amount.toString(), createdAt: m.createdAt.toISOString() })));
    let added = 0;
    for (const d of docs) {
      if (d.currency !== currency) throw new DomainError('CURRENCY_MISMATCH', `A manual transaction is in ${d.currency} but the budget is in ${currency}`);
      if (known.has(key(d))) continue;
      known.add(key(d));
      const jar = d.jar === null ? undefined : jars.find((j) => j.name.toLowerCase() === d.jar!.toLowerCase());
      em.persist(
        Object.assign(new ManualTransaction(), {
          user: em.getReference(User, userId, { wrapped: true }),
          direction: d.direction,
          amount: BigInt(d.amountMinor),
          currency: d.currency,
          description: d.description,
          category: d.category,
          occurredOn: d.occurredOn,
          jar: jar ? em.getReference(Jar, jar.id, { wrapped: true }) : null,
          createdAt: new Date(d.createdAt),
          updatedAt: now,
        }),
      );
      added++;
    }
    return added;
  }
}
