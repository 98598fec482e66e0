/** The rule-based assistant's budget conversations: jars, income, "where did my money go", "am I over budget". */
import { formatGrouped } from '../../../shared/currency.js';
import { currencyExponent, decimalToMinor, findAmount, isDollarCurrency, toMinorUnits } from './local.money.js';
import { categoryWords, isObject, monthName, monthlySummary, type Json } from './local.replies.js';
import type { AgentContext } from './provider.js';

export type BudgetAction =
  { type: 'call'; name: string; args: Record<string, unknown>; reasoning: string } | { type: 'answer'; text: string; reasoning: string };

export interface BudgetState {
  /** This message's tool calls with their results. */
  done: Array<{ name: string; args: unknown; result: unknown }>;
  context: AgentContext;
  tools: Set<string>;
  now: Date;
}

type BudgetIntent =
  | { kind: 'jar_left'; jar: string }
  | { kind: 'over_budget' }
  | { kind: 'where_money'; month?: string }
  | { kind: 'set_income'; text: string }
  | { kind: 'create_jar'; name: string; percent: string }
  | { kind: 'last_month_total' };

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH_WORD = String.raw`(january|february|march|april|may|june|july|august|september|october|november|december|last month|this month)`;

const JAR_LEFT = /\b(?:how much|what(?:'s| is))\b.*?\b(?:left|remaining|remains)\b.*?\b(?:in|of|on)\s+(?:my\s+|the\s+)?(.+?)\s+(?:jar|envelope)\b/i;
const OVER_BUDGET = /\b(?:am i|are we|have i gone|did i go|have i)\b.*?\bover\b.*?\b(?:budget|my jars?|any jars?)\b|\bover budget\s*\??$/i;
const WHERE_MONEY = new RegExp(
  String.raw`\bwhere (?:did|has|have) (?:all )?(?:my|the) money (?:go|gone)\b(?:.*?\b(?:(?:in|during|for)\s+)?${MONTH_WORD})?`,
  'i',
);
const SET_INCOME =
  /\b(?:set|change|update|make)\s+(?:my\s+)?(?:monthly\s+)?(?:income|salary|earnings|pay)\s+(?:to|at|=)\s+(.+)$|\bmy\s+(?:monthly\s+)?(?:income|salary)\s+is\s+(?:now\s+)?(.+)$/i;
const CREATE_JAR =
  /\b(?:make|create|add|start|set up|open)\s+(?:me\s+)?(?:a\s+|an\s+)?(?:new\s+)?(?:jar|envelope)\s+(?:for|called|named)\s+(.+?)\s+(?:with|at|of|getting|taking)\s+(\d{1,3}(?:\.\d{1,2})?)\s*(?:%|percent)/i;
const SPEND_LAST_MONTH = /\bhow much (?:did|have) i (?:spend|spent)\b.*\blast month\b/i;

/** Spending categories a jar name can stand for, as create_jar's enum spells them. */
const JAR_CATEGORIES: Array<[RegExp, string]> = [
  [/\b(?:groceries|grocery|food shopping)\b/i, 'GROCERIES'],
  [/\b(?:dining|eating out|restaurants?)\b/i, 'DINING'],
  [/\b(?:transport|transportation|commut\w*|travel to work)\b/i, 'TRANSPORT'],
  [/\b(?:travel|holidays?|vacations?|trips?)\b/i, 'TRAVEL'],
  [/\b(?:subscriptions?|streaming)\b/i, 'SUBSCRIPTIONS'],
  [/\b(?:housing|rent|mortgage)\b/i, 'HOUSING'],
  [/\b(?:utilities|bills)\b/i, 'UTILITIES'],
  [/\b(?:health|medical)\b/i, 'HEALTH'],
  [/\b(?:shopping|clothes)\b/i, 'SHOPPING'],
  [/\b(?:entertainment|fun|movies)\b/i, 'ENTERTAINMENT'],
  [/\b(?:education|school|courses?)\b/i, 'EDUCATION'],
];

function budgetIntent(text: string, intentKind: string): BudgetIntent | undefined {
  const jar = JAR_LEFT.exec(text);
  if (jar?.[1]) return { kind: 'jar_left', jar: jar[1].trim() };
  if (OVER_BUDGET.test(text)) return { kind: 'over_budget' };
  const where = WHERE_MONEY.exec(text);
  if (where) return { kind: 'where_money', ...(where[1] ? { month: where[1].toLowerCase() } : {}) };
  const income = SET_INCOME.exec(text);
  if (income) return { kind: 'set_income', text: (income[1] ?? income[2] ?? '').trim() };
  const make = CREATE_JAR.exec(text);
  if (make?.[1] && make[2]) return { kind: 'create_jar', name: make[1].trim().replace(/^(?:my|the)\s+/i, ''), percent: make[2] };
  if (intentKind === 'monthly_summary' && SPEND_LAST_MONTH.test(text)) return { kind: 'last_month_total' };
  return undefined;
}

/** A budget action for this message, or undefined when it is not about the budget. */
export function planBudget(text: string, intentKind: string, state: BudgetState): BudgetAction | undefined {
  const intent = budgetIntent(text, intentKind);
  if (!intent) return undefined;
  const result = (name: string) => state.done.findLast((e) => e.name === name)?.result;
  const call = (name: string, args: Record<string, unknown>, why: string): BudgetAction | undefined =>
    state.tools.has(name) ? { type: 'call', name, args, reasoning: why } : undefined;
  const answer = (text: string, reasoning: string): BudgetAction => ({ type: 'answer', text, reasoning });

  switch (intent.kind) {
    case 'jar_left': {
      const overview = result('budget_overview');
      if (overview) return answer(jarLeft(overview, intent.jar), 'Rule: report the jar from this month’s overview.');
      return call('budget_overview', {}, `Rule: "${intent.jar}" jar balance needs the budget overview.`);
    }
    case 'over_budget': {
      const overview = result('budget_overview');
      if (overview) return answer(overBudget(overview), 'Rule: compare each jar’s spending with its allocation.');
      return call('budget_overview', {}, 'Rule: "over budget" needs this month’s jars.');
    }
    case 'where_money': {
      const insights = result('spending_insights');
      if (insights) return answer(whereMoneyWent(insights), 'Rule: report the month’s spending by category.');
      const month = intent.month ? monthFor(intent.month, state.now) : undefined;
      return call('spending_insights', month ? { month } : {}, `Rule: "where did my money go" for ${month ?? 'this month'}.`);
    }
    case 'set_income': {
      const done = result('set_monthly_income');
      if (done) return answer(incomeSet(done), 'Rule: the income was set; say what changed.');
      const amount = findAmount(intent.text);
      if (!amount || amount.negative || amount.unknownCurrency) {
        return answer('What is your monthly income? For example: "set my income to 4200 dollars".', 'Rule: no usable amount for the income.');
      }
      const current = state.context.budget?.currency;
      const currency = amount.anyDollar && current && isDollarCurrency(current) ? current : (amount.currency ?? current ?? 'USD');
      const minor = toMinorUnits(amount.value, currency);
      if ('error' in minor)
        return answer(`I can't set an income of ${amount.value} ${currency}: ${minor.error}.`, 'Rule: the amount does not fit the currency.');
      return call('set_monthly_income', { amountMinor: minor.minor, currency }, `Rule: set the income to ${minor.minor} minor units of ${currency}.`);
    }
    case 'create_jar': {
      const done = result('create_jar');
      if (done) return answer(jarCreated(done), 'Rule: the jar was made; say what it holds.');
      const basisPoints = Math.round(Number(intent.percent) * 100);
      if (basisPoints < 1 || basisPoints > 10000)
        return answer('A jar takes between 0.01% and 100% of your income. What share should it get?', 'Rule: share out of range.');
      const name = intent.name.charAt(0).toUpperCase() + intent.name.slice(1);
      const category = JAR_CATEGORIES.find(([pattern]) => pattern.test(name))?.[1];
      const args = { name, allocationBasisPoints: basisPoints, ...(category ? { categories: [category] } : {}) };
      return call('create_jar', args, `Rule: make the ${name} jar with ${basisPoints} basis points.`);
    }
    case 'last_month_total': {
      const summary = state.done.findLast((e) => e.name === 'monthly_summary');
      const month = monthFor('last month', state.now);
      if (!summary) return call('monthly_summary', { months: 3 }, 'Rule: a question about last month’s spending; read the months first.');
      const insights = result('spending_insights');
      if (!insights) {
        const currency = mainCurrency(summary.result, month);
        const asked = currency ? call('spending_insights', { month, currency }, 'Rule: name the main category of last month’s card spending.') : undefined;
        if (asked) return asked;
      }
      return answer(monthlySummary(summary.result, month, topCategory(insights)), 'Rule: report last month by account and its main category.');
    }
  }
}

/** "october" -> the latest October not after this month; "last month"/"this month" relative to now (UTC). */
function monthFor(word: string, now: Date): string {
  const year = now.getUTCFullYear();
  const current = now.getUTCMonth();
  if (word === 'this month') return iso(year, current);
  if (word === 'last month') return iso(year, current - 1);
  const index = MONTHS.indexOf(word);
  return iso(index > current ? year - 1 : year, index);
}

function iso(year: number, monthIndex: number): string {
  return new Date(Date.UTC(year, monthIndex, 1)).toISOString().slice(0, 7);
}

const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** An amount as the tools return it ({ decimal, minor, currency }) -> "1,250.00 USD". */
function money(v: unknown): string {
  return isObject(v) ? formatGrouped(minor(v), text(v.currency), currencyExponent(text(v.currency))) : '?';
}

const minor = (v: unknown): bigint => (isObject(v) && /^-?\d+$/.test(text(v.minor)) ? BigInt(text(v.minor)) : 0n);
const positive = (v: unknown): string => (isObject(v) ? money({ ...v, minor: text(v.minor).replace(/^-/, '') }) : '?');

function noIncomeNote(overview: Json): string {
  return overview.monthlyIncome
    ? ''
    : ' You have not set a monthly income, so your jars have nothing allocated yet: say "set my income to 4200 dollars" to fix that.';
}

function jarLeft(overview: unknown, wanted: string): string {
  const o = isObject(overview) ? overview : {};
  const jars = list(o.jars);
  const key = wanted.toLowerCase().replace(/s$/, '');
  const jar = jars.find((j) => text(j.name).toLowerCase() === wanted.toLowerCase()) ?? jars.find((j) => text(j.name).toLowerCase().includes(key));
  if (!jar) {
    const names = jars.map((j) => text(j.name));
    return names.length
      ? `You don't have a jar called "${wanted}". Your jars are ${names.join(', ')}.`
      : `You don't have any jars yet. Say "make a jar for ${wanted} with 10%" to start one.`;
  }
  const when = monthName(text(o.month));
  const detail = `${money(jar.allocated)} allocated, ${money(jar.spent)} spent`;
  if (minor(jar.remaining) < 0n) return `Your ${text(jar.name)} jar is ${positive(jar.remaining)} over for ${when}: ${detail}.${noIncomeNote(o)}`;
  return `Your ${text(jar.name)} jar has ${money(jar.remaining)} left for ${when}: ${detail}.${noIncomeNote(o)}`;
}

function overBudget(overview: unknown): string {
  const o = isObject(overview) ? overview : {};
  const jars = list(o.jars);
  const when = monthName(text(o.month));
  if (jars.length === 0) return 'You have no budget jars yet, so nothing can be over. Say "make a jar for groceries with 20%" to start one.';
  const over = jars.filter((j) => minor(j.remaining) < 0n);
  if (over.length === 0) {
    const tightest = [...jars].sort((a, b) => (minor(a.remaining) < minor(b.remaining) ? -1 : 1))[0]!;
    return `No: in ${when} every jar is within its allocation. The tightest is ${text(tightest.name)}, with ${money(tightest.remaining)} left of ${money(tightest.allocated)}.${noIncomeNote(o)}`;
  }
  const lines = over.map((j) => `${text(j.name)} is ${positive(j.remaining)} over (${money(j.spent)} spent of ${money(j.allocated)})`);
  const rest = jars.length - over.length;
  const others = rest === 0 ? ' No jar is within its allocation.' : ` Your other ${rest === 1 ? 'jar is' : `${rest} jars are`} within budget.`;
  return `Yes, in ${when}: ${lines.join('; ')}.${others}${noIncomeNote(o)}`;
}

function whereMoneyWent(insights: unknown): string {
  const r = isObject(insights) ? insights : {};
  const when = monthName(text(r.month));
  const categories = list(r.byCategory);
  if (categories.length === 0) return `I found no card spending in ${when} (${text(r.currency)}).`;
  const parts = categories
    .slice(0, 3)
    .map((c) => `${categoryWords(text(c.category))} (${money(c.spent)} in ${String(c.payments)} ${c.payments === 1 ? 'payment' : 'payments'})`);
  const lead = `In ${when} you spent ${money(r.totalSpent)} with your cards, mostly on ${parts.join(', then ')}.`;
  const change = minor(r.changeFromPreviousMonth);
  const trend =
    change === 0n
      ? ' That is the same as the month before.'
      : ` That is ${positive(r.changeFromPreviousMonth)} ${change > 0n ? 'more' : 'less'} than the month before.`;
  const largest = list(r.largestPayments)[0];
  const biggest = largest ? ` The largest payment was ${money(largest.amount)} at ${text(largest.merchant)}.` : '';
  const notes = (Array.isArray(r.observations) ? r.observations : []).filter((n): n is string => typeof n === 'string');
  return `${lead}${trend}${biggest}${notes.length ? ` ${notes.join(' ')}` : ''}`;
}

function incomeSet(result: unknown): string {
  const r = isObject(result) ? result : {};
  const share = typeof r.allocatedBasisPoints === 'number' ? r.allocatedBasisPoints : 0;
  const jars = list(r.jars);
  const held = jars.length
    ? ` Your ${jars.length} ${jars.length === 1 ? 'jar holds' : 'jars hold'} ${share / 100}% of it.`
    : ' You have no jars yet: say "make a jar for groceries with 20%" to start one.';
  return `Done: I set your monthly income to ${money(r.monthlyIncome)}.${held}`;
}

function jarCreated(result: unknown): string {
  const r = isObject(result) ? result : {};
  const created = isObject(r.created) ? r.created : {};
  const jar = list(r.jars).find((j) => j.id === created.id);
  const share = typeof created.allocationBasisPoints === 'number' ? created.allocationBasisPoints / 100 : 0;
  const amount = jar && r.monthlyIncome ? ` (${money(jar.allocated)} a month)` : '';
  const categories =
    Array.isArray(created.categories) && created.categories.length
      ? ` Card payments for ${created.categories.map((c) => categoryWords(String(c))).join(', ')} will land in it.`
      : '';
  const total = typeof r.allocatedBasisPoints === 'number' ? ` Your jars now hold ${r.allocatedBasisPoints / 100}% of your income.` : '';
  return `Done: I made a ${text(created.name)} jar with ${share}% of your income${amount}.${categories}${total}${noIncomeNote(r)}`;
}

/** The currency of the account that spent the most in `month`, from monthly_summary's rows. */
function mainCurrency(summary: unknown, month: string): string | undefined {
  const rows = list(isObject(summary) ? summary.months : undefined).filter((m) => m.month === month);
  const out = (m: Json) => decimalToMinor(text(m.debits), text(m.currency)) ?? 0n;
  return rows.sort((a, b) => (out(b) > out(a) ? 1 : out(b) < out(a) ? -1 : 0))[0]?.currency as string | undefined;
}

function topCategory(insights: unknown): { category: string; spent: string } | undefined {
  const top = list(isObject(insights) ? insights.byCategory : undefined)[0];
  return top ? { category: categoryWords(text(top.category)), spent: money(top.spent) } : undefined;
}
