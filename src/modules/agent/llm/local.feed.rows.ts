/** The feed rows: what was spent from every source (card, transfer, by hand, other banks), at a merchant, and cash recorded by hand. */
import { answer } from './local.action.js';
import { categoryIn, categoryWords } from './local.categories.js';
import { decimalToMinor, findAmount, isDollarCurrency, toMinorUnits } from './local.money.js';
import { MONTH_NAMES, monthName, monthNamed, periodOf } from './local.period.js';
import { isObject, list, listIn, minor, money, text, type Json } from './local.results.js';
import type { Row } from './local.row.js';

const MONTH_WORD = String.raw`\b(${MONTH_NAMES.join('|')}|last month|this month)\b`;
const SPENT_HOW_MUCH = /\bhow much (?:did|have) i (?:spend|spent)\b|\bhow much (?:i've|i have) spent\b/i;
const SPENT_AT =
  /\b(?:spend|spent|pay|paid)\b.*?\bat\s+(?!(?:my|the|a|an|all|least|most|home|work)\b)(.+?)(?:\s+(?:last|this|in|during|since|so far)\b.*?)?\s*[?.!]*$/i;
const CASH_SPENT = /\b(?:i|i've|i have|just)\s+(?:spent|paid)\b.*\bcash\b|\bcash\b.*\b(?:i|i've|i have)\s+(?:spent|paid)\b/i;
const MEAL = /\b(?:lunch|breakfast|dinner|brunch|coffee|snacks?|meals?|drinks?)\b/i;

/** "1,200.00 USD on housing by transfer": how each source is named. */
function sourcePart(s: Json): string {
  const amount = money(s.spent);
  switch (s.source) {
    case 'CARD':
      return `${amount} by card`;
    case 'TRANSFER':
      return `${amount}${typeof s.mainCategory === 'string' ? ` on ${categoryWords(s.mainCategory)}` : ''} by transfer`;
    case 'MANUAL':
      return `${amount} you recorded by hand (cash and the like)`;
    case 'GROUP':
      return `${amount} as your share of group expenses you paid`;
    default:
      return `${amount} at your other bank`;
  }
}

/** "1,200.00 USD on housing by transfer and 86.40 USD at your other bank": the sources that added something, from spending_insights' bySource. */
export function sourcesText(insights: unknown): string | undefined {
  const parts = listIn(insights, 'bySource')
    .filter((s) => minor(s.spent) > 0n)
    .map(sourcePart);
  return parts.length ? joinAnd(parts) : undefined;
}

function joinAnd(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** "how much did I spend last month?": every source, not only cards; a category or a merchant is another row's question. */
const spentInMonth: Row<{ month: string }> = {
  kind: 'spent_in_month',
  tool: 'spending_insights',
  onlyWhereOffered: true,
  example: `add up a month's spending from every source ("how much did I spend last month?")`,
  match: ({ text: said }) => {
    if (
      !SPENT_HOW_MUCH.test(said) ||
      categoryIn(said) ||
      /\b(?:at|on)\s+(?!(?:average|total)\b)\w/i.test(said.replace(new RegExp(`\\bin ${MONTH_WORD}`, 'i'), ''))
    ) {
      return undefined;
    }
    return { month: new RegExp(MONTH_WORD, 'i').exec(said)?.[1]?.toLowerCase() ?? 'this month' };
  },
  arguments: ({ month }, { now }) => ({ month: monthNamed(month, now) }),
  reply: (_, __, result) => spentInMonthText(isObject(result) ? result : {}),
};

function spentInMonthText(r: Json): string {
  const when = monthName(text(r.month));
  const received = minor(r.totalReceived) > 0n ? ` You received ${money(r.totalReceived)}.` : '';
  if (minor(r.totalSpent) === 0n) return `I found no spending in ${when} (${text(r.currency)}) from any source.${received}`;
  const top = list(r.byCategory)[0];
  const mostly = top ? ` Most of it went on ${categoryWords(text(top.category))} (${money(top.spent)}).` : '';
  return `In ${when} you spent ${money(r.totalSpent)} from every source, including ${sourcesText(r)}.${mostly}${received}`;
}

interface SpentAtAsked {
  merchant: string;
  month?: string;
}

/** "what did I spend at Fresh Market?": the feed's transactions whose description names it, every source. */
const spentAt: Row<SpentAtAsked> = {
  kind: 'spent_at',
  tool: 'list_transactions',
  onlyWhereOffered: true,
  example: `add up what you spent at a merchant, wherever you paid ("what did I spend at Fresh Market?")`,
  match: ({ text: said }) => {
    if (!/\b(?:how much|what did i|what have i)\b/i.test(said) || CASH_SPENT.test(said)) return undefined;
    const merchant = SPENT_AT.exec(said)?.[1]?.trim();
    if (!merchant || merchant.length > 60) return undefined;
    const month = new RegExp(MONTH_WORD, 'i').exec(said)?.[1]?.toLowerCase();
    // A week or a few days is the card row's (the feed's tool takes whole months).
    if (!month && periodOf(said)) return undefined;
    return { merchant, ...(month ? { month } : {}) };
  },
  arguments: ({ merchant, month }, { now }) => ({ search: merchant, first: 100, ...(month ? { month: monthNamed(month, now) } : {}) }),
  reply: (asked, { now }, result) => spentAtText(asked, isObject(result) ? result : {}, asked.month ? monthNamed(asked.month, now) : undefined),
};

const SOURCE_WORDS: Record<string, string> = {
  CARD: 'by card',
  TRANSFER: 'by transfer',
  MANUAL: 'recorded by hand',
  LINKED: 'at your other bank',
  GROUP: 'as your share in a group',
};

function spentAtText(asked: SpentAtAsked, r: Json, month: string | undefined): string {
  const when = month ? ` in ${monthName(month)}` : '';
  const out = list(r.transactions).filter((t) => t.direction === 'OUT');
  if (out.length === 0) return `I found no spending at ${asked.merchant}${when}, from any source.`;
  // Per currency, then per source within it, in the order they first appear.
  const byCurrency = new Map<string, Map<string, bigint>>();
  for (const t of out) {
    const currency = text(t.currency);
    const sources = byCurrency.get(currency) ?? new Map<string, bigint>();
    sources.set(text(t.source), (sources.get(text(t.source)) ?? 0n) + (decimalToMinor(text(t.amount), currency) ?? 0n));
    byCurrency.set(currency, sources);
  }
  const totals = [...byCurrency].map(([currency, sources]) => {
    const total = [...sources.values()].reduce((a, b) => a + b, 0n);
    const shown = (amount: bigint) => money({ minor: amount.toString(), currency });
    const parts = [...sources].map(([source, spent]) => `${shown(spent)} ${SOURCE_WORDS[source] ?? source.toLowerCase()}`);
    return `${shown(total)}${parts.length > 1 ? ` (${joinAnd(parts)})` : ` ${SOURCE_WORDS[[...sources.keys()][0]!] ?? ''}`.trimEnd()}`;
  });
  const count = `${out.length} ${out.length === 1 ? 'transaction' : 'transactions'}`;
  const total = typeof r.total === 'number' ? r.total : out.length;
  const partial = total > list(r.transactions).length ? ` These are the latest ${list(r.transactions).length} of ${total} matching transactions.` : '';
  return `At ${asked.merchant}${when} you spent ${joinAnd(totals)} in ${count}.${partial}`;
}

interface CashSaid {
  value: string;
  currency?: string;
  anyDollar: boolean;
  what?: string;
  category: string;
}

/** "I spent 12 dollars cash on lunch": a MANUAL transaction, in the budget currency unless another is named. */
const recordCash: Row<CashSaid> = {
  kind: 'record_cash',
  tool: 'record_cash_spending',
  onlyWhereOffered: true,
  example: `record cash you spent ("I spent 12 dollars cash on lunch")`,
  match: ({ text: said }) => {
    if (!CASH_SPENT.test(said) || /\?\s*$|\bhow much\b/i.test(said)) return undefined;
    const amount = findAmount(said);
    if (!amount || amount.negative || amount.unknownCurrency) return undefined;
    const what = /\b(?:on|for)\s+(?:a\s+|an\s+|some\s+|my\s+)?([a-z][\w' &-]{0,60}?)\s*[.!]*$/i.exec(said)?.[1];
    const category = categoryIn(said) ?? (MEAL.test(said) ? 'DINING' : 'OTHER');
    return { value: amount.value, ...(amount.currency ? { currency: amount.currency } : {}), anyDollar: amount.anyDollar, ...(what ? { what } : {}), category };
  },
  arguments: (said, { context }) => {
    const budget = context.budget?.currency ?? 'USD';
    const currency = said.anyDollar && isDollarCurrency(budget) ? budget : (said.currency ?? budget);
    const amount = toMinorUnits(said.value, currency);
    if ('error' in amount) return answer(`I can't record ${said.value} ${currency}: ${amount.error}.`, 'Rule: the amount does not fit the currency.');
    const description = said.what ? `${said.what.charAt(0).toUpperCase()}${said.what.slice(1)} (cash)` : 'Cash spending';
    return { amountMinor: amount.minor, currency, description, category: said.category };
  },
  reply: (_, __, result) => {
    const t = isObject(result) && isObject(result.recorded) ? result.recorded : {};
    const amount = `${text(t.amount)} ${text(t.currency)}`;
    return (
      `Recorded: ${amount} in cash for ${text(t.description)
        .replace(/ \(cash\)$/, '')
        .toLowerCase()} on ${text(t.occurredOn)}, as a manual transaction in ${categoryWords(text(t.category))}. ` +
      'It counts in your budget like any other spending; you can change or delete it (updateManualTransaction, deleteManualTransaction).'
    );
  },
};

/** The feed rows in the table's order: recording cash first (it is a statement, not a question). */
export const FEED_ROWS: Row[] = [recordCash, spentAt, spentInMonth];
