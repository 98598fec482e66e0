/** The offline assistant's whole "understanding": one ordered table of intents, the first row that reads the words wins. */
import { CONVERSATION_TOOLS } from '../tools/conversation-tools.js';
import { BUDGET_ROWS } from './local.budget.js';
import { cardSpending, cardSpendingAsTransactions, freezeCard } from './local.cards.rows.js';
import { FEED_ROWS } from './local.feed.rows.js';
import { GROUP_ROWS } from './local.groups.rows.js';
import { declineSave, journal, preferences, saveJournal } from './local.journal.rows.js';
import { pick } from './local.loop.js';
import { balance, monthlySummary, transactions } from './local.money.rows.js';
import { PLANNING_ROWS } from './local.planning.js';
import { hear, type Row } from './local.row.js';
import { greeting, help, question, unknown } from './local.talk.rows.js';
import { transfer } from './local.transfer.js';
import type { ConversationType } from './provider.js';

/*
 * Order is meaning: planning words first ("put 100 dollars toward my vacation goal" is not a
 * transfer), then the budget's, then the feed's (every source: cash said, a merchant, a month's
 * spending; their tools are never offered while journaling), then saving the journal before anything else a journaling
 * message might say, a spending question as card spending before it is a monthly summary,
 * and journal text, open questions and the rest last. `unknown` reads everything.
 */
export const INTENTS: readonly Row[] = [
  // Only in a group's conversation (only there are their tools offered).
  ...GROUP_ROWS,
  ...PLANNING_ROWS,
  ...BUDGET_ROWS,
  ...FEED_ROWS,
  saveJournal,
  declineSave,
  preferences,
  freezeCard,
  transfer,
  balance,
  cardSpending,
  cardSpendingAsTransactions,
  monthlySummary,
  transactions,
  greeting,
  help,
  journal,
  question,
  unknown,
];

/** What a message asks for in a conversation of this type, with the details its row read. */
export function detectIntent(message: string, conversationType: ConversationType): { kind: string } & Record<string, unknown> {
  const found = pick(INTENTS, hear(message, conversationType), new Set(CONVERSATION_TOOLS[conversationType]));
  return { kind: found!.row.kind, ...(found!.data as object) };
}
