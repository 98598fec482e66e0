import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { CoreDeps } from '../../deps.js';
import { DomainError, badUserInput, notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { checkFreeText } from '../../shared/input-rules.js';
import { MAX_AMOUNT_MINOR, money, parseCurrency } from '../../shared/money.js';
import { inTransaction } from '../../shared/transactions.js';
import { formatMonth, parseMonth } from '../../shared/calendar-input.js';
import { dayIn, monthRange } from '../../shared/time-zone.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { User } from '../auth/user.entity.js';
import type { PreferencesService } from '../preferences/preferences.service.js';
import { Budget } from './budget.entity.js';
import type { JarInput, SetMonthlyIncomeInput, UpdateJarInput } from './budget.inputs.js';
import { allocationsOf, basisPoints, budgetFacts, checkFits, distinctCategories, jarName, type BudgetFacts } from './budget.rules.js';
import type { TransactionFeed } from '../transactions/feed.service.js';
import { lockBudget } from './budget.sql.js';
import { budgetView, jarSpends, jarView, type BudgetView, type JarMonthView, type JarSpend, type JarView } from './budget.types.js';
import { Fee } from './fee.entity.js';
import { Jar } from './jar.entity.js';
import { ormSql } from '../../db/orm-sql.js';

/**
 * Income and jars: their administration and what each jar spent. Moved payments are
 * PaymentJarService's, alerts BudgetAlertService's. Jar, income and fee writes
 * take the user's budget lock (an advisory lock), so the checks that span jars (allocation
 * total, names, categories, currency) hold under concurrent calls.
 */
export class BudgetService {
  private readonly jarsById = new DataLoader<string, Jar | null>(async (ids) => {
    const rows = await this.em.find(Jar, { id: { $in: [...ids] } });
    const map = new Map(rows.map((j) => [j.id, j]));
    return ids.map((id) => map.get(id) ?? null);
  });

  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock'>,
    private readonly preferences: PreferencesService,
    private readonly feed: Pick<TransactionFeed, 'spentByJar'>,
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
    const spent = await this.feed.spentByJar({ userId: auth.userId, timeZone, currency: budget.currency, from, to });
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
    const spent = (await this.feed.spentByJar({ userId: auth.userId, timeZone, currency: budget.currency, from, to })).get(jar.id) ?? 0n;
    const allocated = allocationsOf(budget, jars).get(jar.id) ?? 0n;
    return {
      month: formatMonth(m),
      allocated: money(allocated, budget.currency),
      spent: money(spent, budget.currency),
      remaining: money(allocated - spent, budget.currency),
      jarId: jar.id,
      timeZone,
      from,
      to,
    };
  }

  /** The caller's time zone, budget (defaults when unset) and unarchived jars: 3 statements. */
  facts(auth: AuthInfo): Promise<{ timeZone: string; budget: BudgetFacts; jars: Jar[] }> {
    return this.factsOf(auth.userId);
  }

  /** facts() for a user known to the caller (a payment's owner, say). */
  async factsOf(userId: string): Promise<{ timeZone: string; budget: BudgetFacts; jars: Jar[] }> {
    const [prefs, budget, jars] = await Promise.all([
      this.preferences.get(userId),
      this.em.findOne(Budget, { user: userId }),
      this.activeJars(this.em, userId),
    ]);
    return { timeZone: prefs.timeZone, budget: budgetFacts(budget), jars };
  }

  /** A jar by id, batched, whoever owns it: for rows already known to be the caller's. */
  jarById(id: string): Promise<Jar | null> {
    return this.jarsById.load(id);
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
