import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { v7 as uuidv7 } from 'uuid';
import type { CoreDeps } from '../../deps.js';
import { Topic, type BudgetAlertPayload } from '../../pubsub/topics.js';
import { DomainError, badUserInput, notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { checkFreeText } from '../../shared/input-rules.js';
import { MAX_AMOUNT_MINOR, money, parseCurrency } from '../../shared/money.js';
import { pageSize, timeIdCursor, toPage, type Page } from '../../shared/pagination.js';
import { inTransaction } from '../../shared/transactions.js';
import { formatMonth, parseMonth } from '../../shared/calendar-input.js';
import { dayIn, monthRange } from '../../shared/time-zone.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { User } from '../auth/user.entity.js';
import { CardPayment, CardPaymentStatus } from '../cards/card-payment.entity.js';
import { paymentView, rowOfPayment, type CardPaymentView } from '../cards/card.types.js';
import type { PreferencesService } from '../preferences/preferences.service.js';
import { Budget } from './budget.entity.js';
import type { JarInput, SetMonthlyIncomeInput, UpdateJarInput } from './budget.inputs.js';
import { allocationsOf, basisPoints, budgetFacts, checkFits, checkUnarchived, distinctCategories, jarName, type BudgetFacts } from './budget.rules.js';
import {
  claimAlert,
  deleteAssignment,
  lockBudget,
  selectJarPaymentIds,
  selectJarSpent,
  selectPaymentJars,
  spentByJar,
  upsertAssignment,
} from './budget.sql.js';
import { budgetView, jarSpends, jarView, type BudgetView, type JarMonthView, type JarSpend, type JarView } from './budget.types.js';
import { Fee } from './fee.entity.js';
import { Jar } from './jar.entity.js';
import { ormSql } from '../../db/orm-sql.js';

/**
 * Income, jars, moved payments and budget alerts. Reads card payments, never writes them:
 * a moved payment is a payment_jar_assignment row beside it. Jar, income and fee writes
 * take the user's budget lock (an advisory lock), so the checks that span jars (allocation
 * total, names, categories, currency) hold under concurrent calls.
 */
export class BudgetService {
  private readonly jarsById = new DataLoader<string, Jar | null>(async (ids) => {
    const rows = await this.em.find(Jar, { id: { $in: [...ids] } });
    const map = new Map(rows.map((j) => [j.id, j]));
    return ids.map((id) => map.get(id) ?? null);
  });

  private readonly paymentJars = new DataLoader<string, string | null>(async (ids) => {
    const query = selectPaymentJars(ids);
    const rows = await ormSql(this.em, query.sql, query.params);
    const map = new Map(rows.map((r) => [r.id as string, (r.jar_id as string | null) ?? null]));
    return ids.map((id) => map.get(id) ?? null);
  });

  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock' | 'pubsub' | 'logger'>,
    private readonly preferences: PreferencesService,
  ) {}

  async budget(auth: AuthInfo): Promise<BudgetView> {
    const [budget, jars] = await Promise.all([this.em.findOne(Budget, { user: auth.userId }), this.activeJars(this.em, auth.userId)]);
    return budgetView(budget, jars);
  }

  /** Sets the income and the budget currency; CURRENCY_MISMATCH when fees exist in another currency. */
  async setMonthlyIncome(auth: AuthInfo, input: SetMonthlyIncomeInput): Promise<BudgetView> {
    const currency = parseCurrency(input.currency);
    if (input.amountMinor < 0n || input.amountMinor > MAX_AMOUNT_MINOR) {
      throw badUserInput([{ field: 'amountMinor', message: `must be from 0 to ${MAX_AMOUNT_MINOR} minor units` }]);
    }
    return this.locked(auth, async (em) => {
      const other = await em.findOne(Fee, { user: auth.userId, currency: { $ne: currency } });
      if (other)
        throw new DomainError('CURRENCY_MISMATCH', `Your fees are in ${other.currency}: change or delete them before moving the budget to ${currency}`);
      const now = this.deps.clock.now();
      let budget = await em.findOne(Budget, { user: auth.userId });
      if (!budget) {
        budget = Object.assign(new Budget(), { user: em.getReference(User, auth.userId, { wrapped: true }), currency, createdAt: now });
        em.persist(budget);
      }
      budget.currency = currency;
      budget.monthlyIncome = input.amountMinor;
      budget.updatedAt = now;
      await em.flush();
      return budgetView(budget, await this.activeJars(em, auth.userId));
    });
  }

  /** The budget with each unarchived jar's allocation and spending in a month (default: the current one): the agent's view. */
  async overview(auth: AuthInfo, month?: string): Promise<BudgetOverview> {
    const { timeZone, budget, jars } = await this.facts(auth);
    const m = month === undefined ? dayIn(this.deps.clock.now(), timeZone) : parseMonth(month);
    const { from, to } = monthRange(m.year, m.month, timeZone);
    const query = selectJarSpent(auth.userId, budget.currency, from, to);
    const spent = spentByJar(await ormSql(this.em, query.sql, query.params));
    return { month: formatMonth(m), budget: budgetView(budget, jars), jars: jarSpends(budget, jars, spent) };
  }

  /** The caller's current month, "YYYY-MM", in their time zone. */
  async currentMonth(auth: AuthInfo): Promise<string> {
    return formatMonth(dayIn(this.deps.clock.now(), (await this.preferences.get(auth.userId)).timeZone));
  }

  /** The caller's jar, archived ones included; another user's id is NOT_FOUND like a missing one. */
  async jar(auth: AuthInfo, id: string): Promise<JarView> {
    return jarView(await this.ownJar(auth, id));
  }

  async createJar(auth: AuthInfo, input: JarInput): Promise<JarView> {
    const name = jarName(input.name);
    const bp = basisPoints(input.allocationBasisPoints);
    const categories = distinctCategories(input.categories ?? []);
    checkFreeText(input.description, 'description');
    return this.locked(auth, async (em) => {
      const jars = await this.activeJars(em, auth.userId);
      checkFits(jars, null, { name, bp, categories });
      const now = this.deps.clock.now();
      const jar = Object.assign(new Jar(), {
        user: em.getReference(User, auth.userId, { wrapped: true }),
        name,
        description: input.description?.trim() || null,
        allocationBasisPoints: bp,
        categories,
        createdAt: now,
        updatedAt: now,
      });
      em.persist(jar);
      await em.flush();
      return jarView(jar);
    });
  }

  async updateJar(auth: AuthInfo, id: string, input: UpdateJarInput): Promise<JarView> {
    const name = input.name === null || input.name === undefined ? undefined : jarName(input.name);
    const bp = input.allocationBasisPoints === null || input.allocationBasisPoints === undefined ? undefined : basisPoints(input.allocationBasisPoints);
    const categories = input.categories ? distinctCategories(input.categories) : undefined;
    checkFreeText(input.description, 'description');
    const jarId = (await this.ownJar(auth, id)).id;
    return this.locked(auth, async (em) => {
      const jar = (await em.findOne(Jar, { id: jarId }))!;
      if (jar.archived) throw badUserInput([{ field: 'id', message: 'the jar is archived: archived jars do not change' }]);
      const others = (await this.activeJars(em, auth.userId)).filter((j) => j.id !== jar.id);
      checkFits(others, jar.id, { name: name ?? jar.name, bp: bp ?? jar.allocationBasisPoints, categories: categories ?? jar.categories });
      if (name !== undefined) jar.name = name;
      if (input.description !== undefined) jar.description = input.description?.trim() || null;
      if (bp !== undefined) jar.allocationBasisPoints = bp;
      if (categories !== undefined) jar.categories = categories;
      jar.updatedAt = this.deps.clock.now();
      await em.flush();
      return jarView(jar);
    });
  }

  /** Frees the jar's allocation, name and categories; payments moved to it stay there. Archiving twice answers the jar. */
  async archiveJar(auth: AuthInfo, id: string): Promise<JarView> {
    const jarId = (await this.ownJar(auth, id)).id;
    return this.locked(auth, async (em) => {
      const jar = (await em.findOne(Jar, { id: jarId }))!;
      jar.archived = true;
      jar.updatedAt = this.deps.clock.now();
      await em.flush();
      return jarView(jar);
    });
  }

  /** One jar in a month of the caller's time zone. */
  async jarMonth(auth: AuthInfo, jar: JarView, month: string): Promise<JarMonthView> {
    const m = parseMonth(month);
    const { timeZone, budget, jars } = await this.facts(auth);
    const { from, to } = monthRange(m.year, m.month, timeZone);
    const query = selectJarSpent(auth.userId, budget.currency, from, to);
    const spent = spentByJar(await ormSql(this.em, query.sql, query.params)).get(jar.id) ?? 0n;
    const allocated = allocationsOf(budget, jars).get(jar.id) ?? 0n;
    return {
      month: formatMonth(m),
      allocated: money(allocated, budget.currency),
      spent: money(spent, budget.currency),
      remaining: money(allocated - spent, budget.currency),
      jarId: jar.id,
      from,
      to,
    };
  }

  /** JarMonth.payments: approved payments counted in the jar that month, newest first. */
  async jarMonthPayments(auth: AuthInfo, month: JarMonthView, first: number | null, after: string | null): Promise<Page<CardPaymentView>> {
    const limit = pageSize(first);
    const cursor = timeIdCursor(after);
    const query = selectJarPaymentIds(month.jarId, auth.userId, month.spent.currency, month.from, month.to, cursor, limit);
    const rows = await ormSql(this.em, query.sql, query.params);
    const ids = rows.flatMap((r) => (r.id === null ? [] : [r.id as string]));
    const payments = ids.length ? await this.em.find(CardPayment, { id: { $in: ids } }) : [];
    const byId = new Map(payments.map((p) => [p.id, p]));
    const views = ids.map((id) => paymentView(rowOfPayment(byId.get(id)!)));
    const total = (rows[0]?.total as number | undefined) ?? 0;
    return toPage(views, limit, (p) => [p.createdAt.toISOString(), p.id], total, { forward: true, hadCursor: cursor !== null });
  }

  /** CardPayment.jar: batched; null for a declined payment or one no jar takes. */
  async paymentJar(payment: CardPaymentView): Promise<JarView | null> {
    const jarId = await this.paymentJars.load(payment.id);
    const jar = jarId ? await this.jarsById.load(jarId) : null;
    return jar ? jarView(jar) : null;
  }

  /** Moves an approved payment to one of the caller's unarchived jars; null moves it back to its category's jar. */
  async assignPaymentToJar(auth: AuthInfo, paymentId: string, jarId: string | null): Promise<CardPaymentView> {
    if (jarId !== null && !isUuid(jarId)) throw notFound('Jar');
    const payment = isUuid(paymentId) ? await this.em.findOne(CardPayment, { id: paymentId.toLowerCase(), user: auth.userId }) : null;
    if (!payment) throw notFound('Card payment');
    if (payment.status !== CardPaymentStatus.APPROVED) throw badUserInput([{ field: 'paymentId', message: 'only approved payments count in a jar' }]);
    const jar = jarId === null ? null : await this.ownJar(auth, jarId);
    if (jar) checkUnarchived(jar);
    const write = jar
      ? upsertAssignment({ id: uuidv7(), paymentId: payment.id, userId: auth.userId, jarId: jar.id, at: this.deps.clock.now() })
      : deleteAssignment(payment.id);
    await ormSql(this.em, write.sql, write.params);
    this.paymentJars.clear(payment.id);
    return paymentView(rowOfPayment(payment));
  }

  /**
   * After an approved card payment committed: when its jar is now over its allocation for
   * the payment's month, claim the (jar, month) alert row and publish only if this call won
   * it, so concurrent payments and instances send one alert. Never fails the payment.
   */
  async afterApprovedPayment(payment: CardPaymentView): Promise<void> {
    try {
      const userId = payment.userId;
      const [budget, timeZone] = await Promise.all([this.em.findOne(Budget, { user: userId }), this.preferences.get(userId).then((p) => p.timeZone)]);
      if (!budget || budget.monthlyIncome === null || budget.currency !== payment.amount.currency) return;
      const jars = await this.activeJars(this.em, userId);
      const jar = jars.find((j) => j.categories.includes(payment.category));
      if (!jar) return;
      const day = dayIn(payment.createdAt, timeZone);
      const { from, to } = monthRange(day.year, day.month, timeZone);
      const query = selectJarSpent(userId, budget.currency, from, to);
      const spent = spentByJar(await ormSql(this.em, query.sql, query.params)).get(jar.id) ?? 0n;
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
    } catch (error) {
      this.deps.logger.error({ err: error, paymentId: payment.id }, 'budget alert check failed');
    }
  }

  watchAlerts(auth: AuthInfo): AsyncIterableIterator<BudgetAlertPayload> {
    return this.deps.pubsub.subscribe(Topic.BUDGET_ALERT, auth.userId);
  }

  /** The caller's time zone, budget (defaults when unset) and unarchived jars: 3 statements. */
  async facts(auth: AuthInfo): Promise<{ timeZone: string; budget: BudgetFacts; jars: Jar[] }> {
    const [prefs, budget, jars] = await Promise.all([
      this.preferences.get(auth.userId),
      this.em.findOne(Budget, { user: auth.userId }),
      this.activeJars(this.em, auth.userId),
    ]);
    return { timeZone: prefs.timeZone, budget: budgetFacts(budget), jars };
  }

  private activeJars(em: EntityManager, userId: string): Promise<Jar[]> {
    return em.find(Jar, { user: userId, archived: false }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  /** The caller's jar, archived or not; another user's id is NOT_FOUND exactly like a missing one. */
  async ownJar(auth: AuthInfo, id: string): Promise<Jar> {
    const jar = isUuid(id) ? await this.jarsById.load(id.toLowerCase()) : null;
    if (!jar || jar.ownerId !== auth.userId) throw notFound('Jar');
    return jar;
  }

  /** A transaction under the user's budget lock, retried on serialization failures. */
  locked<T>(auth: AuthInfo, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return inTransaction(this.em, async (em) => {
      const lock = lockBudget(auth.userId);
      await ormSql(em, lock.sql, lock.params);
      return work(em);
    });
  }
}

export interface BudgetOverview {
  month: string;
  budget: BudgetView;
  jars: JarSpend[];
}
