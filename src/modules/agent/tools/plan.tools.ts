import { DomainError, notFound } from '../../../shared/errors.js';
import type { AuthInfo } from '../../auth/auth.types.js';
import { GoalStatus } from '../../plans/goal.entity.js';
import type { PlanItemStatus } from '../../plans/plan.entity.js';
import { GoalInput, PlanItemInput, UpdateGoalInput } from '../../plans/plans.inputs.js';
import { horizonFor } from '../../plans/plans.rules.js';
import type { DailyPlanView, GoalView } from '../../plans/plans.types.js';
import { proposeAndReport } from './money.tools.js';
import type { Tool, ToolServices } from './tool.js';
import { validatedInput } from './validate-input.js';

const UUID = { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' };
const DATE = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };
const TIME = { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' };
const PRIORITY = { type: 'string', enum: ['LOW', 'MEDIUM', 'HIGH'] };
const AMOUNT = { type: 'string', pattern: '^[1-9][0-9]{0,15}$' };

/** A goal as the model reads it (tool results and the prompt's goals section): amounts as "decimal CUR". */
export function goalSummary(g: GoalView) {
  return {
    id: g.id,
    title: g.title,
    status: g.status,
    priority: g.priority,
    horizon: g.horizon,
    targetDate: g.targetDate,
    target: g.target ? `${g.target.decimal} ${g.target.currency}` : null,
    progress: g.progress ? `${g.progress.decimal} ${g.progress.currency}` : null,
    progressPercent: g.progressBasisPoints === null ? null : g.progressBasisPoints / 100,
    accountId: g.accountId,
  };
}

function daySummary(date: string, day: DailyPlanView | null) {
  return {
    date,
    summary: day?.summary ?? null,
    items: (day?.items ?? []).map((i) => ({ id: i.id, title: i.title, time: i.time, status: i.status, priority: i.priority, position: i.position })),
  };
}

async function dateOrToday(services: ToolServices, auth: AuthInfo, date: unknown): Promise<string> {
  return typeof date === 'string' ? date : (await services.plans.calendar(auth)).today;
}

const listGoals: Tool = {
  definition: {
    name: 'list_goals',
    description: "The user's goals with their progress (savings goals: the linked account's balance against the target). Active ones by default.",
    parameters: { type: 'object', properties: { status: { type: 'string', enum: ['ACTIVE', 'ACHIEVED', 'ABANDONED'] } }, additionalProperties: false },
  },
  async execute(args, { services, auth }) {
    const page = await services.goals.list(auth, { status: (args.status as GoalStatus | undefined) ?? GoalStatus.ACTIVE, first: 100 });
    return { goals: page.edges.map((e) => goalSummary(e.node)) };
  },
};

const createGoal: Tool = {
  definition: {
    name: 'create_goal',
    description:
      'Creates a goal. For a savings goal give targetMinor (integer minor units as a string, e.g. "200000" for 2000.00 USD) with currency, and accountId for the account that holds the savings. targetDate is YYYY-MM-DD; horizon defaults from it.',
    parameters: {
      type: 'object',
      properties: {
        title: { type: 'string', minLength: 1, maxLength: 200 },
        description: { type: 'string', maxLength: 2000 },
        horizon: { type: 'string', enum: ['WEEK', 'MONTH', 'QUARTER', 'YEAR', 'LONG_TERM'] },
        priority: PRIORITY,
        targetDate: DATE,
        targetMinor: AMOUNT,
        currency: { type: 'string', pattern: '^[A-Z]{3}$' },
        accountId: UUID,
      },
      required: ['title'],
      additionalProperties: false,
    },
  },
  async execute(args, { services, auth }) {
    const targetDate = (args.targetDate as string | undefined) ?? null;
    const { today } = await services.plans.calendar(auth);
    const input = await validatedInput(GoalInput, {
      ...args,
      horizon: args.horizon ?? horizonFor(today, targetDate),
      targetMinor: typeof args.targetMinor === 'string' ? BigInt(args.targetMinor) : null,
    });
    return { goal: goalSummary(await services.goals.create(auth, input)) };
  },
};

const updateGoal: Tool = {
  definition: {
    name: 'update_goal',
    description:
      'Changes a goal: title, status (ACTIVE, ACHIEVED, ABANDONED), priority, targetDate (YYYY-MM-DD), targetMinor or accountId. Only the fields given change.',
    parameters: {
      type: 'object',
      properties: {
        goalId: UUID,
        title: { type: 'string', minLength: 1, maxLength: 200 },
        status: { type: 'string', enum: ['ACTIVE', 'ACHIEVED', 'ABANDONED'] },
        priority: PRIORITY,
        targetDate: DATE,
        targetMinor: AMOUNT,
        accountId: UUID,
      },
      required: ['goalId'],
      additionalProperties: false,
    },
  },
  async execute(args, { services, auth }) {
    const { goalId, targetMinor, ...rest } = args;
    const input = await validatedInput(UpdateGoalInput, { ...rest, ...(typeof targetMinor === 'string' ? { targetMinor: BigInt(targetMinor) } : {}) });
    return { goal: goalSummary(await services.goals.update(auth, goalId as string, input)) };
  },
};

const planDay: Tool = {
  definition: {
    name: 'plan_day',
    description: "Adds items, in order, to the end of a day's plan (date YYYY-MM-DD in the user's time zone; today when left out). time is HH:MM (24-hour).",
    parameters: {
      type: 'object',
      properties: {
        date: DATE,
        items: {
          type: 'array',
          minItems: 1,
          maxItems: 20,
          items: {
            type: 'object',
            properties: {
              title: { type: 'string', minLength: 1, maxLength: 200 },
              time: TIME,
              notes: { type: 'string', maxLength: 2000 },
              priority: PRIORITY,
              goalId: UUID,
            },
            required: ['title'],
            additionalProperties: false,
          },
        },
      },
      required: ['items'],
      additionalProperties: false,
    },
  },
  async execute(args, { services, auth }) {
    const date = await dateOrToday(services, auth, args.date);
    for (const item of args.items as Array<Record<string, unknown>>) {
      await services.plans.addItem(auth, await validatedInput(PlanItemInput, { ...item, date }));
    }
    return { day: daySummary(date, await services.plans.day(auth, date)) };
  },
};

const listPlan: Tool = {
  definition: {
    name: 'list_plan',
    description: "A day's plan items in order (date YYYY-MM-DD, today when left out), or with weekStart (a Monday) the week's focus areas and its seven days.",
    parameters: { type: 'object', properties: { date: DATE, weekStart: DATE }, additionalProperties: false },
  },
  async execute(args, { services, auth }) {
    if (typeof args.weekStart === 'string') {
      const week = await services.plans.week(auth, args.weekStart);
      if (!week) return { week: null, note: 'No plan saved for that week.' };
      return { week: { weekStart: week.weekStart, summary: week.summary, focusAreas: week.focusAreas, days: week.days.map((d) => daySummary(d.date, d)) } };
    }
    const date = await dateOrToday(services, auth, args.date);
    return { day: daySummary(date, await services.plans.day(auth, date)) };
  },
};

const setItemStatus: Tool = {
  definition: {
    name: 'set_item_status',
    description: 'Marks a plan item TODO, DONE or SKIPPED (find its id with list_plan).',
    parameters: {
      type: 'object',
      properties: { itemId: UUID, status: { type: 'string', enum: ['TODO', 'DONE', 'SKIPPED'] } },
      required: ['itemId', 'status'],
      additionalProperties: false,
    },
  },
  async execute(args, { services, auth }) {
    const item = await services.plans.updateItem(auth, args.itemId as string, { status: args.status as PlanItemStatus });
    return { item: { id: item.id, title: item.title, status: item.status, date: item.date } };
  },
};

const proposeGoalContribution: Tool = {
  definition: {
    name: 'propose_goal_contribution',
    description:
      "Prepares a transfer into a savings goal's account that the user must confirm before any money moves. amountMinor is a positive integer count of minor units as a string in the goal's currency. fromAccountId defaults to the user's other open account in that currency with the most money.",
    parameters: {
      type: 'object',
      properties: { goalId: UUID, amountMinor: AMOUNT, fromAccountId: UUID },
      required: ['goalId', 'amountMinor'],
      additionalProperties: false,
    },
  },
  async execute(args, { services, auth, writer }) {
    const goal = await services.goals.get(auth, args.goalId as string);
    if (goal.accountId === null || goal.target === null) {
      throw new DomainError('BAD_USER_INPUT', 'This goal has no savings account: link one (update_goal with accountId) before contributing');
    }
    const currency = goal.target.currency;
    let fromAccountId = args.fromAccountId as string | undefined;
    if (!fromAccountId) {
      const candidates = (await services.accounts.list(auth)).filter((a) => a.id !== goal.accountId && a.currency === currency && a.status === 'OPEN');
      const richest = candidates.sort((a, b) => (b.balance > a.balance ? 1 : b.balance < a.balance ? -1 : 0))[0];
      if (!richest) throw notFound(`Another open ${currency} account`);
      fromAccountId = richest.id;
    }
    const proposal = await proposeAndReport(
      { services, auth, writer },
      { fromAccountId, toAccountId: goal.accountId, amountMinor: BigInt(args.amountMinor as string), currency, description: `Toward ${goal.title}` },
    );
    return { ...proposal, goal: goalSummary(goal) };
  },
};

export const PLAN_TOOLS: Tool[] = [listGoals, createGoal, updateGoal, planDay, listPlan, setItemStatus, proposeGoalContribution];
