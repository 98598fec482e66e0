import type { EntityManager } from '@mikro-orm/postgresql';
import { ormSql } from '../../db/orm-sql.js';
import { Account } from '../accounts/account.entity.js';
import type { AccountService } from '../accounts/account.service.js';
import { User } from '../auth/user.entity.js';
import { Goal, type GoalHorizon, type GoalStatus, type Priority } from './goal.entity.js';
import { weekDays } from './plans.rules.js';
import { DailyPlan, PlanItem, type PlanItemStatus, WeeklyPlan } from './plan.entity.js';

/** Goals and plans in an export: never ids; an item names its goal by index into `goals`. */
export interface GoalDoc {
  title: string;
  description: string | null;
  horizon: GoalHorizon;
  status: GoalStatus;
  priority: Priority;
  targetDate: string | null;
  targetMinor: string | null;
  currency: string | null;
  /** The linked account: relinked to the caller's account with this number, else the open one with this name and currency. */
  account: { number: string; name: string; currency: string } | null;
  createdAt: string;
}

export interface PlanItemDoc {
  title: string;
  notes: string | null;
  status: PlanItemStatus;
  priority: Priority;
  time: string | null;
  goal: number | null;
}

export interface PlansDoc {
  weeks: Array<{ weekStart: string; summary: string | null; focusAreas: string[] }>;
  /** Items in position order. */
  days: Array<{ date: string; summary: string | null; items: PlanItemDoc[] }>;
}

/** Goals and plans as a slice of the export document: read on the operation's EntityManager, restored in the import's transaction. */
export class PlansDocumentService {
  constructor(
    private readonly em: EntityManager,
    private readonly accounts: Pick<AccountService, 'customerAccounts'>,
  ) {}

  /** `goalIndex`: a goal id's place in `goals`, for the chat sessions' context. */
  async exportPlans(userId: string): Promise<{ goals: GoalDoc[]; plans: PlansDoc; goalIndex: Map<string, number> }> {
    const { em } = this;
    const [goals, weeks, days, items] = await Promise.all([
      em.find(Goal, { user: userId }, { orderBy: { id: 'asc' }, populate: ['account'] }),
      em.find(WeeklyPlan, { user: userId }, { orderBy: { weekStart: 'asc' } }),
      em.find(DailyPlan, { user: userId }, { orderBy: { date: 'asc' } }),
      em.find(PlanItem, { user: userId }, { orderBy: { position: 'asc', id: 'asc' } }),
    ]);
    const goalIndex = new Map(goals.map((g, i) => [g.id, i]));
    return {
      goalIndex,
      goals: goals.map((g) => ({
        title: g.title,
        description: g.description,
        horizon: g.horizon,
        status: g.status,
        priority: g.priority,
        targetDate: g.targetDate,
        targetMinor: g.target?.toString() ?? null,
        currency: g.currency,
        account: g.account ? { number: g.account.$.number, name: g.account.$.name, currency: g.account.$.currency } : null,
        createdAt: g.createdAt.toISOString(),
      })),
      plans: {
        weeks: weeks.map((w) => ({ weekStart: w.weekStart, summary: w.summary, focusAreas: [...w.focusAreas] })),
        days: days.map((d) => ({
          date: d.date,
          summary: d.summary,
          items: items
            .filter((i) => i.dailyPlan.id === d.id)
            .map((i) => ({
              title: i.title,
              notes: i.notes,
              status: i.status,
              priority: i.priority,
              time: i.time,
              goal: i.goal ? (goalIndex.get(i.goal.id) ?? null) : null,
            })),
        })),
      },
    };
  }

  /**
   * Adds the goals and plans inside the import's transaction: a week or day the user already
   * has keeps its own summary, and imported items go after its items. A goal (same title and
   * creation time) or a day's item (same title and time) the user already has is matched, not
   * doubled, so importing one's own export again adds nothing.
   */
  async restorePlansInto(
    em: EntityManager,
    userId: string,
    goalDocs: GoalDoc[],
    plans: PlansDoc,
    now: Date,
  ): Promise<{ goals: Goal[]; created: number; planItems: number }> {
    const user = em.getReference(User, userId, { wrapped: true });
    const knownGoals = new Map((await em.find(Goal, { user: userId })).map((g) => [goalKey(g.title, g.createdAt), g]));
    let created = 0;
    const accounts = goalDocs.some((g) => g.account) ? await this.accounts.customerAccounts(em, userId) : [];
    const goals = goalDocs.map((d) => {
      const known = knownGoals.get(goalKey(d.title, new Date(d.createdAt)));
      if (known) return known;
      created++;
      const account = d.account
        ? (accounts.find((a) => a.number === d.account!.number && a.currency === d.currency) ??
          accounts.find((a) => a.status === 'OPEN' && a.name === d.account!.name && a.currency === d.currency))
        : undefined;
      const goal = Object.assign(new Goal(), {
        user,
        title: d.title,
        description: d.description,
        horizon: d.horizon,
        status: d.status,
        priority: d.priority,
        targetDate: d.targetDate,
        target: d.targetMinor === null ? null : BigInt(d.targetMinor),
        currency: d.currency,
        account: account ? em.getReference(Account, account.id, { wrapped: true }) : null,
        createdAt: new Date(d.createdAt),
        updatedAt: now,
      });
      em.persist(goal);
      return goal;
    });
    const existingWeeks = new Set((await em.find(WeeklyPlan, { user: userId })).map((w) => w.weekStart));
    for (const w of plans.weeks) {
      if (existingWeeks.has(w.weekStart)) continue;
      em.persist(
        Object.assign(new WeeklyPlan(), { user, weekStart: w.weekStart, summary: w.summary, focusAreas: w.focusAreas, createdAt: now, updatedAt: now }),
      );
    }
    const existingDays = new Map((await em.find(DailyPlan, { user: userId })).map((d) => [d.date, d]));
    // A week always has its seven days (weeklyPlan shows them): those the document leaves out are made empty.
    const listed = new Set(plans.days.map((d) => d.date));
    for (const w of plans.weeks) {
      for (const date of weekDays(w.weekStart)) {
        if (!listed.has(date) && !existingDays.has(date)) existingDays.set(date, em.create(DailyPlan, { user, date, createdAt: now, updatedAt: now }));
      }
    }
    const existingItems = await ormSql<{ daily_plan_id: string; title: string; time: string | null }>(
      em,
      `select "daily_plan_id", "title", "time" from "plan_item" where "user_id" = ?`,
      [userId],
    );
    let planItems = 0;
    for (const d of plans.days) {
      const day = existingDays.get(d.date) ?? em.create(DailyPlan, { user, date: d.date, summary: d.summary, createdAt: now, updatedAt: now });
      const present = existingItems.filter((r) => r.daily_plan_id === day.id);
      const items = d.items.filter((i) => !present.some((r) => r.title === i.title && r.time === i.time));
      items.forEach((i, n) => {
        em.persist(
          Object.assign(new PlanItem(), {
            user,
            dailyPlan: day,
            title: i.title,
            notes: i.notes,
            status: i.status,
            priority: i.priority,
            time: i.time,
            position: present.length + n,
            goal: i.goal === null ? null : goals[i.goal]!,
            createdAt: now,
            updatedAt: now,
          }),
        );
      });
      planItems += items.length;
    }
    return { goals, created, planItems };
  }
}

function goalKey(title: string, createdAt: Date): string {
  return JSON.stringify([title, createdAt.getTime()]);
}
