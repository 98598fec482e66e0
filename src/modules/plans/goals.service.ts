import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import type { CoreDeps } from '../../deps.js';
import { Topic, type GoalData } from '../../pubsub/topics.js';
import { parseIsoDay } from '../../shared/calendar-input.js';
import { DomainError, badUserInput, notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { money, parseCurrency, parsePositiveAmount } from '../../shared/money.js';
import { pageSize, toPage, uuidCursor, type Page } from '../../shared/pagination.js';
import { Account } from '../accounts/account.entity.js';
import { checkOpen } from '../accounts/account.rules.js';
import type { AccountService } from '../accounts/account.service.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { User } from '../auth/user.entity.js';
import { Goal, type GoalHorizon, GoalStatus, Priority } from './goal.entity.js';
import type { GoalInput, GoalsArgs, UpdateGoalInput } from './plans.inputs.js';
import { optionalText, progressBasisPoints, title } from './plans.rules.js';
import { publishAchieved } from './goal.posting.js';
import { achieveReached } from './goals.sql.js';
import { goalView, type GoalView } from './plans.types.js';
import { ormSql } from '../../db/orm-sql.js';

export class GoalService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock' | 'pubsub' | 'logger'>,
    private readonly accounts: Pick<AccountService, 'get'>,
  ) {}

  async create(auth: AuthInfo, input: GoalInput): Promise<GoalView> {
    const now = this.deps.clock.now();
    const goal = Object.assign(new Goal(), {
      user: this.em.getReference(User, auth.userId, { wrapped: true }),
      title: title(input.title),
      description: optionalText(input.description, 'description'),
      horizon: input.horizon,
      priority: input.priority ?? Priority.MEDIUM,
      targetDate: input.targetDate ? parseIsoDay(input.targetDate, 'targetDate') : null,
      createdAt: now,
      updatedAt: now,
    });
    const currency = input.currency ? parseCurrency(input.currency) : null;
    await this.setSavings(auth, goal, { target: input.targetMinor ?? null, currency, accountId: input.accountId ?? null });
    this.em.persist(goal);
    await this.em.flush();
    // Linked to an account that already holds the target: achieved from the start.
    if (goal.account) {
      await this.achieveReached([goal.account.id]);
      return this.view(auth, await this.entity(auth, goal.id, true));
    }
    return this.view(auth, goal);
  }

  async update(auth: AuthInfo, id: string, input: UpdateGoalInput): Promise<GoalView> {
    // A malformed account id is NOT_FOUND before any read, like every malformed id.
    if (input.accountId && !isUuid(input.accountId)) throw notFound('Account');
    const goal = await this.entity(auth, id);
    if (input.title !== undefined && input.title !== null) goal.title = title(input.title);
    if (input.description !== undefined) goal.description = optionalText(input.description, 'description');
    if (input.horizon) goal.horizon = input.horizon;
    if (input.status) goal.status = input.status;
    if (input.priority) goal.priority = input.priority;
    if (input.targetDate !== undefined) goal.targetDate = input.targetDate?.trim() ? parseIsoDay(input.targetDate, 'targetDate') : null;
    if ((input.targetMinor ?? null) !== null || (input.accountId ?? null) !== null) {
      await this.setSavings(auth, goal, {
        target: input.targetMinor ?? goal.target,
        currency: goal.currency,
        accountId: input.accountId ?? goal.account?.id ?? null,
      });
    }
    goal.updatedAt = this.deps.clock.now();
    await this.em.flush();
    // A new target or account may already be reached.
    if (goal.account && goal.status === GoalStatus.ACTIVE) await this.achieveReached([goal.account.id]);
    return this.view(auth, await this.entity(auth, id, true));
  }

  async delete(auth: AuthInfo, id: string): Promise<boolean> {
    const goal = await this.entity(auth, id);
    await this.em.remove(goal).flush();
    return true;
  }

  async get(auth: AuthInfo, id: string): Promise<GoalView> {
    return this.view(auth, await this.entity(auth, id));
  }

  /** The caller's goals, oldest first, keyset-paged on the (time-ordered) id. */
  async list(auth: AuthInfo, args: GoalsArgs): Promise<Page<GoalView>> {
    const limit = pageSize(args.first);
    const after = uuidCursor(args.after);
    const where: FilterQuery<Goal> = args.status ? { user: auth.userId, status: args.status } : { user: auth.userId };
    const [rows, total] = await Promise.all([
      this.em.find(Goal, after ? { $and: [where, { id: { $gt: after } }] } : where, { orderBy: { id: 'asc' }, limit: limit + 1 }),
      this.em.count(Goal, where),
    ]);
    const views = await Promise.all(rows.map((g) => this.view(auth, g)));
    return toPage(views, limit, (g) => [g.id], total, { forward: true, hadCursor: after !== null });
  }

  /** Active goals, most important first (the agent's context and tools). */
  async active(auth: AuthInfo, limit = 10): Promise<GoalView[]> {
    // The priority enum sorts LOW < MEDIUM < HIGH (its declaration order in PostgreSQL).
    const rows = await this.em.find(Goal, { user: auth.userId, status: GoalStatus.ACTIVE }, { orderBy: { priority: 'desc', id: 'asc' }, limit });
    return Promise.all(rows.map((g) => this.view(auth, g)));
  }

  /** The caller's goal entity; another user's id is NOT_FOUND like a missing one. */
  async entity(auth: AuthInfo, id: string, refresh = false): Promise<Goal> {
    const goal = isUuid(id) ? await this.em.findOne(Goal, { id: id.toLowerCase(), user: auth.userId }, { refresh }) : null;
    if (!goal) throw notFound('Goal');
    return goal;
  }

  /**
   * After a posting commits: savings goals on these accounts that reached their target
   * become ACHIEVED, and their owners hear of it once (the guarded update returns each goal once).
   */
  async achieveReached(accountIds: readonly string[]): Promise<void> {
    if (accountIds.length === 0) return;
    const query = achieveReached(accountIds, this.deps.clock.now());
    await publishAchieved(this.deps.pubsub, await ormSql(this.em, query.sql, query.params));
  }

  /** The goalAchieved subscription: the caller's own goals only (the topic key is the owner). */
  watchAchieved(auth: AuthInfo): AsyncIterableIterator<GoalData> {
    return this.deps.pubsub.subscribe(Topic.GOAL_ACHIEVED, auth.userId);
  }

  /** Renders an event without reading the database. */
  viewOfData(d: GoalData): GoalView {
    const target = d.targetMinor === null ? null : BigInt(d.targetMinor);
    const balance = d.balanceMinor === null ? null : BigInt(d.balanceMinor);
    return {
      id: d.id,
      title: d.title,
      description: d.description,
      horizon: d.horizon as GoalHorizon,
      status: d.status as GoalStatus,
      priority: d.priority as Priority,
      targetDate: d.targetDate,
      target: target !== null && d.currency ? money(target, d.currency) : null,
      progress: balance !== null && d.currency ? money(balance, d.currency) : null,
      progressBasisPoints: balance !== null ? progressBasisPoints(balance, target) : null,
      createdAt: new Date(d.createdAt),
      updatedAt: new Date(d.updatedAt),
      accountId: d.accountId,
      userId: d.userId,
    };
  }

  /** Goal.account: the linked account, the caller's. */
  async account(auth: AuthInfo, goal: GoalView): Promise<Account | null> {
    return goal.accountId === null ? null : this.accounts.get(auth, goal.accountId);
  }

  /** A goal entity as the API shows it (its account's balance read through the batched account loader). */
  async view(auth: AuthInfo, goal: Goal): Promise<GoalView> {
    const account = goal.account ? await this.accounts.get(auth, goal.account.id) : null;
    return goalView(goal, account?.balance ?? null);
  }

  /** Target, currency and account together: the account is the caller's and in the target's currency. */
  private async setSavings(auth: AuthInfo, goal: Goal, s: { target: bigint | null; currency: string | null; accountId: string | null }): Promise<void> {
    const account = s.accountId ? await this.accounts.get(auth, s.accountId) : null;
    // A goal already linked keeps its account once closed; a new link needs an open one.
    if (account && account.id !== goal.account?.id) checkOpen(account);
    const currency = s.currency ?? account?.currency ?? null;
    if (account && currency !== account.currency) {
      throw new DomainError('CURRENCY_MISMATCH', `The goal is in ${currency} but the account is in ${account.currency}: link an account in ${currency}`);
    }
    if (s.target !== null && currency === null) throw badUserInput([{ field: 'currency', message: 'is needed with targetMinor (or give accountId)' }]);
    goal.target = s.target === null ? null : parsePositiveAmount(s.target, 'targetMinor');
    goal.currency = s.target !== null || account ? currency : null;
    goal.account = account ? this.em.getReference(Account, account.id, { wrapped: true }) : null;
  }
}
