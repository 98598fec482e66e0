import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Money, money } from '../../shared/money.js';
import { ConnectionType } from '../../shared/pagination.js';
import { GoalHorizon, GoalStatus, Priority, type Goal } from './goal.entity.js';
import { PlanItemStatus, type DailyPlan, type PlanItem, type WeeklyPlan } from './plan.entity.js';
import { progressBasisPoints } from './plans.rules.js';

@ObjectType('Goal', { description: "One of the caller's goals. With a target and an account it is a savings goal: progress is the account's balance." })
export class GoalView {
  @Field(() => ID, { description: 'The goal id (a UUID).' })
  id!: string;

  @Field(() => String, { description: '1 to 200 characters.' })
  title!: string;

  @Field(() => String, { nullable: true, description: 'Free text; null when none.' })
  description!: string | null;

  @Field(() => GoalHorizon, { description: 'How far ahead the goal looks.' })
  horizon!: GoalHorizon;

  @Field(() => GoalStatus, { description: 'ACTIVE until achieved or abandoned; a savings goal becomes ACHIEVED by itself at its target.' })
  status!: GoalStatus;

  @Field(() => Priority, { description: 'How much it matters; the assistant sees the top 10 active goals by priority.' })
  priority!: Priority;

  @Field(() => String, { nullable: true, description: "'YYYY-MM-DD' in the user's time zone; null when open-ended." })
  targetDate!: string | null;

  @Field(() => Money, { nullable: true, description: "A savings target; progress is the linked account's balance. Null for a goal without an amount." })
  target!: Money | null;

  @Field(() => Money, { nullable: true, description: "The linked account's balance (in the target's currency); null without a linked account." })
  progress!: Money | null;

  @Field(() => Int, {
    nullable: true,
    description: 'progress / target in basis points (10000 = 100%), floored, capped at 10000; null without a target and an account.',
  })
  progressBasisPoints!: number | null;

  @Field(() => Date, { description: 'When the goal was created.' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When the goal last changed (its progress aside: that follows the account).' })
  updatedAt!: Date;

  /** For Goal.account. */
  accountId!: string | null;
  userId!: string;
}

export const GoalConnection = ConnectionType('Goal', GoalView);

/** The API's goal: `balance` is the linked account's, read with it (null without an account). */
export function goalView(g: Goal, balance: bigint | null): GoalView {
  const hasProgress = g.account !== null && balance !== null && g.currency !== null;
  return {
    id: g.id,
    title: g.title,
    description: g.description,
    horizon: g.horizon,
    status: g.status,
    priority: g.priority,
    targetDate: g.targetDate,
    target: g.target !== null && g.currency !== null ? money(g.target, g.currency) : null,
    progress: hasProgress ? money(balance, g.currency!) : null,
    progressBasisPoints: hasProgress ? progressBasisPoints(balance, g.target) : null,
    createdAt: g.createdAt,
    updatedAt: g.updatedAt,
    accountId: g.account?.id ?? null,
    userId: g.user.id,
  };
}

@ObjectType('PlanItem', { description: 'One thing to do on a day, in an order the user chooses.' })
export class PlanItemView {
  @Field(() => ID, { description: 'The item id (a UUID).' })
  id!: string;

  @Field(() => String, { description: '1 to 200 characters.' })
  title!: string;

  @Field(() => String, { nullable: true, description: 'Free text; null when none.' })
  notes!: string | null;

  @Field(() => PlanItemStatus, { description: 'TODO until marked DONE or SKIPPED (updatePlanItem).' })
  status!: PlanItemStatus;

  @Field(() => Priority, { description: 'How much it matters.' })
  priority!: Priority;

  @Field(() => Int, { description: '0-based order within its day: the items of a day are always 0..n-1.' })
  position!: number;

  @Field(() => String, { nullable: true, description: "Optional time of day, 'HH:MM' (24-hour); null when none." })
  time!: string | null;

  @Field(() => String, { description: "The day it is planned for, 'YYYY-MM-DD' in the user's time zone." })
  date!: string;

  /** For PlanItem.goal. */
  goalId!: string | null;
}

export function itemView(i: PlanItem, date: string): PlanItemView {
  return {
    id: i.id,
    title: i.title,
    notes: i.notes,
    status: i.status,
    priority: i.priority,
    position: i.position,
    time: i.time,
    date,
    goalId: i.goal?.id ?? null,
  };
}

@ObjectType('DailyPlan', { description: "The caller's plan for one day." })
export class DailyPlanView {
  @Field(() => ID, { description: 'The day plan id (a UUID).' })
  id!: string;

  @Field(() => String, { description: "'YYYY-MM-DD' in the user's time zone." })
  date!: string;

  @Field(() => String, { nullable: true, description: 'Free text; null when none.' })
  summary!: string | null;

  @Field(() => [PlanItemView], { description: 'The items in position order (0 first).' })
  items!: PlanItemView[];
}

export function dayView(d: DailyPlan, items: PlanItem[]): DailyPlanView {
  return { id: d.id, date: d.date, summary: d.summary, items: items.map((i) => itemView(i, d.date)).sort((a, b) => a.position - b.position) };
}

@ObjectType('WeeklyPlan', { description: "The caller's plan for one week, Monday to Sunday." })
export class WeeklyPlanView {
  @Field(() => ID, { description: 'The week plan id (a UUID).' })
  id!: string;

  @Field(() => String, { description: "The Monday that starts the week, 'YYYY-MM-DD' in the user's time zone." })
  weekStart!: string;

  @Field(() => String, { nullable: true, description: 'Free text; null when none.' })
  summary!: string | null;

  @Field(() => [String], { description: 'What the week is about, in the order the user gave (at most 10).' })
  focusAreas!: string[];

  @Field(() => [DailyPlanView], { description: 'The seven days, Monday first; a day with no items has an empty item list.' })
  days!: DailyPlanView[];
}

export function weekView(w: WeeklyPlan, days: DailyPlanView[]): WeeklyPlanView {
  return { id: w.id, weekStart: w.weekStart, summary: w.summary, focusAreas: [...w.focusAreas], days };
}
