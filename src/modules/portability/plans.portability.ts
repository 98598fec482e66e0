import { GoalHorizon, GoalStatus, Priority } from '../plans/goal.entity.js';
import { PlanItemStatus } from '../plans/plan.entity.js';
import type { GoalDoc, PlansDoc } from '../plans/plans-document.service.js';
import { accountRefSchema } from './cards.portability.js';
import {
  DAY,
  TIMESTAMP,
  currencyCode,
  day,
  index,
  Invalid,
  list,
  minorSchema,
  minorUnits,
  nullable,
  oneOf,
  record,
  reference,
  text,
  timestamp,
} from './document-schema.js';

/* The document's goals and plans (each optional on import). */

const MAX = { goals: 1000, weeks: 1000, days: 10_000, items: 100_000 } as const;
const TARGET_HINT = 'must be null or a whole number of minor units from 1 to 10^15, as a string';

export const goalsSchema = list(
  record({
    title: text(200, 1),
    description: nullable(text(2000)),
    horizon: oneOf(GoalHorizon),
    status: oneOf(GoalStatus),
    priority: oneOf(Priority),
    targetDate: nullable(DAY),
    targetMinor: { ...nullable(minorSchema(TARGET_HINT)), hint: TARGET_HINT },
    currency: nullable(text(3, 3)),
    account: nullable(accountRefSchema),
    createdAt: TIMESTAMP,
  }),
  MAX.goals,
);

export function checkGoals(goals: GoalDoc[]): GoalDoc[] {
  return goals.map((g, i) => {
    const at = `goals[${i}]`;
    minorUnits(g.targetMinor, `${at}.targetMinor`, TARGET_HINT);
    if (g.targetMinor !== null && g.currency === null) throw new Invalid(`${at}.currency`, 'is needed with targetMinor');
    const currency = g.currency === null ? null : currencyCode(g.currency, `${at}.currency`);
    return {
      ...g,
      currency,
      targetDate: g.targetDate === null ? null : day(g.targetDate, `${at}.targetDate`),
      createdAt: timestamp(g.createdAt, `${at}.createdAt`),
    };
  });
}

const item = record({
  title: text(200, 1),
  notes: nullable(text(2000)),
  status: oneOf(PlanItemStatus),
  priority: oneOf(Priority),
  time: { type: ['string', 'null'], pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', hint: "must be null or 'HH:MM'" },
  goal: reference('a goal in goals'),
});

export const plansSchema = record({
  weeks: list(record({ weekStart: DAY, summary: nullable(text(2000)), focusAreas: list(text(200, 1), 10) }), MAX.weeks),
  days: list(record({ date: DAY, summary: nullable(text(2000)), items: list(item, MAX.items) }), MAX.days),
});

export function checkPlans(plans: PlansDoc, goalCount: number): PlansDoc {
  const weekStarts = new Set<string>();
  const weeks = plans.weeks.map((w, i) => {
    const at = `plans.weeks[${i}].weekStart`;
    const weekStart = day(w.weekStart, at);
    if (new Date(`${weekStart}T00:00:00Z`).getUTCDay() !== 1) throw new Invalid(at, 'must be a Monday');
    if (weekStarts.has(weekStart)) throw new Invalid(at, `${weekStart} appears twice`);
    weekStarts.add(weekStart);
    return { ...w, weekStart };
  });
  const dates = new Set<string>();
  let itemTotal = 0;
  const days = plans.days.map((d, i) => {
    const at = `plans.days[${i}]`;
    const date = day(d.date, `${at}.date`);
    if (dates.has(date)) throw new Invalid(`${at}.date`, `${date} appears twice`);
    dates.add(date);
    d.items.forEach((it, j) => index(it.goal, goalCount, `${at}.items[${j}].goal`, 'a goal in goals'));
    itemTotal += d.items.length;
    if (itemTotal > MAX.items) throw new Invalid(`${at}.items`, `the document may hold at most ${MAX.items} plan items`);
    return { ...d, date };
  });
  return { weeks, days };
}
