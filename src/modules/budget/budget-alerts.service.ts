import type { EntityManager } from '@mikro-orm/postgresql';
import { ormSql } from '../../db/orm-sql.js';
import { v7 as uuidv7 } from 'uuid';
import type { CoreDeps } from '../../deps.js';
import { Topic, type BudgetAlertPayload } from '../../pubsub/topics.js';
import { formatMonth } from '../../shared/calendar-input.js';
import { dayIn, monthRange } from '../../shared/time-zone.js';
import type { AuthInfo } from '../auth/auth.types.js';
import type { CardPaymentView } from '../cards/card.types.js';
import { allocationsOf } from './budget.rules.js';
import type { BudgetService } from './budget.service.js';
import type { TransactionFeed } from '../transactions/feed.service.js';
import type { TransactionView } from '../transactions/transaction.types.js';
import { claimAlert } from './budget.sql.js';
import { jarView } from './budget.types.js';
import type { Jar } from './jar.entity.js';

/** budgetAlerts: a jar pushed over its allocation, announced once per jar and month across the fleet. */
export class BudgetAlertService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock' | 'pubsub' | 'logger'>,
    private readonly budget: Pick<BudgetService, 'factsOf'>,
    private readonly feed: Pick<TransactionFeed, 'spentByJar'>,
  ) {}

  /** After an approved card payment committed: see overJar. Never fails the payment. */
  async afterApprovedPayment(payment: CardPaymentView): Promise<void> {
    try {
      await this.overJar(payment.userId, payment.amount.currency, payment.createdAt, (jars) => jars.find((j) => j.categories.includes(payment.category))?.id);
    } catch (error) {
      this.deps.logger.error({ err: error, paymentId: payment.id }, 'budget alert check failed');
    }
  }

  /** After a manual spending committed (recorded or changed): see overJar. Never fails the write. */
  async afterManualSpending(tx: TransactionView, userId: string): Promise<void> {
    try {
      if (tx.jarId === null) return;
      await this.overJar(userId, tx.amount.currency, tx.at, () => tx.jarId ?? undefined);
    } catch (error) {
      this.deps.logger.error({ err: error, transactionId: tx.id }, 'budget alert check failed');
    }
  }

  /**
   * When the spending's jar is now over its allocation for the spending's month (every source
   * counted), claim the (jar, month) alert row and publish only if this call won it, so
   * concurrent spendings and instances send one alert.
   */
  private async overJar(userId: string, currency: string, at: Date, jarOf: (jars: Jar[]) => string | undefined): Promise<void> {
    const { timeZone, budget, jars } = await this.budget.factsOf(userId);
    if (budget.monthlyIncome === null || budget.currency !== currency) return;
    const jarId = jarOf(jars);
    const jar = jars.find((j) => j.id === jarId);
    if (!jar) return;
    const day = dayIn(at, timeZone);
    const { from, to } = monthRange(day.year, day.month, timeZone);
    const spent = (await this.feed.spentByJar({ userId, timeZone, currency, from, to })).get(jar.id) ?? 0n;
    const allocated = allocationsOf(budget, jars).get(jar.id) ?? 0n;
    if (spent <= allocated) return;
    const month = formatMonth(day);
    const claim = claimAlert({ id: uuidv7(), userId, jarId: jar.id, month, allocated, spent, at: this.deps.clock.now() });
    const won = await ormSql(this.em, claim.sql, claim.params);
    if (won.length === 0) return;
    const payload: BudgetAlertPayload = {
      userId,
      jar: { ...jarView(jar), createdAt: jar.createdAt.toISOString() },
      month,
      currency: budget.currency,
      allocatedMinor: allocated.toString(),
      spentMinor: spent.toString(),
    };
    await this.deps.pubsub.publish(Topic.BUDGET_ALERT, userId, payload);
  }

  watchAlerts(auth: AuthInfo): AsyncIterableIterator<BudgetAlertPayload> {
    return this.deps.pubsub.subscribe(Topic.BUDGET_ALERT, auth.userId);
  }
}
