/** The rows that read money: balances, transactions, the monthly summary. */
import { call } from './local.action.js';
import { decimalToMinor } from './local.money.js';
import { monthText, periodOf, periodRange, type Period } from './local.period.js';
import * as reply from './local.replies.js';
import { listIn, text, type Json } from './local.results.js';
import type { Row } from './local.row.js';
import { knownAccounts } from './local.transfer.js';

const BALANCE =
  /\bhow much (?:money )?(?:do|have) i (?:have|got)\b|\bhow much (?:money )?is (?:in|on) (?:my|the)\b|\bwhat(?:'s| is| are) (?:my )?(?:account )?balances?\b|\b(?:check|show|see|list|tell me)(?: me)?(?: all)? (?:my )?(?:account )?(?:balances?|accounts)\b|^(?:my )?(?:account )?(?:balances?|accounts)\s*\??$|\bbalances?\s*\?/i;
const MONTHLY =
  /\b(?:monthly|per month|by month|each month|month by month|month-by-month)\b|\b(?:spending|money|financial|finance|account|accounts|income)\s+summary\b|\bsummary of (?:my )?(?:spending|money|finances|accounts|income)\b|\bhow much (?:did|have) i (?:spend|spent|earn|earned|make|made|receive|received|get)\b|\bhow much (?:i've|i have) (?:spent|earned)\b/i;
const SPENT_LAST_MONTH = /\bhow much (?:did|have) i (?:spend|spent)\b.*\blast month\b/i;
const TRANSACTIONS =
  /\b(?:recent|latest|last \d+)\s+(?:transactions?|payments?|purchases?|entries|activity)\b|\b(?:show|list|see|view|check|any|my)\b.*\b(?:transactions?|payments|purchases|spending)\b|\bwhat did i (?:spend|buy|pay)\b|\bwhere did my money go\b|^(?:transactions?|spending|history)\s*\??$/i;

export const balance: Row<object> = {
  kind: 'balance',
  tool: 'list_accounts',
  example: `show your balances ("how much do I have?")`,
  match: ({ text }) => (BALANCE.test(text) ? {} : undefined),
  reply: (_, __, listed) => reply.balances(reply.accountsOf(listed) ?? []),
};

interface TransactionsAsked {
  limit: number;
  period?: Period;
  text?: string;
  mentioned: string;
}

/** "last 5 transactions", "what did I spend on coffee last week": how many, when, and text in the description. */
export function transactionsAsked(text: string): TransactionsAsked {
  const count = /\b(?:last|recent|latest)\s+(\d{1,3})\b|\b(\d{1,3})\s+(?:recent|latest|last)?\s*(?:transactions|payments|purchases)\b/i.exec(text);
  const limit = count ? Math.min(50, Math.max(1, Number(count[1] ?? count[2]))) : 10;
  const subject =
    /\b(?:on|for|at)\s+(?!(?:my|the|last|this|that|it)\b)([a-z][\w'&-]*(?:\s+[a-z][\w'&-]*){0,2}?)(?=\s+(?:last|this|in|since|during|today|yesterday|from)\b|\s*[?.!]|\s*$)/i.exec(
      text,
    );
  const period = periodOf(text);
  return {
    limit,
    ...(period ? { period } : {}),
    ...(subject?.[1] && !/^(?:average|total)$/i.test(subject[1]) ? { text: subject[1] } : {}),
    mentioned: text,
  };
}

export const transactions: Row<TransactionsAsked> = {
  kind: 'transactions',
  tool: 'recent_transactions',
  example: `list recent transactions ("recent transactions")`,
  match: ({ text }) => (TRANSACTIONS.test(text) ? transactionsAsked(text) : undefined),
  arguments: (asked, turn) => {
    const args: Record<string, unknown> = { limit: asked.limit };
    const account = knownAccounts(turn).find((a) => wordIn(asked.mentioned, a.name));
    if (account) args.accountId = account.id;
    if (asked.period) Object.assign(args, periodRange(asked.period, turn.now));
    if (asked.text && !(account && wordIn(asked.text, account.name))) args.text = asked.text;
    return args;
  },
  reply: (asked, __, read) => reply.transactions(read, asked),
};

export const monthlySummary: Row<{ months: number; lastMonth: boolean; spentLastMonth: boolean }> = {
  kind: 'monthly_summary',
  tool: 'monthly_summary',
  example: `summarise money in and out by month ("monthly summary")`,
  match: ({ text }) => {
    if (!MONTHLY.test(text)) return undefined;
    const months = /\b(\d{1,2})\s+months?\b/i.exec(text);
    return {
      months: months ? Math.min(24, Math.max(1, Number(months[1]))) : 3,
      lastMonth: /\blast month\b/i.test(text),
      spentLastMonth: SPENT_LAST_MONTH.test(text),
    };
  },
  arguments: ({ months }) => ({ months }),
  reply: ({ lastMonth, spentLastMonth }, { done, tools, now }, summary) => {
    const month = lastMonth ? monthText(now, -1) : undefined;
    const insights = done.findLast((e) => e.name === 'spending_insights')?.result;
    // Last month's spending names its main card category where the insights are offered.
    if (month && spentLastMonth && !insights && tools.has('spending_insights')) {
      const currency = mainCurrency(summary, month);
      if (currency) return call('spending_insights', { month, currency }, 'Rule: name the main category of last month’s card spending.');
    }
    return reply.monthlySummary(summary, month, spentLastMonth ? reply.topCategory(insights) : undefined);
  },
};

/** The currency of the account that spent the most in `month`, from monthly_summary's rows. */
function mainCurrency(summary: unknown, month: string): string | undefined {
  const rows = listIn(summary, 'months').filter((m) => m.month === month);
  const out = (m: Json) => decimalToMinor(text(m.debits), text(m.currency)) ?? 0n;
  return rows.sort((a, b) => (out(b) > out(a) ? 1 : out(b) < out(a) ? -1 : 0))[0]?.currency as string | undefined;
}

function wordIn(text: string, name: string): boolean {
  const escaped = name.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return escaped !== '' && new RegExp(`\\b${escaped}\\b`, 'i').test(text);
}
