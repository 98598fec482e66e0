/** The planning rows: goals, a day's plan, items done, contributions to a savings goal. */
import { addDays } from '../../plans/plans.rules.js';
import { answer, call, type Action } from './local.action.js';
import { findAmount, isDollarCurrency, toMinorUnits } from './local.money.js';
import { MONTH_NAMES, monthEnd } from './local.period.js';
import { listOf, transferProposed } from './local.replies.js';
import type { Row, Turn } from './local.row.js';

type When = 'today' | 'tomorrow';

const PLAN_DAY = /^(?:please\s+|can you\s+|help me\s+)?plan (?:my |out my )?(day|today|tomorrow)(?:\s+(today|tomorrow))?\s*[:,-]\s*(.+)$/i;
const SHOW_PLAN =
  /\bwhat(?:'s| is| do i have)\s+(?:on\s+)?(?:my\s+)?(?:plan|agenda|schedule|to-?do list)\b|\bshow (?:me )?my (?:plan|agenda|schedule)\b|\bwhat(?:'s| is) planned\b/i;
const DID = /^(?:i(?:'ve| have)?\s+)?(?:did|done|finished|completed|went to|made)\s+(?:with\s+)?(?:the\s+|my\s+)?(.+?)[.!]*$/i;
const LIST_GOALS =
  /\bwhat are my goals\b|\bhow(?:'s| is| are)\b.*\bgoals?\b.*\b(?:going|doing|coming along)\b|\b(?:progress|status) (?:of|on) my goals?\b|\b(?:show|list|tell me)(?: me)? (?:all )?my goals\b|^(?:my )?goals\s*\??$/i;
const CREATE_GOAL = /^(?:please\s+)?(?:add|set|create|make|start)(?: me)? (?:a |an )?(?:new )?(?:savings )?goal\s*(?:to|of|for|:)?\s+(.+)$/i;
const CONTRIBUTE = /\b(?:put|add|move|send|transfer|save)\s+(.+?)\s+(?:toward|towards|to|into|for)\s+(?:my|the)\s+(.+?)\s+goal\b/i;

const todayOf = ({ context, now }: Pick<Turn, 'context' | 'now'>) => context.planning?.today ?? now.toISOString().slice(0, 10);
const dateOf = (when: When, turn: Turn) => (when === 'today' ? todayOf(turn) : addDays(todayOf(turn), 1));
const resultOf = (turn: Turn, tool: string) => turn.done.findLast((e) => e.name === tool)?.result;

const planDay: Row<{ when: When; items: Array<{ title: string; time?: string }> }> = {
  kind: 'plan_day',
  tool: 'plan_day',
  onlyWhereOffered: true,
  example: `plan a day ("plan my day tomorrow: gym at 7, call mom")`,
  match: ({ text }) => {
    const day = PLAN_DAY.exec(text);
    if (!day) return undefined;
    const when: When = [day[1], day[2]].some((w) => /tomorrow/i.test(w ?? '')) ? 'tomorrow' : 'today';
    const items = splitItems(day[3]!);
    return items.length ? { when, items } : undefined;
  },
  arguments: ({ when, items }, turn) => ({ date: dateOf(when, turn), items }),
  reply: ({ when }, __, planned) => dayText(planned, when, 'Planned'),
};

const contribute: Row<{ amountText: string; goal: string }> = {
  kind: 'contribute',
  tool: 'propose_goal_contribution',
  onlyWhereOffered: true,
  example: `prepare a contribution to a savings goal for you to confirm ("put 100 dollars toward my vacation goal")`,
  match: ({ text }) => {
    const asked = CONTRIBUTE.exec(text);
    return asked && findAmount(asked[1]!) ? { amountText: asked[1]!, goal: asked[2]! } : undefined;
  },
  arguments: contributionArguments,
  reply: (_, __, proposed) => {
    const goal = (proposed as { goal?: { title?: string } }).goal?.title;
    const text = transferProposed(proposed, { amount: '', currency: '', from: 'your account', to: 'the goal account' });
    return `${text}${goal ? ` It goes toward "${goal}".` : ''}`;
  },
};

const createGoal: Row<{ text: string }> = {
  kind: 'create_goal',
  tool: 'create_goal',
  onlyWhereOffered: true,
  example: `add a goal ("add a goal to save 2000 dollars for a vacation by June")`,
  match: ({ text }) => {
    const goal = CREATE_GOAL.exec(text);
    return goal ? { text: goal[1]!.replace(/[.!]+$/, '') } : undefined;
  },
  arguments: ({ text }, turn) => goalArgs(text, turn),
  reply: (_, __, created) => createdText(created),
};

const listGoals: Row<object> = {
  kind: 'list_goals',
  tool: 'list_goals',
  onlyWhereOffered: true,
  example: `show your goals and how far along they are ("how are my goals going?")`,
  match: ({ text }) => (LIST_GOALS.test(text) ? {} : undefined),
  reply: (_, __, listed) => goalsText(listed),
};

const showPlan: Row<{ when: When }> = {
  kind: 'show_plan',
  tool: 'list_plan',
  onlyWhereOffered: true,
  example: `read your plan ("what's on my plan today?")`,
  match: ({ text }) => (SHOW_PLAN.test(text) ? { when: /\btomorrow\b/i.test(text) ? 'tomorrow' : 'today' } : undefined),
  arguments: ({ when }, turn) => ({ date: dateOf(when, turn) }),
  reply: ({ when }, __, listed) => dayText(listed, when, 'Your plan'),
};

const didItem: Row<{ what: string }> = {
  kind: 'did_item',
  tool: 'set_item_status',
  onlyWhereOffered: true,
  example: `tick items off ("I did the gym")`,
  match: ({ text }) => {
    const did = DID.exec(text);
    return did ? { what: did[1]! } : undefined;
  },
  arguments: ({ what }, turn) => {
    const listed = resultOf(turn, 'list_plan');
    if (!listed) return call('list_plan', { date: todayOf(turn) }, "Rule: find the item in today's plan first.");
    const items = ((listed as { day?: { items?: Array<{ id: string; title: string; status: string }> } }).day?.items ?? []).filter((i) => i.status !== 'DONE');
    const match = bestMatch(what, items, (i) => i.title);
    if (!match) {
      const open = items.map((i) => `"${i.title}"`);
      return answer(
        open.length
          ? `I couldn't find "${what}" among today's open items (${listOf(open)}). Which one did you do?`
          : `There's nothing open on today's plan to mark as done.`,
        'Rule: no open item matches.',
      );
    }
    return { itemId: match.id, status: 'DONE' };
  },
  reply: ({ what }, __, set) => `Nice work! I marked "${(set as { item?: { title?: string } }).item?.title ?? what}" as done.`,
};

/** The planning rows in the table's order: a day's plan before a contribution before a new goal, as their words overlap. */
export const PLANNING_ROWS: Row[] = [planDay, contribute, createGoal, listGoals, showPlan, didItem];

/** What a planning request asks for, whatever the tools offered; undefined when the text is none. */
export function planningIntent(text: string): ({ kind: string } & Record<string, unknown>) | undefined {
  for (const row of PLANNING_ROWS) {
    const data = row.match({ text, raw: text, conversationType: 'PLANNING' });
    if (data !== undefined) return { kind: row.kind, ...(data as object) };
  }
  return undefined;
}

function contributionArguments({ amountText, goal: named }: { amountText: string; goal: string }, turn: Turn): Record<string, unknown> | Action {
  const listed = resultOf(turn, 'list_goals');
  if (!listed) return call('list_goals', {}, 'Rule: a contribution needs the goal and its account; read the goals.');
  const goal = bestMatch(named, goalsOf(listed) ?? [], (g) => g.title);
  if (!goal) return answer(`I couldn't find a goal called "${named}". ${goalsText(listed)}`, 'Rule: no goal matches.');
  const amount = findAmount(amountText)!;
  const currency = /^(?<c>[\d.]+) (?<cur>[A-Z]{3})$/.exec(String(goal.target ?? ''))?.groups?.cur ?? 'USD';
  if (amount.negative || amount.unknownCurrency || (amount.currency && amount.currency !== currency && !(amount.anyDollar && isDollarCurrency(currency)))) {
    return answer(
      `The "${goal.title}" goal is in ${currency}: how much ${currency} should I put toward it?`,
      'Rule: the amount does not fit the goal currency.',
    );
  }
  const minor = toMinorUnits(amount.value, currency);
  if ('error' in minor || /^0+$/.test(minor.minor))
    return answer(`How much should I put toward "${goal.title}"?`, 'Rule: the amount is not a positive amount of the currency.');
  return { goalId: goal.id, amountMinor: minor.minor };
}

/** "gym at 7, finish the report and call mom" → items with 'HH:MM' times where given. */
export function splitItems(text: string): Array<{ title: string; time?: string }> {
  return text
    .split(/\s*(?:,|;|\band then\b|\bthen\b|\band\b)\s*/i)
    .map((part) => part.trim().replace(/[.!]+$/, ''))
    .filter((part) => part !== '')
    .map((part) => {
      const at = /\s*(?:\bat|@)\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?\b\s*/i.exec(part);
      if (!at) return { title: part };
      let hour = Number(at[1]);
      const minute = at[2] ? Number(at[2]) : 0;
      const meridiem = at[3]?.toLowerCase().replace(/\./g, '');
      if (meridiem === 'pm' && hour < 12) hour += 12;
      if (meridiem === 'am' && hour === 12) hour = 0;
      const title = (part.slice(0, at.index) + ' ' + part.slice(at.index + at[0].length)).trim();
      if (hour > 23 || minute > 59 || title === '') return { title: part };
      return { title, time: `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}` };
    });
}

/** "save 2000 dollars for a vacation by June" → title, target, currency, the savings account, a target date. */
function goalArgs(text: string, turn: Turn): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  let rest = text;
  const by = /\s+by\s+(?:the end of\s+)?([a-z]+)(?:\s+(\d{4}))?\s*$/i.exec(rest);
  const month = by ? MONTH_NAMES.findIndex((m) => m.startsWith(by[1]!.toLowerCase()) && by[1]!.length >= 3) : -1;
  if (by && month >= 0) {
    const today = todayOf(turn);
    const [year, current] = [Number(today.slice(0, 4)), Number(today.slice(5, 7)) - 1];
    const y = by[2] ? Number(by[2]) : month >= current ? year : year + 1;
    args.targetDate = monthEnd(y, month + 1);
    rest = rest.slice(0, by.index);
  }
  const amount = findAmount(rest);
  if (amount && !amount.negative && !amount.unknownCurrency) {
    const savings = turn.context.accounts.filter((a) => /sav/i.test(a.name));
    const currency =
      amount.currency ?? (amount.anyDollar ? (savings.find((a) => isDollarCurrency(a.currency))?.currency ?? 'USD') : (savings[0]?.currency ?? 'USD'));
    const minor = toMinorUnits(amount.value, currency);
    if ('minor' in minor) {
      args.targetMinor = minor.minor;
      args.currency = currency;
      const account = savings.find((a) => a.currency === currency);
      if (account) args.accountId = account.id;
    }
    rest = rest.replace(amount.text, ' ');
  }
  const purpose = /\b(?:for|towards?)\s+(?:a |an |my |the )?(.+)$/i.exec(rest)?.[1];
  const title = (purpose ?? rest.replace(/^\s*(?:save|to save|saving)\s*/i, '')).replace(/\s+/g, ' ').trim() || text;
  args.title = title.charAt(0).toUpperCase() + title.slice(1);
  return args;
}

function dayText(result: unknown, when: string, lead: string): string {
  const day = (result as { day?: { date?: string; items?: Array<{ title: string; time: string | null; status: string }> } }).day;
  const items = day?.items ?? [];
  if (items.length === 0)
    return `Nothing is planned for ${when} (${day?.date ?? when}) yet. Tell me what you'd like to do, e.g. "plan my day ${when}: gym at 7, call mom".`;
  const lines = items.map((i, n) => `${n + 1}. ${i.time ? `${i.time} ` : ''}${i.title}${i.status === 'TODO' ? '' : ` (${i.status.toLowerCase()})`}`);
  return `${lead} for ${when} (${day?.date}):\n${lines.join('\n')}`;
}

interface GoalLine {
  id: string;
  title: string;
  target: string | null;
  progress: string | null;
  progressPercent: number | null;
  targetDate: string | null;
  accountId: string | null;
}

function goalsOf(result: unknown): GoalLine[] | undefined {
  const goals = (result as { goals?: unknown } | undefined)?.goals;
  return Array.isArray(goals) ? (goals as GoalLine[]) : undefined;
}

function goalsText(result: unknown): string {
  const goals = goalsOf(result) ?? [];
  if (goals.length === 0) return 'You have no active goals yet. Add one, e.g. "add a goal to save 2000 dollars for a vacation by June".';
  const line = (g: GoalLine) =>
    `- ${g.title}${g.targetDate ? ` (by ${g.targetDate})` : ''}${g.target ? `: ${g.progress ?? 'nothing'} saved of ${g.target}${g.progressPercent === null ? '' : ` (${g.progressPercent}%)`}` : ''}`;
  return `Your active goals:\n${goals.map(line).join('\n')}`;
}

function createdText(result: unknown): string {
  const g = (result as { goal?: GoalLine }).goal;
  if (!g) return 'I added the goal.';
  const target = g.target ? ` with a target of ${g.target}${g.accountId ? `, tracked on your savings account (${g.progress ?? 'nothing'} so far)` : ''}` : '';
  return `I added the goal "${g.title}"${target}${g.targetDate ? `, due ${g.targetDate}` : ''}.`;
}

/** The candidate sharing the most words with the query (at least one); undefined when none does. */
function bestMatch<T>(query: string, candidates: T[], text: (c: T) => string): T | undefined {
  const words = (s: string) =>
    new Set(
      s
        .toLowerCase()
        .match(/[a-z0-9]+/g)
        ?.filter((w) => !['the', 'a', 'an', 'my', 'to', 'of'].includes(w)) ?? [],
    );
  const wanted = words(query);
  let best: { c: T; score: number } | undefined;
  for (const c of candidates) {
    const score = [...words(text(c))].filter((w) => wanted.has(w)).length;
    if (score > 0 && (!best || score > best.score)) best = { c, score };
  }
  return best?.c;
}
