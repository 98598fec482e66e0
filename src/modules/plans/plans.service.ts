import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { CoreDeps } from '../../deps.js';
import type { Stmt } from '../../db/statement.js';
import { parseIsoDay } from '../../shared/calendar-input.js';
import { badUserInput, notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { inTransaction } from '../../shared/transactions.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { User } from '../auth/user.entity.js';
import type { PreferencesService } from '../preferences/preferences.service.js';
import { Goal, Priority } from './goal.entity.js';
import type { GoalService } from './goals.service.js';
import { DailyPlan, PlanItem, WeeklyPlan } from './plan.entity.js';
import type { DailyPlanInput, PlanItemInput, UpdatePlanItemInput, WeeklyPlanInput } from './plans.inputs.js';
import { dayIn, moveTo, optionalText, parseTime, parseWeekStart, title, weekDays, weekStartAt } from './plans.rules.js';
import { ensureDays, itemOrder, lockDays, lockGoal, moveItemTo, renumber } from './plans.sql.js';
import { dayView, itemView, weekView, type DailyPlanView, type GoalView, type PlanItemView, type WeeklyPlanView } from './plans.types.js';
import { ormSql } from '../../db/orm-sql.js';

type Row = Record<string, unknown>;

/** Two first saves of the same week race to insert it: the loser runs again and updates the winner's row. */
async function retryOnceOnConflict<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    return work();
  }
}

export class PlanService {
  private readonly goalById = new DataLoader<string, Goal | null>(async (ids) => {
    const rows = await this.em.find(Goal, { id: { $in: [...ids] } });
    return ids.map((id) => rows.find((g) => g.id === id) ?? null);
  });

  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock'>,
    private readonly goals: Pick<GoalService, 'entity' | 'view'>,
    private readonly preferences: Pick<PreferencesService, 'get'>,
  ) {}

  /** Today and this week's Monday in the user's time zone. */
  async calendar(auth: AuthInfo): Promise<{ today: string; weekStart: string; timeZone: string }> {
    const { timeZone } = await this.preferences.get(auth.userId);
    const now = this.deps.clock.now();
    return { today: dayIn(now, timeZone), weekStart: weekStartAt(now, timeZone), timeZone };
  }

  async saveWeek(auth: AuthInfo, input: WeeklyPlanInput): Promise<WeeklyPlanView> {
    const weekStart = parseWeekStart(input.weekStart);
    const focusAreas = input.focusAreas?.map((f, i) => title(f, `focusAreas[${i}]`));
    await retryOnceOnConflict(() =>
      inTransaction(this.em, async (tx) => {
        const now = this.deps.clock.now();
        let week = await tx.findOne(WeeklyPlan, { user: auth.userId, weekStart });
        if (!week) {
          week = Object.assign(new WeeklyPlan(), { user: tx.getReference(User, auth.userId, { wrapped: true }), weekStart, createdAt: now });
          tx.persist(week);
        }
        if (input.summary !== undefined) week.summary = optionalText(input.summary, 'summary');
        if (focusAreas) week.focusAreas = focusAreas;
        week.updatedAt = now;
        await tx.flush();
        await this.run(tx, ensureDays(auth.userId, weekDays(weekStart), now));
      }),
    );
    return (await this.week(auth, weekStart))!;
  }

  /** The week's plan with its seven days (each with its items), in four statements whatever the number of items; null before it is saved. */
  async week(auth: AuthInfo, weekStartInput: string): Promise<WeeklyPlanView | null> {
    const weekStart = parseWeekStart(weekStartInput);
    const week = await this.em.findOne(WeeklyPlan, { user: auth.userId, weekStart }, { refresh: true });
    if (!week) return null;
    const dates = weekDays(weekStart);
    const days = await this.em.find(DailyPlan, { user: auth.userId, date: { $in: dates } }, { refresh: true });
    const items = await this.items(days.map((d) => d.id));
    const views = dates.map((date) => {
      const day = days.find((d) => d.date === date);
      // Saving the week creates its seven days; a day is missing only if removed since: shown empty.
      return day
        ? dayView(
            day,
            items.filter((i) => i.dailyPlan.id === day.id),
          )
        : { id: `${week.id}:${date}`, date, summary: null, items: [] };
    });
    return weekView(week, views);
  }

  async saveDay(auth: AuthInfo, input: DailyPlanInput): Promise<DailyPlanView> {
    const date = parseIsoDay(input.date);
    await inTransaction(this.em, async (tx) => {
      const [day] = await this.lock(tx, auth.userId, [date]);
      if (input.summary !== undefined) {
        await tx.nativeUpdate(DailyPlan, { id: day!.id }, { summary: optionalText(input.summary, 'summary'), updatedAt: this.deps.clock.now() });
      }
    });
    return (await this.day(auth, date))!;
  }

  /** The day's plan and items in order; null when the user never planned that day. */
  async day(auth: AuthInfo, dateInput: string): Promise<DailyPlanView | null> {
    const date = parseIsoDay(dateInput);
    const day = await this.em.findOne(DailyPlan, { user: auth.userId, date }, { refresh: true });
    return day ? dayView(day, await this.items([day.id])) : null;
  }

  /** Appends an item to its day (created if needed) under the day's lock. */
  async addItem(auth: AuthInfo, input: PlanItemInput): Promise<PlanItemView> {
    const date = parseIsoDay(input.date);
    const goal = input.goalId ? await this.goals.entity(auth, input.goalId) : null;
    const fields = { title: title(input.title), notes: optionalText(input.notes, 'notes'), time: parseTime(input.time) };
    const id = await inTransaction(this.em, async (tx) => {
      if (goal) await this.holdGoal(tx, auth, goal.id);
      const [day] = await this.lock(tx, auth.userId, [date]);
      const order = await this.run(tx, itemOrder(day!.id));
      const now = this.deps.clock.now();
      const item = Object.assign(new PlanItem(), {
        ...fields,
        user: tx.getReference(User, auth.userId, { wrapped: true }),
        dailyPlan: tx.getReference(DailyPlan, day!.id, { wrapped: true }),
        priority: input.priority ?? Priority.MEDIUM,
        position: order.length,
        goal: goal ? tx.getReference(Goal, goal.id, { wrapped: true }) : null,
        createdAt: now,
        updatedAt: now,
      });
      tx.persist(item);
      return item.id;
    });
    return this.item(auth, id);
  }

  /** Fields change in place; a new date moves the item to the end of that day and closes the gap it leaves. */
  async updateItem(auth: AuthInfo, id: string, input: UpdatePlanItemInput): Promise<PlanItemView> {
    if (input.clearGoal && input.goalId) throw badUserInput([{ field: 'clearGoal', message: 'give either goalId or clearGoal, not both' }]);
    const goal = input.goalId ? await this.goals.entity(auth, input.goalId) : null;
    const newDate = input.date ? parseIsoDay(input.date) : null;
    const changes: Partial<PlanItem> = {};
    if (input.title !== undefined && input.title !== null) changes.title = title(input.title);
    if (input.notes !== undefined) changes.notes = optionalText(input.notes, 'notes');
    if (input.status) changes.status = input.status;
    if (input.priority) changes.priority = input.priority;
    if (input.time !== undefined) changes.time = parseTime(input.time);
    await inTransaction(this.em, async (tx) => {
      const item = await this.entity(tx, auth, id);
      if (goal) {
        await this.holdGoal(tx, auth, goal.id);
        item.goal = tx.getReference(Goal, goal.id, { wrapped: true });
      }
      if (input.clearGoal) item.goal = null;
      Object.assign(item, changes, { updatedAt: this.deps.clock.now() });
      if (newDate) await this.moveToDay(tx, auth, item, newDate);
    });
    return this.item(auth, id);
  }

  /** Moves the item to `position` in its day; the others shift. The day's lock orders concurrent moves. */
  async moveItem(auth: AuthInfo, id: string, position: number): Promise<DailyPlanView> {
    const date = await inTransaction(this.em, async (tx) => {
      const item = await this.entity(tx, auth, id);
      const date = item.dailyPlan.getEntity().date;
      await this.lock(tx, auth.userId, [date]);
      const order = await this.orderHolding(tx, item);
      await this.run(tx, renumber(moveTo(order, item.id, position)));
      return date;
    });
    return (await this.day(auth, date))!;
  }

  async deleteItem(auth: AuthInfo, id: string): Promise<boolean> {
    await inTransaction(this.em, async (tx) => {
      const item = await this.entity(tx, auth, id);
      await this.lock(tx, auth.userId, [item.dailyPlan.getEntity().date]);
      await tx.nativeDelete(PlanItem, { id: item.id });
      const order = (await this.run(tx, itemOrder(item.dailyPlan.id))).map((r) => r.id as string);
      if (order.length) await this.run(tx, renumber(order));
    });
    return true;
  }

  async item(auth: AuthInfo, id: string): Promise<PlanItemView> {
    const item = await this.entity(this.em, auth, id, true);
    return itemView(item, item.dailyPlan.getEntity().date);
  }

  /** PlanItem.goal, batched: the item's goal is the caller's (items only link their owner's goals). */
  async itemGoal(auth: AuthInfo, item: PlanItemView): Promise<GoalView | null> {
    if (item.goalId === null) return null;
    const goal = await this.goalById.load(item.goalId);
    return goal && goal.user.id === auth.userId ? this.goals.view(auth, goal) : null;
  }

  private async moveToDay(tx: EntityManager, auth: AuthInfo, item: PlanItem, date: string): Promise<void> {
    const from = item.dailyPlan.getEntity();
    if (from.date === date) return;
    const days = await this.lock(tx, auth.userId, [from.date, date]);
    const to = days.find((d) => d.date === date)!;
    const rest = (await this.orderHolding(tx, item)).filter((x) => x !== item.id);
    const target = await this.run(tx, itemOrder(to.id));
    // Written outright: the entity's snapshot of its position may predate another move's renumbering.
    await this.run(tx, moveItemTo(item.id, to.id, target.length, this.deps.clock.now()));
    if (rest.length) await this.run(tx, renumber(rest));
  }

  /** The item's day order, read under the day's lock; if the item left that day before the lock, the transaction runs again. */
  private async orderHolding(tx: EntityManager, item: PlanItem): Promise<string[]> {
    const order = (await this.run(tx, itemOrder(item.dailyPlan.id))).map((r) => r.id as string);
    if (!order.includes(item.id)) throw Object.assign(new Error('the item moved to another day meanwhile'), { code: '40001' });
    return order;
  }

  private async holdGoal(tx: EntityManager, auth: AuthInfo, goalId: string): Promise<void> {
    if ((await this.run(tx, lockGoal(auth.userId, goalId))).length === 0) throw notFound('Goal');
  }

  /** Creates the days if needed and locks them (in id order, so two days never deadlock). */
  private async lock(tx: EntityManager, userId: string, dates: string[]): Promise<Array<{ id: string; date: string }>> {
    await this.run(tx, ensureDays(userId, dates, this.deps.clock.now()));
    return (await this.run(tx, lockDays(userId, dates))).map((r) => ({ id: r.id as string, date: r.date as string }));
  }

  private async entity(em: EntityManager, auth: AuthInfo, id: string, refresh = false): Promise<PlanItem> {
    const item = isUuid(id) ? await em.findOne(PlanItem, { id: id.toLowerCase(), user: auth.userId }, { populate: ['dailyPlan'], refresh }) : null;
    if (!item) throw notFound('PlanItem');
    return item;
  }

  private items(dayIds: string[]): Promise<PlanItem[]> {
    if (dayIds.length === 0) return Promise.resolve([]);
    return this.em.find(PlanItem, { dailyPlan: { $in: dayIds } }, { orderBy: { position: 'asc', id: 'asc' }, refresh: true });
  }

  private run(em: EntityManager, query: Stmt): Promise<Row[]> {
    return ormSql<Row>(em, query.sql, query.params);
  }
}
