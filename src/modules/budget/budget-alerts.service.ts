import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import type { CoreDeps } from '../../deps.js';
import { Topic, type BudgetAlertPayload } from '../../pubsub/topics.js';
import { formatMonth } from '../../shared/calendar-input.js';
import { dayIn, monthRange } from '../../shared/time-zone.js';
import type { AuthInfo } from '../auth/auth.types.js';
import type { CardPaymentView } from '../cards/card.types.js';
import { allocationsOf } from './budget.rules.js';
import type { BudgetService } from './budget.service.js';
import { claimAlert, selectJarSpent, spentByJar } from './budget.sql.js';
import { jarView } from './budget.types.js';

type Rows = Array<Record<string, unknown>>;

/** budgetAlerts: a jar pushed over its allocation, announced once per jar and month across the fleet. */
export class BudgetAlertService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock' | 'pubsub' | 'logger'>,
    private readonly budget: Pick<BudgetService, 'factsOf'>,
  ) {}

  /**
   * After an approved card payment committed: when its jar is now over its allocation for
   * the payment's month, claim the (jar, month) alert row and publish only if this call won
   * it, so concurrent payments and instances send one alert. Never fails the payment.
   */
  async afterApprovedPayment(payment: CardPaymentView): Promise<void> {
    try {
      const userId = payment.userId;
      const { timeZone, budget, jars } = await this.budget.factsOf(userId);
      if (budget.monthlyIncome === null || budget.currency !== payment.amount.currency) return;
      const jar = jars.find((j) => j.categories.includes(payment.category));
      if (!jar) return;
      const day = dayIn(payment.createdAt, timeZone);
      const { from, to } = monthRange(day.year, day.month, timeZone);
      const query = selectJarSpent(userId, budget.currency, from, to);
      const spent = spentByJar(await this.em.execute<Rows>(query.sql, query.params)).get(jar.id) ?? 0n;
      const allocated = allocationsOf(budget, jars).get(jar.id) ?? 0n;
      if (spent <= allocated) return;
      const month = formatMonth(day);
      const claim = claimAlert({ id: uuidv7(), userId, jarId: jar.id, month, allocated, spent, at: this.deps.clock.now() });
      const won = await this.em.execute<Rows>(claim.sql, claim.params);
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
    } catch (error) {
      this.deps.logger.error({ err: error, paymentId: payment.id }, 'budget alert check failed');
    }
  }

  watchAlerts(auth: AuthInfo): AsyncIterableIterator<BudgetAlertPayload> {
    return this.deps.pubsub.subscribe(Topic.BUDGET_ALERT, auth.userId);
  }
}
