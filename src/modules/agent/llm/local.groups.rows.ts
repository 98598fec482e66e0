/** The group conversation's rows: who owes what, how to settle up, and expenses proposed for a member to confirm. */
import { answer, type Action } from './local.action.js';
import { findAmount, isDollarCurrency, toMinorUnits } from './local.money.js';
import { isObject, listIn, text } from './local.results.js';
import type { Row, Turn } from './local.row.js';

interface ShareAsked {
  username: string;
  value?: string;
}

interface ExpenseAsked {
  text: string;
  payer?: string;
  clause: string;
}

const SPLIT = /^(?:(?:please|pls|can you|could you|let's|lets)[,]?\s+)*split\s+(.+)$/i;
const PAID = /^([\w.@-]+)\s+paid\s+(.+)$/i;
const OWES = /\bwho\s+owes\s+(?:what|whom|who|how much)\b|\b(?:our|the|group(?:'s)?)\s+balances?\b|\bhow much do i owe\b|\bwho\s+is\s+owed\b/i;
const SETTLE = /\bsettle\s*up\b|\bhow\s+do\s+we\s+settle\b|\bwho\s+(?:should\s+)?pays?\s+whom\b|\bsettle\s+(?:our|the)\s+(?:debts|balances)\b/i;
const EXAMPLE = 'For example: "split 120 dollars dinner equally between me, ana and ben".';

/** "me, ana and ben" → ["me", "ana", "ben"]. */
function names(list: string): string[] {
  return list
    .split(/\s*,\s*|\s+and\s+|\s*&\s*/i)
    .map((n) => n.trim().replace(/[.!?]+$/, ''))
    .filter((n) => /^[\w.@-]+$/.test(n));
}

/** How the split clause shares it: "equally between me, ana and ben", "by 2 shares for me and 1 for ana", "60% for me and 40% for ana". */
export function sharesOf(clause: string): { splitMode: 'EQUAL' | 'SHARES' | 'PERCENT'; shares?: ShareAsked[] } | undefined {
  const percent = [...clause.matchAll(/(\d{1,3}(?:\.\d{1,2})?)\s*(?:%|percent)\s+(?:for|to)\s+([\w.@-]+)/gi)];
  if (percent.length > 0) {
    return { splitMode: 'PERCENT', shares: percent.map((m) => ({ username: m[2]!, value: String(Math.round(Number(m[1]) * 100)) })) };
  }
  const parts = [...clause.matchAll(/(\d{1,4})\s*(?:shares?|parts?)?\s+(?:for|to)\s+([\w.@-]+)/gi)];
  if (parts.length > 0 && /\b(?:shares?|parts?)\b/i.test(clause)) {
    return { splitMode: 'SHARES', shares: parts.map((m) => ({ username: m[2]!, value: m[1]! })) };
  }
  const among = /\b(?:between|among|amongst|with)\s+(.+)$/i.exec(clause);
  if (among || /\b(?:equal(?:ly)?|evenly|fairly)\b/i.test(clause)) {
    const listed = among ? names(among[1]!) : [];
    return { splitMode: 'EQUAL', ...(listed.length ? { shares: listed.map((username) => ({ username })) } : {}) };
  }
  return undefined;
}

/** What the expense was for: the words left once the amount, the payer and the split are taken out. */
function descriptionOf(rest: string): string {
  const words = rest
    .replace(/[,;]\s*split\b.*$/i, '')
    .replace(/\b(?:equal(?:ly)?|evenly|fairly|split|by)\b.*$/i, '')
    .replace(/\b(?:between|among|amongst|with)\b.*$/i, '')
    .replace(/^\s*(?:for|on)\s+/i, '')
    .replace(/^\s*(?:the|a|an|our)\s+/i, '')
    .replace(/[.,;!?\s]+$/, '')
    .trim();
  return words.slice(0, 200);
}

function expenseArguments(asked: ExpenseAsked, turn: Turn): Record<string, unknown> | Action {
  const group = turn.context.group;
  if (!group) return answer('I can only prepare a group expense in a group conversation.', 'Rule: no group here.');
  const amount = findAmount(asked.text);
  if (!amount) return answer(`How much was it? ${EXAMPLE}`, 'Rule: a group expense without an amount.');
  if (amount.negative) return answer(`An expense is a positive amount; how much was it? ${EXAMPLE}`, 'Rule: a negative amount.');
  if (amount.unknownCurrency) {
    return answer(`I don't know a currency called "${amount.unknownCurrency}"; this group counts in ${group.currency}.`, 'Rule: an unknown currency.');
  }
  const named = amount.currency;
  if (named && named !== group.currency && !(amount.anyDollar && isDollarCurrency(group.currency))) {
    return answer(`This group counts in ${group.currency}, not ${named}: how much ${group.currency} was it?`, 'Rule: another currency than the group’s.');
  }
  const minor = toMinorUnits(amount.value, group.currency);
  if ('error' in minor) return answer(`I can't record ${amount.value} ${group.currency}: ${minor.error}.`, 'Rule: the amount does not fit the currency.');
  if (/^0+$/.test(minor.minor)) return answer('The amount must be more than zero. How much was it?', 'Rule: zero amount.');
  const rest = asked.clause.replace(amount.text, ' ');
  const split = sharesOf(rest.replace(/^.*?\bsplit\b/i, '')) ?? { splitMode: 'EQUAL' as const };
  const description = descriptionOf(rest.replace(/\s+/g, ' ')) || 'Shared expense';
  const args: Record<string, unknown> = { description, amountMinor: minor.minor, splitMode: split.splitMode };
  if (split.shares) args.shares = split.shares;
  if (asked.payer && !/^(?:i|me)$/i.test(asked.payer)) args.paidBy = [{ username: asked.payer, amountMinor: minor.minor }];
  return args;
}

function proposedReply(result: unknown): string {
  if (!isObject(result)) return 'I prepared the expense; a member confirms it in the app.';
  const currency = text(result.currency);
  const shares = listIn(result, 'shares').map((s) => `${text(s.username)} ${text(s.amount)}`);
  const payers = listIn(result, 'paidBy').map((p) => text(p.username));
  return [
    `I've prepared "${text(result.description)}" for ${text(result.amount)} ${currency}, paid by ${payers.join(' and ')}: ${shares.join(', ')}.`,
    `Nothing is added until a member confirms it (confirmGroupExpense with proposal ${text(result.proposalId)}); it expires at ${text(result.expiresAt)}.`,
  ].join(' ');
}

export const groupExpense: Row<ExpenseAsked> = {
  kind: 'group_expense',
  tool: 'propose_group_expense',
  onlyWhereOffered: true,
  example: `prepare a group expense for a member to confirm ("split 120 dollars dinner equally between me, ana and ben")`,
  match: ({ text: said }) => {
    const split = SPLIT.exec(said);
    if (split) return { text: said, clause: split[1]! };
    const paid = PAID.exec(said);
    if (paid && /\bsplit\b/i.test(paid[2]!)) return { text: said, payer: paid[1]!, clause: paid[2]! };
    return undefined;
  },
  arguments: expenseArguments,
  reply: (_, __, result) => proposedReply(result),
};

export const groupBalances: Row<object> = {
  kind: 'group_balances',
  tool: 'group_balances',
  onlyWhereOffered: true,
  example: `say who owes what in the group ("who owes what?")`,
  match: ({ text: said }) => (OWES.test(said) ? {} : undefined),
  reply: (_, __, result) => {
    const currency = isObject(result) ? text(result.currency) : '';
    const lines = listIn(result, 'balances').map((b) => {
      const minor = BigInt(/^-?\d+$/.test(text(b.balanceMinor)) ? text(b.balanceMinor) : '0');
      const amount = text(b.balance).replace(/^-/, '');
      return minor > 0n ? `${text(b.username)} is owed ${amount}` : minor < 0n ? `${text(b.username)} owes ${amount}` : `${text(b.username)} is settled up`;
    });
    return lines.length ? `In ${currency}: ${lines.join('; ')}.` : 'Nobody in the group owes anything.';
  },
};

export const settleUp: Row<object> = {
  kind: 'suggest_settlements',
  tool: 'suggest_settlements',
  onlyWhereOffered: true,
  example: `work out how to settle up ("how do we settle up?")`,
  match: ({ text: said }) => (SETTLE.test(said) ? {} : undefined),
  reply: (_, __, result) => {
    const currency = isObject(result) ? text(result.currency) : '';
    const payments = listIn(result, 'payments').map((p) => `${text(p.from)} pays ${text(p.to)} ${text(p.amount)} ${currency}`);
    if (payments.length === 0) return 'Everyone is settled up: nobody needs to pay anyone.';
    return `To settle up: ${payments.join('; ')}. Each payer can use settleUp (through the ledger) or pay in cash and let the payee record it.`;
  },
};

export const GROUP_ROWS: readonly Row[] = [groupExpense, settleUp, groupBalances];
