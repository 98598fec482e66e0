import type { EntityManager } from '@mikro-orm/postgresql';
import { ormSql } from '../../db/orm-sql.js';
import { DomainError } from '../../shared/errors.js';
import { User } from '../auth/user.entity.js';
import { CardPayment } from '../cards/card-payment.entity.js';
import type { SpendingCategory } from '../cards/mcc.rules.js';
import { Budget } from './budget.entity.js';
import { checkFits } from './budget.rules.js';
import { lockBudget } from './budget.sql.js';
import { Fee, type FeeCadence } from './fee.entity.js';
import { PaymentJarAssignment } from './jar-assignment.entity.js';
import { Jar } from './jar.entity.js';

/*
 * The budget's part of the export document: income, jars, fees and payments moved to another
 * jar. Ids never leave: fees and moves name their jar by index, a moved payment by what the
 * network sent (account number, merchant, amount, currency, time).
 */

export interface BudgetDoc {
  currency: string;
  monthlyIncomeMinor: string | null;
  jars: Array<{
    name: string;
    description: string | null;
    allocationBasisPoints: number;
    categories: SpendingCategory[];
    archived: boolean;
    createdAt: string;
  }>;
  fees: Array<{
    name: string;
    amountMinor: string;
    currency: string;
    cadence: FeeCadence;
    nextDueOn: string;
    jar: number | null;
    active: boolean;
    createdAt: string;
  }>;
  assignments: Array<{ payment: { accountNumber: string; merchant: string; amountMinor: string; currency: string; createdAt: string }; jar: number }>;
}

/** The budget's slice of the export document: read on the operation's EntityManager, restored in the import's transaction. */
export class BudgetDocumentService {
  constructor(private readonly em: EntityManager) {}

  /** The caller's budget as a document part; null when they never set one up. */
  async exportBudget(userId: string): Promise<BudgetDoc | null> {
    const { em } = this;
    const [budget, jars, fees, moves] = await Promise.all([
      em.findOne(Budget, { user: userId }),
      em.find(Jar, { user: userId }, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      em.find(Fee, { user: userId }, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      em.find(PaymentJarAssignment, { user: userId }, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], populate: ['payment', 'payment.account'] }),
    ]);
    if (!budget && jars.length === 0 && fees.length === 0) return null;
    const index = new Map(jars.map((j, i) => [j.id, i]));
    return {
      currency: budget?.currency ?? 'USD',
      monthlyIncomeMinor: budget?.monthlyIncome?.toString() ?? null,
      jars: jars.map((j) => ({
        name: j.name,
        description: j.description,
        allocationBasisPoints: j.allocationBasisPoints,
        categories: [...j.categories],
        archived: j.archived,
        createdAt: j.createdAt.toISOString(),
      })),
      fees: fees.map((f) => ({
        name: f.name,
        amountMinor: f.amount.toString(),
        currency: f.currency,
        cadence: f.cadence,
        nextDueOn: f.nextDueOn,
        jar: f.jar ? (index.get(f.jar.id) ?? null) : null,
        active: f.active,
        createdAt: f.createdAt.toISOString(),
      })),
      assignments: moves.map((m) => {
        const p = m.payment.$;
        return {
          payment: {
            accountNumber: p.account.$.number,
            merchant: p.merchant,
            amountMinor: p.amount.toString(),
            currency: p.currency,
            createdAt: p.createdAt.toISOString(),
          },
          jar: index.get(m.jar.id)!,
        };
      }),
    };
  }

  /**
   * In the import's transaction, under the budget lock: the income and currency are the
   * document's; a jar whose name the caller already has (ignoring case, archived or not alike) is matched, the others
   * added, each passing createJar's own fit check (BUDGET_OVER_ALLOCATED, CATEGORY_TAKEN); fees equal to
   * one the caller has are not doubled; a move applies to the caller's payment that matches.
   */
  async restoreBudgetInto(em: EntityManager, userId: string, doc: BudgetDoc | null, now: Date): Promise<BudgetRestored> {
    const restored: BudgetRestored = { jars: 0, fees: 0, jarAssignments: 0 };
    if (!doc) return restored;
    const lock = lockBudget(userId);
    await ormSql(em, lock.sql, lock.params);
    const user = em.getReference(User, userId, { wrapped: true });
    let budget = await em.findOne(Budget, { user: userId });
    if (!budget) em.persist((budget = Object.assign(new Budget(), { user, currency: doc.currency, createdAt: now })));
    budget.currency = doc.currency;
    budget.monthlyIncome = doc.monthlyIncomeMinor === null ? budget.monthlyIncome : BigInt(doc.monthlyIncomeMinor);
    budget.updatedAt = now;

    const existing = await em.find(Jar, { user: userId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    const jars = doc.jars.map((d) => {
      const same = existing.find((j) => j.archived === d.archived && j.name.toLowerCase() === d.name.toLowerCase());
      if (same) return same;
      // The same checks as createJar, against the unarchived jars so far (the caller's and those imported before it).
      if (!d.archived)
        checkFits(
          existing.filter((j) => !j.archived),
          null,
          { name: d.name, bp: d.allocationBasisPoints, categories: d.categories },
        );
      const jar = Object.assign(new Jar(), { user, ...d, createdAt: new Date(d.createdAt), updatedAt: now });
      em.persist(jar);
      existing.push(jar);
      restored.jars++;
      return jar;
    });

    const fees = await em.find(Fee, { user: userId });
    for (const d of doc.fees) {
      if (d.currency !== budget.currency)
        throw new DomainError('CURRENCY_MISMATCH', `The fee "${d.name}" is in ${d.currency} but the budget is in ${budget.currency}`);
      const jar = d.jar === null ? null : jars[d.jar]!;
      const same = (f: Fee) => f.name === d.name && f.amount === BigInt(d.amountMinor) && f.cadence === d.cadence && f.nextDueOn === d.nextDueOn;
      if (fees.some(same)) continue;
      const fee = Object.assign(new Fee(), {
        user,
        name: d.name,
        amount: BigInt(d.amountMinor),
        currency: d.currency,
        cadence: d.cadence,
        nextDueOn: d.nextDueOn,
        jar: jar ? em.getReference(Jar, jar.id, { wrapped: true }) : null,
        active: d.active,
        createdAt: new Date(d.createdAt),
        updatedAt: now,
      });
      em.persist(fee);
      fees.push(fee);
      restored.fees++;
    }

    for (const a of doc.assignments) {
      const payment = await em.findOne(CardPayment, {
        user: userId,
        account: { number: a.payment.accountNumber },
        merchant: a.payment.merchant,
        amount: BigInt(a.payment.amountMinor),
        currency: a.payment.currency,
        createdAt: new Date(a.payment.createdAt),
      });
      if (!payment) continue;
      await em.nativeDelete(PaymentJarAssignment, { payment: payment.id });
      em.persist(
        Object.assign(new PaymentJarAssignment(), {
          payment,
          user,
          jar: em.getReference(Jar, jars[a.jar]!.id, { wrapped: true }),
          createdAt: now,
          updatedAt: now,
        }),
      );
      restored.jarAssignments++;
    }
    return restored;
  }
}

export interface BudgetRestored {
  jars: number;
  fees: number;
  jarAssignments: number;
}
