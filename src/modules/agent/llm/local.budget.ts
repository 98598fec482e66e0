/** The budget rows: jars, income, "where did my money go", where to save, fees coming up, "am I over budget". */
import { answer, call, type Action } from './local.action.js';
import { categoryIn, categoryWords } from './local.categories.js';
import { move, pick } from './local.loop.js';
import { findAmount, isDollarCurrency, toMinorUnits } from './local.money.js';
import { sourcesText } from './local.feed.rows.js';
import { monthlySummary } from './local.money.rows.js';
import { monthName, monthNamed, shiftMonth } from './local.period.js';
import { isObject, list, minor, money, positive, text, type Json } from './local.results.js';
import { hear, type Row, type Turn } from './local.row.js';

/** What the budget rows are given: a turn without the history they never read. */
export type BudgetState = Omit<Turn, 'messages' | 'capabilities'>;

const MONTH_WORD = String.raw`(january|february|march|april|may|june|july|august|september|october|november|december|last month|this month)`;
const JAR_LEFT = /\b(?:how much|what(?:'?s| is))\b.*?\b(?:left|remaining|remains)\b.*?\b(?:in|of|on)\s+(?:my\s+|the\s+)?(.+?)\s+(?:jar|envelope)\b/i;
const OVER_BUDGET = /\b(?:am i|are we|have i gone|did i go|have i)\b.*?\bover\b.*?\b(?:budget|my jars?|any jars?)\b|\bover budget\s*\??$/i;
const WHERE_MONEY = new RegExp(
  String.raw`\bwhere (?:did|has|have) (?:all )?(?:my|the) money (?:go|gone)\b(?:.*?\b(?:(?:in|during|for)\s+)?${MONTH_WORD})?`,
  'i',
);
const SAVE_WHERE = /\b(?:where|how) (?:can|could|should|might) i (?:save|cut back|cut down|spend less)\b|\bways? to save\b/i;
const FEES_DUE = /\b(?:fees?|bills?|charges?)\b.*\b(?:coming up|upcoming|due|next month)\b|\bupcoming (?:fees|bills|charges)\b/i;
const SET_INCOME =
  /\b(?:set|change|update|make)\s+(?:my\s+)?(?:monthly\s+)?(?:income|salary|earnings|pay)\s+(?:to|at|=)\s+(.+)$|\bmy\s+(?:monthly\s+)?(?:income|salary)\s+is\s+(?:now\s+)?(.+)$/i;
const CREATE_JAR =
  /\b(?:make|create|add|start|set up|open)\s+(?:me\s+)?(?:a\s+|an\s+)?(?:new\s+)?(?:jar|envelope)\s+(?:for|called|named)\s+(.+?)\s+(?:with|at|of|getting|taking)\s+(\d{1,3}(?:\.\d{1,2})?)\s*(?:%|percent)/i;
const ASK_INCOME = 'What is your monthly income? For example: "set my income to 4200 dollars".';

const overview = (result: unknown): Json => (isObject(result) ? result : {});

const jarLeft: Row<{ jar: string }> = {
  kind: 'jar_left',
  tool: 'budget_overview',
  onlyWhereOffered: true,
  example: `say what is left in a jar ("what's left in my dining jar?")`,
  match: ({ text: said }) => {
    const jar = JAR_LEFT.exec(said)?.[1]?.trim();
    return jar ? { jar } : undefined;
  },
  reply: ({ jar }, __, result) => jarLeftText(overview(result), jar),
};

const overBudget: Row<object> = {
  kind: 'over_budget',
  tool: 'budget_overview',
  onlyWhereOffered: true,
  example: `compare each jar with its allocation ("am I over budget?")`,
  match: ({ text: said }) => (OVER_BUDGET.test(said) ? {} : undefined),
  reply: (_, { done, tools }, result) => {
    const o = overview(result);
    const insights = done.findLast((e) => e.name === 'spending_insights')?.result;
    // The jars count every source: say which, where the insights are offered.
    if (!insights && tools.has('spending_insights') && list(o.jars).length > 0) {
      return call('spending_insights', { month: text(o.month) }, 'Rule: name the sources the jars were spent from.');
    }
    const sources = sourcesText(insights);
    return `${overBudgetText(o)}${sources ? ` Counted from every source: ${sources}.` : ''}`;
  },
};

const whereMoney: Row<{ month?: string }> = {
  kind: 'where_money',
  tool: 'spending_insights',
  onlyWhereOffered: true,
  example: `show where your money went by category ("where did my money go last month?")`,
  match: ({ text: said }) => {
    const where = WHERE_MONEY.exec(said);
    return where ? { ...(where[1] ? { month: where[1].toLowerCase() } : {}) } : undefined;
  },
  arguments: ({ month }, { now }) => (month ? { month: monthNamed(month, now) } : {}),
  reply: (_, __, result) => whereMoneyWent(overview(result)),
};

const saveWhere: Row<object> = {
  kind: 'save_where',
  tool: 'spending_insights',
  onlyWhereOffered: true,
  example: `find where you could spend less ("where can I save money?")`,
  match: ({ text: said }) => (SAVE_WHERE.test(said) ? {} : undefined),
  reply: (_, __, result) => whereToSave(overview(result)),
};

const feesDue: Row<object> = {
  kind: 'fees_due',
  tool: 'spending_insights',
  onlyWhereOffered: true,
  example: `list the fees due next month ("what fees are coming up?")`,
  match: ({ text: said }) => (FEES_DUE.test(said) ? {} : undefined),
  reply: (_, __, result) => feesDueText(overview(result)),
};

const setIncome: Row<{ amount: string }> = {
  kind: 'set_income',
  tool: 'set_monthly_income',
  onlyWhereOffered: true,
  example: `set your monthly income ("set my income to 4200 dollars")`,
  match: ({ text: said }) => {
    const income = SET_INCOME.exec(said);
    return income ? { amount: (income[1] ?? income[2] ?? '').trim() } : undefined;
  },
  arguments: ({ amount: said }, { context }) => {
    const amount = findAmount(said);
    if (!amount || amount.negative || amount.unknownCurrency) return answer(ASK_INCOME, 'Rule: no usable amount for the income.');
    const current = context.budget?.currency;
    const currency = amount.anyDollar && current && isDollarCurrency(current) ? current : (amount.currency ?? current ?? 'USD');
    const minorUnits = toMinorUnits(amount.value, currency);
    if ('error' in minorUnits)
      return answer(`I can't set an income of ${amount.value} ${currency}: ${minorUnits.error}.`, 'Rule: the amount does not fit the currency.');
    return { amountMinor: minorUnits.minor, currency };
  },
  reply: (_, __, result) => incomeSet(overview(result)),
};

const createJar: Row<{ name: string; percent: string }> = {
  kind: 'create_jar',
  tool: 'create_jar',
  onlyWhereOffered: true,
  example: `make a jar with a share of your income ("make a jar for travel with 10%")`,
  match: ({ text: said }) => {
    const make = CREATE_JAR.exec(said);
    return make?.[1] && make[2] ? { name: make[1].trim().replace(/^(?:my|the)\s+/i, ''), percent: make[2] } : undefined;
  },
  arguments: ({ name: named, percent }) => {
    const basisPoints = Math.round(Number(percent) * 100);
    if (basisPoints < 1 || basisPoints > 10000)
      return answer('A jar takes between 0.01% and 100% of your income. What share should it get?', 'Rule: share out of range.');
    const name = named.charAt(0).toUpperCase() + named.slice(1);
    const category = categoryIn(name);
    return { name, allocationBasisPoints: basisPoints, ...(category ? { categories: [category] } : {}) };
  },
  reply: (_, __, result) => jarCreated(overview(result)),
};

/** The budget rows in the table's order. */
export const BUDGET_ROWS: Row[] = [jarLeft, overBudget, whereMoney, saveWhere, feesDue, setIncome, createJar];

/** A budget move for this message, or undefined when it is none of the budget rows (the monthly summary's too, when the text is one). */
export function planBudget(message: string, intentKind: string, state: BudgetState): Action | undefined {
  const rows = intentKind === 'monthly_summary' ? [...BUDGET_ROWS, monthlySummary] : BUDGET_ROWS;
  const turn: Turn = { ...state, messages: [], capabilities: '' };
  const found = pick(rows, hear(message, turn.context.conversationType), state.tools);
  return found && move(found.row, found.data, turn);
}

function noIncomeNote(o: Json): string {
  return o.monthlyIncome ? '' : ' You have not set a monthly income, so your jars have nothing allocated yet: say "set my income to 4200 dollars" to fix that.';
}

function jarLeftText(o: Json, wanted: string): string {
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

function overBudgetText(o: Json): string {
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

const payments = (n: unknown) => `${String(n)} ${n === 1 ? 'transaction' : 'transactions'}`;

function whereMoneyWent(r: Json): string {
  const when = monthName(text(r.month));
  const categories = list(r.byCategory);
  if (categories.length === 0) return `I found no spending in ${when} (${text(r.currency)}) from any source.`;
  const parts = categories.slice(0, 3).map((c) => `${categoryWords(text(c.category))} (${money(c.spent)} in ${payments(c.payments)})`);
  const sources = sourcesText(r);
  const lead = `In ${when} you spent ${money(r.totalSpent)} from every source, mostly on ${parts.join(', then ')}.${sources ? ` That includes ${sources}.` : ''}`;
  const change = minor(r.changeFromPreviousMonth);
  const trend =
    change === 0n
      ? ' That is the same as the month before.'
      : ` That is ${positive(r.changeFromPreviousMonth)} ${change > 0n ? 'more' : 'less'} than the month before.`;
  const largest = list(r.largestPayments)[0];
  const biggest = largest ? ` The largest card payment was ${money(largest.amount)} at ${text(largest.merchant)}.` : '';
  const notes = (Array.isArray(r.observations) ? r.observations : []).filter((n): n is string => typeof n === 'string');
  return `${lead}${trend}${biggest}${notes.length ? ` ${notes.join(' ')}` : ''}`;
}

/** The jars spent past their allocation, then the largest payments: where spending less would tell first. */
function whereToSave(r: Json): string {
  const when = monthName(text(r.month));
  const largest = list(r.largestPayments).slice(0, 3);
  if (largest.length === 0) return `I found no card spending in ${when} (${text(r.currency)}), so there is nothing to cut yet.`;
  const over = list(r.byJar).filter((j) => minor(j.remaining) < 0n);
  const jars = over.length
    ? `In ${when} ${over.map((j) => `${text(j.name)} is ${positive(j.remaining)} over its jar (${money(j.spent)} spent of ${money(j.allocated)})`).join('; ')}: spending less there helps most.`
    : `In ${when} every jar is within its allocation.`;
  const big = largest.map((p) => `${money(p.amount)} at ${text(p.merchant)} (${categoryWords(text(p.category))})`);
  return `${jars} Your largest payments were ${big.join(', ')}.`;
}

function feesDueText(r: Json): string {
  const month = text(r.month);
  const when = /^\d{4}-\d{2}$/.test(month) ? monthName(shiftMonth(month, 1)) : 'next month';
  const fees = list(r.upcomingFees);
  if (fees.length === 0) return `No fees are due in ${when}.`;
  const total = fees.reduce((sum, f) => sum + minor(f.amount), 0n);
  const lines = fees.map((f) => `- ${text(f.name)}: ${money(f.amount)} on ${text(f.dueOn)}`);
  const currency = text(r.currency);
  return `Fees due in ${when}:\n${lines.join('\n')}\nThat is ${money({ minor: total.toString(), currency })} in all.`;
}

function incomeSet(r: Json): string {
  const share = typeof r.allocatedBasisPoints === 'number' ? r.allocatedBasisPoints : 0;
  const jars = list(r.jars);
  const held = jars.length
    ? ` Your ${jars.length} ${jars.length === 1 ? 'jar holds' : 'jars hold'} ${share / 100}% of it.`
    : ' You have no jars yet: say "make a jar for groceries with 20%" to start one.';
  return `Done: I set your monthly income to ${money(r.monthlyIncome)}.${held}`;
}

function jarCreated(r: Json): string {
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
