/** The rule-based assistant's planning requests: goals, a day's plan, items done, contributions to a savings goal. */
import { addDays } from '../../plans/plans.rules.js';
import { findAmount, isDollarCurrency, toMinorUnits } from './local.money.js';
import type { Action, Exchange } from './local.action.js';
import { listOf, transferProposed } from './local.replies.js';
import type { AgentContext } from './provider.js';

type PlanningIntent =
  | { kind: 'plan_day'; when: 'today' | 'tomorrow'; items: Array<{ title: string; time?: string }> }
  | { kind: 'show_plan'; when: 'today' | 'tomorrow' }
  | { kind: 'did_item'; what: string }
  | { kind: 'list_goals' }
  | { kind: 'create_goal'; text: string }
  | { kind: 'contribute'; amountText: string; goal: string };

const PLAN_DAY = /^(?:please\s+|can you\s+|help me\s+)?plan (?:my |out my )?(day|today|tomorrow)(?:\s+(today|tomorrow))?\s*[:,-]\s*(.+)$/i;
const SHOW_PLAN =
  /\bwhat(?:'s| is| do i have)\s+(?:on\s+)?(?:my\s+)?(?:plan|agenda|schedule|to-?do list)\b|\bshow (?:me )?my (?:plan|agenda|schedule)\b|\bwhat(?:'s| is) planned\b/i;
const DID = /^(?:i(?:'ve| have)?\s+)?(?:did|done|finished|completed|went to|made)\s+(?:with\s+)?(?:the\s+|my\s+)?(.+?)[.!]*$/i;
const LIST_GOALS = /\bwhat are my goals\b|\b(?:show|list|tell me)(?: me)? (?:all )?my goals\b|^(?:my )?goals\s*\??$/i;
const CREATE_GOAL = /^(?:please\s+)?(?:add|set|create|make|start)(?: me)? (?:a |an )?(?:new )?(?:savings )?goal\s*(?:to|of|for|:)?\s+(.+)$/i;
const CONTRIBUTE = /\b(?:put|add|move|send|transfer|save)\s+(.+?)\s+(?:toward|towards|to|into|for)\s+(?:my|the)\s+(.+?)\s+goal\b/i;
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

export function planningIntent(text: string): PlanningIntent | undefined {
  const t = text.trim();
  const day = PLAN_DAY.exec(t);
  if (day) {
    const when = [day[1], day[2]].some((w) => /tomorrow/i.test(w ?? '')) ? 'tomorrow' : 'today';
    const items = splitItems(day[3]!);
    if (items.length) return { kind: 'plan_day', when, items };
  }
  const contribute = CONTRIBUTE.exec(t);
  if (contribute && findAmount(contribute[1]!)) return { kind: 'contribute', amountText: contribute[1]!, goal: contribute[2]! };
  const goal = CREATE_GOAL.exec(t);
  if (goal) return { kind: 'create_goal', text: goal[1]!.replace(/[.!]+$/, '') };
  if (LIST_GOALS.test(t)) return { kind: 'list_goals' };
  if (SHOW_PLAN.test(t)) return { kind: 'show_plan', when: /\btomorrow\b/i.test(t) ? 'tomorrow' : 'today' };
  const did = DID.exec(t);
  if (did) return { kind: 'did_item', what: did[1]! };
  return undefined;
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

interface PlanningState {
  done: Exchange[];
  context: AgentContext;
  tools: Set<string>;
  now: Date;
}

type Call = (name: string, args: Record<string, unknown>, why: string) => Action;

const NEEDS: Record<PlanningIntent['kind'], string> = {
  plan_day: 'plan_day',
  show_plan: 'list_plan',
  did_item: 'set_item_status',
  list_goals: 'list_goals',
  create_goal: 'create_goal',
  contribute: 'propose_goal_contribution',
};

/** The next move for a planning request, or undefined when the text is none (or its tool is not offered here). */
export function planningMove(text: string, state: PlanningState, call: Call): Action | undefined {
  const intent = planningIntent(text);
  if (!intent || !state.tools.has(NEEDS[intent.kind])) return undefined;
  const result = (name: string) => state.done.findLast((e) => e.name === name);
  const today = state.context.planning?.today ?? state.now.toISOString().slice(0, 10);
  const dateOf = (when: 'today' | 'tomorrow') => (when === 'today' ? today : addDays(today, 1));
  switch (intent.kind) {
    case 'plan_day': {
      const planned = result('plan_day');
      if (planned) return answer(dayText(planned.result, intent.when, 'Planned'), 'Rule: the items were added; read the day back.');
      return call(
        'plan_day',
        { date: dateOf(intent.when), items: intent.items },
        `Rule: plan ${intent.when} with ${intent.items.length} item(s), times where given.`,
      );
    }
    case 'show_plan': {
      const listed = result('list_plan');
      if (listed) return answer(dayText(listed.result, intent.when, 'Your plan'), 'Rule: read the day back.');
      return call('list_plan', { date: dateOf(intent.when) }, `Rule: a question about ${intent.when}'s plan.`);
    }
    case 'did_item': {
      const set = result('set_item_status');
      if (set) {
        const item = (set.result as { item?: { title?: string } }).item;
        return answer(`Nice work! I marked "${item?.title ?? intent.what}" as done.`, 'Rule: the item is DONE; acknowledge.');
      }
      const listed = result('list_plan');
      if (!listed) return call('list_plan', { date: today }, "Rule: find the item in today's plan first.");
      const items = ((listed.result as { day?: { items?: Array<{ id: string; title: string; status: string }> } }).day?.items ?? []).filter(
        (i) => i.status !== 'DONE',
      );
      const match = bestMatch(intent.what, items, (i) => i.title);
      if (!match) {
        const open = items.map((i) => `"${i.title}"`);
        return answer(
          open.length
            ? `I couldn't find "${intent.what}" among today's open items (${listOf(open)}). Which one did you do?`
            : `There's nothing open on today's plan to mark as done.`,
          'Rule: no open item matches.',
        );
      }
      return call('set_item_status', { itemId: match.id, status: 'DONE' }, `Rule: "${intent.what}" matches "${match.title}"; mark it DONE.`);
    }
    case 'list_goals': {
      const listed = result('list_goals');
      if (listed) return answer(goalsText(listed.result), 'Rule: read the active goals back with their progress.');
      return call('list_goals', {}, 'Rule: a question about goals.');
    }
    case 'create_goal': {
      const created = result('create_goal');
      if (created) return answer(createdText(created.result), 'Rule: the goal exists; confirm it.');
      return call('create_goal', goalArgs(intent.text, state), 'Rule: a new goal; amount, account and date read from the request.');
    }
    case 'contribute':
      return contribute(intent, state, call, result);
  }
}

function contribute(
  intent: Extract<PlanningIntent, { kind: 'contribute' }>,
  state: PlanningState,
  call: Call,
  result: (n: string) => Exchange | undefined,
): Action {
  const proposed = result('propose_goal_contribution');
  if (proposed) {
    const goal = (proposed.result as { goal?: { title?: string } }).goal?.title;
    return answer(
      `${transferProposed(proposed.result, { amount: '', currency: '', from: 'your account', to: 'the goal account' })}${goal ? ` It goes toward "${goal}".` : ''}`,
      'Rule: a contribution was proposed; ask the user to confirm it.',
    );
  }
  const goals = goalsOf(result('list_goals')?.result) ?? state.context.planning?.goals.map((g) => ({ ...g, accountId: 'unknown' }));
  if (!result('list_goals')) return call('list_goals', {}, 'Rule: a contribution needs the goal and its account; read the goals.');
  const goal = bestMatch(intent.goal, goals ?? [], (g) => g.title);
  if (!goal) return answer(`I couldn't find a goal called "${intent.goal}". ${goalsText(result('list_goals')!.result)}`, 'Rule: no goal matches.');
  const amount = findAmount(intent.amountText)!;
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
  return call('propose_goal_contribution', { goalId: goal.id, amountMinor: minor.minor }, `Rule: ${minor.minor} minor units toward "${goal.title}".`);
}

/** "save 2000 dollars for a vacation by June" → title, target, currency, the savings account, a target date. */
function goalArgs(text: string, state: PlanningState): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  let rest = text;
  const by = /\s+by\s+(?:the end of\s+)?([a-z]+)(?:\s+(\d{4}))?\s*$/i.exec(rest);
  const month = by ? MONTHS.findIndex((m) => m.startsWith(by[1]!.toLowerCase()) && by[1]!.length >= 3) : -1;
  if (by && month >= 0) {
    const today = state.context.planning?.today ?? state.now.toISOString().slice(0, 10);
    const [year, current] = [Number(today.slice(0, 4)), Number(today.slice(5, 7)) - 1];
    const y = by[2] ? Number(by[2]) : month >= current ? year : year + 1;
    args.targetDate = new Date(Date.UTC(y, month + 1, 0)).toISOString().slice(0, 10);
    rest = rest.slice(0, by.index);
  }
  const amount = findAmount(rest);
  if (amount && !amount.negative && !amount.unknownCurrency) {
    const savings = state.context.accounts.filter((a) => /sav/i.test(a.name));
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

function answer(text: string, reasoning: string): Action {
  return { type: 'answer', text, reasoning };
}
