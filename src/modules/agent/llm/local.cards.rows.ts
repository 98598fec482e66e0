/** The card rows: spending by category or merchant, and which card to freeze (the user freezes it). */
import { categoryIn } from './local.categories.js';
import { transactions, transactionsAsked } from './local.money.rows.js';
import { periodOf, periodRange, periodWords, type Period } from './local.period.js';
import * as reply from './local.replies.js';
import type { Row } from './local.row.js';

// A request, not a story: "freeze my card", "please block the groceries card"; not "I froze when my card was declined".
const FREEZE =
  /^(?:(?:please|pls|ok(?:ay)?|now|can you|could you|would you|will you|i want to|i'd like to|i would like to|i need to|help me|go ahead and)[,]?\s+)*(?:freeze|block|lock|pause)\b.*\bcards?\b/i;
const SPEND = /\b(?:spend|spent|spending|pay|paid|paying|cost|costs)\b/i;
const ASKING = /\b(?:how much|what did i|what have i|what's my|what is my|show|list|tell me|total)\b|\?\s*$/i;
const SPENT_AT = /\b(?:at|on)\s+([A-Z][\w'&.-]*(?:\s+[A-Z][\w'&.-]*){0,3})/;
const NOT_A_MERCHANT =
  /^(?:I|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December)\b/;

interface SpendingAsked {
  period?: Period;
  category?: string;
  merchant?: string;
  mentioned: string;
}

/** "what did I spend on dining last month?", "card spending this month", "how much did I pay at Blue Bottle?". */
function spendingAsked(text: string): SpendingAsked | undefined {
  if (!SPEND.test(text) || !ASKING.test(text)) return undefined;
  const category = categoryIn(text);
  const named = category ? undefined : SPENT_AT.exec(text)?.[1];
  const merchant = named && !NOT_A_MERCHANT.test(named) ? named : undefined;
  if (!category && !merchant && !/\bcards?\b/i.test(text)) return undefined;
  const period = periodOf(text);
  return { ...(period ? { period } : {}), ...(category ? { category } : {}), ...(merchant ? { merchant } : {}), mentioned: text };
}

export const freezeCard: Row<{ mentioned: string }> = {
  kind: 'freeze_card',
  tool: 'list_cards',
  example: `find the card to freeze for you to confirm ("freeze my card")`,
  match: ({ text }) => (FREEZE.test(text) ? { mentioned: text } : undefined),
  reply: ({ mentioned }, __, listed) => reply.freezeProposal(reply.cardsOf(listed) ?? [], mentioned),
};

export const cardSpending: Row<SpendingAsked> = {
  kind: 'card_spending',
  tool: 'card_spending',
  onlyWhereOffered: true,
  example: `add up your card spending by category or merchant ("what did I spend on dining last month?")`,
  match: ({ text }) => spendingAsked(text),
  arguments: (asked, { now }) => ({
    groupBy: asked.category || asked.merchant ? 'merchant' : 'category',
    ...(asked.period ? periodRange(asked.period, now) : {}),
    ...(asked.category ? { category: asked.category } : {}),
    ...(asked.merchant ? { merchant: asked.merchant } : {}),
  }),
  reply: (asked, { now }, read) => reply.cardSpending(read, { category: asked.category, merchant: asked.merchant, when: periodWords(asked.period, now) }),
};

/** Where card spending is not offered, a question about it is a question about transactions. */
export const cardSpendingAsTransactions: Row<ReturnType<typeof transactionsAsked>> = {
  ...transactions,
  example: undefined,
  match: ({ text }) => (spendingAsked(text) ? transactionsAsked(text) : undefined),
};
