/** What a user message asks for, by fixed rules: the rule-based assistant's whole "understanding". */
import { findAmount, type AmountMention } from './local.money.js';
import { journalText } from './local.journal.js';
import type { ConversationType, FeedbackStyle } from './provider.js';

export type Period = 'today' | 'yesterday' | 'this_week' | 'last_week' | 'this_month' | 'last_month' | { lastDays: number };

export type Intent =
  | { kind: 'save_journal' }
  | { kind: 'decline_save' }
  | { kind: 'preferences'; update: { preferredFeedbackStyle?: FeedbackStyle; purposeStatement?: string } }
  | { kind: 'balance' }
  | { kind: 'transfer'; amount?: AmountMention; from?: string; to?: string; description?: string }
  | { kind: 'transactions'; limit: number; period?: Period; text?: string; mentioned: string }
  | { kind: 'monthly_summary'; months: number; lastMonth: boolean }
  | { kind: 'card_spending'; period?: Period; category?: string; merchant?: string; mentioned: string }
  | { kind: 'freeze_card'; mentioned: string }
  | { kind: 'journal'; text: string }
  | { kind: 'greeting' }
  | { kind: 'help' }
  | { kind: 'question' }
  | { kind: 'unknown' };

const NEGATION = /\b(?:don'?t|do not|dont|not|no|never|wait|hold off|stop)\b/i;
const SAVE_WORD = /\b(?:save|finali[sz]e|submit)\b/i;
const SAVE_WITH_OBJECT = /\b(?:save|finali[sz]e|submit)\s+(?:it|this|that|(?:the|my)\s+(?:journal|entry|draft|diary)|journal|entry|draft)\b/i;
const SAVE_AT_END = /\b(?:save|finali[sz]e|submit)\b(?:\s+(?:now|please|for me|up|everything))*\s*[.!]*$/i;
const DECLINE_ALONE = /^(?:no+|nope|nah|not yet|wait|hold on|not now|later|maybe later)\b[\s,.!]*(?:not yet|thanks|thank you|please)?[\s.!]*$/i;

const STYLES: Array<[RegExp, FeedbackStyle]> = [
  [/\b(?:direct|blunt|straightforward|straight|frank)\b/i, 'DIRECT'],
  [/\b(?:supportive|gentle|gentler|kind|kinder|softer|compassionate)\b/i, 'SUPPORTIVE'],
  [/\b(?:encouraging|motivating|motivational|upbeat|positive|cheerful)\b/i, 'ENCOURAGING'],
];
const STYLE_CUE = /\b(?:prefer|preference|feedback|style|tone|be more|more|less|want|like|switch|change)\b/i;
const PURPOSE = /^(?:set |update |change )?(?:my )?purpose(?: statement)?(?: is| to|:)\s*(.+)$/i;

const TRANSFER =
  /^(?:(?:please|pls|ok(?:ay)?|now|can you|could you|would you|will you|i want to|i'd like to|i would like to|let's|lets|go ahead and)[,]?\s+)*(?:send|transfer|move|pay|wire|put)\b/i;
const BALANCE =
  /\bhow much (?:money )?(?:do|have) i (?:have|got)\b|\bhow much (?:money )?is (?:in|on) (?:my|the)\b|\bwhat(?:'s| is| are) (?:my )?(?:account )?balances?\b|\b(?:check|show|see|list|tell me)(?: me)?(?: all)? (?:my )?(?:account )?(?:balances?|accounts)\b|^(?:my )?(?:account )?(?:balances?|accounts)\s*\??$|\bbalances?\s*\?/i;
const MONTHLY =
  /\b(?:monthly|per month|by month|each month|month by month|month-by-month)\b|\b(?:spending|money|financial|finance|account|accounts|income)\s+summary\b|\bsummary of (?:my )?(?:spending|money|finances|accounts|income)\b|\bhow much (?:did|have) i (?:spend|spent|earn|earned|make|made|receive|received|get)\b|\bhow much (?:i've|i have) (?:spent|earned)\b/i;
const TRANSACTIONS =
  /\b(?:recent|latest|last \d+)\s+(?:transactions?|payments?|purchases?|entries|activity)\b|\b(?:show|list|see|view|check|any|my)\b.*\b(?:transactions?|payments|purchases|spending)\b|\bwhat did i (?:spend|buy|pay)\b|\bwhere did my money go\b|^(?:transactions?|spending|history)\s*\??$/i;
// A request, not a story: "freeze my card", "please block the groceries card"; not "I froze when my card was declined".
const FREEZE =
  /^(?:(?:please|pls|ok(?:ay)?|now|can you|could you|would you|will you|i want to|i'd like to|i would like to|i need to|help me|go ahead and)[,]?\s+)*(?:freeze|block|lock|pause)\b.*\bcards?\b/i;
const SPEND = /\b(?:spend|spent|spending|pay|paid|paying|cost|costs)\b/i;
const ASKING = /\b(?:how much|what did i|what have i|what's my|what is my|show|list|tell me|total)\b|\?\s*$/i;
const SPENT_AT = /\b(?:at|on)\s+([A-Z][\w'&.-]*(?:\s+[A-Z][\w'&.-]*){0,3})/;
const NOT_A_MERCHANT =
  /^(?:I|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December)\b/;
/** Words a user says for a spending category (SpendingCategory values), first match wins. */
const CATEGORY_PATTERNS: Array<[RegExp, string]> = [
  [/\b(?:dining|dine|restaurants?|eating out|eat out|takeaways?|take-?out|bars?|cafes?|coffee shops?|fast food)\b/i, 'DINING'],
  [/\b(?:groceries|grocery|supermarkets?|food shopping)\b/i, 'GROCERIES'],
  [/\b(?:transport|transportation|transit|commut\w*|taxis?|cabs?|fuel|petrol|gas stations?|parking|trains?|bus(?:es)?)\b/i, 'TRANSPORT'],
  [/\b(?:subscriptions?|streaming)\b/i, 'SUBSCRIPTIONS'],
  [/\b(?:housing|rent)\b/i, 'HOUSING'],
  [/\b(?:utilities|utility|electricity|power bill|water bill|phone bill|internet)\b/i, 'UTILITIES'],
  [/\b(?:health|healthcare|medical|pharmacy|pharmacies|doctors?|dentists?|medicine)\b/i, 'HEALTH'],
  [/\b(?:shopping|clothes|clothing|electronics)\b/i, 'SHOPPING'],
  [/\b(?:entertainment|movies|cinema|concerts?|games)\b/i, 'ENTERTAINMENT'],
  [/\b(?:travel|flights?|hotels?|airlines?|holidays?|vacations?)\b/i, 'TRAVEL'],
  [/\b(?:education|school|tuition|courses?)\b/i, 'EDUCATION'],
  [/\b(?:cash withdrawals?|atms?)\b/i, 'CASH'],
  [/\b(?:fees|insurance)\b/i, 'FEES'],
];

const GREETING = /^(?:hi|hello|hey|hiya|yo|good (?:morning|afternoon|evening)|greetings)\b[\s!.,]*(?:there)?[\s!.]*$/i;
const HELP = /^(?:help\b|commands\b)|\b(?:what can you (?:do|help with)|who are you|what are you|how does this work|what do you do)\b/i;
const JOURNAL_COMMAND = /\b(?:journal|diary)\b/i;

export function detectIntent(message: string, conversationType: ConversationType): Intent {
  const text = message.trim();
  const journaling = conversationType === 'JOURNALING';

  if (isSaveCommand(text)) {
    const before = text.slice(0, text.search(SAVE_WORD));
    return NEGATION.test(before) || /\byet\b/i.test(text) ? { kind: 'decline_save' } : { kind: 'save_journal' };
  }
  if (journaling && DECLINE_ALONE.test(text)) return { kind: 'decline_save' };

  const preferences = preferenceUpdate(text);
  if (preferences) return { kind: 'preferences', update: preferences };

  if (FREEZE.test(text)) return { kind: 'freeze_card', mentioned: text };

  if (TRANSFER.test(text)) {
    const transfer = transferIntent(text);
    if (transfer) return transfer;
  }
  if (BALANCE.test(text)) return { kind: 'balance' };
  const spending = cardSpendingIntent(text);
  if (spending) return spending;
  if (MONTHLY.test(text)) {
    const months = /\b(\d{1,2})\s+months?\b/i.exec(text);
    return {
      kind: 'monthly_summary',
      months: months ? Math.min(24, Math.max(1, Number(months[1]))) : 3,
      lastMonth: /\blast month\b/i.test(text),
    };
  }
  if (TRANSACTIONS.test(text)) return transactionsIntent(text);

  if (GREETING.test(text)) return { kind: 'greeting' };
  if (HELP.test(text) && text.length < 80) return { kind: 'help' };

  if (journaling || JOURNAL_COMMAND.test(text)) {
    if (journaling && /\?\s*$/.test(text) && !JOURNAL_COMMAND.test(text)) return { kind: 'question' };
    return { kind: 'journal', text: journalText(text) };
  }
  return /\?\s*$/.test(text) ? { kind: 'question' } : { kind: 'unknown' };
}

/** "save it", "save the journal", "that's all, save"; not "I need to save" or "I did not save enough". */
function isSaveCommand(text: string): boolean {
  if (SAVE_WITH_OBJECT.test(text)) return true;
  if (!SAVE_AT_END.test(text)) return false;
  const before = text.slice(0, text.search(SAVE_WORD)).trim();
  const words = before === '' ? 0 : before.split(/\s+/).length;
  return words <= 2 || /[,.!;:]$|\b(?:and|then|now|please|so|ok(?:ay)?|just)$/i.test(before);
}

function preferenceUpdate(text: string): { preferredFeedbackStyle?: FeedbackStyle; purposeStatement?: string } | undefined {
  const purpose = PURPOSE.exec(text);
  if (purpose?.[1]?.trim()) return { purposeStatement: purpose[1].trim().replace(/[.!]+$/, '') };
  if (!STYLE_CUE.test(text) || !/\b(?:feedback|style|tone|prefer|be more|be less)\b/i.test(text)) return undefined;
  const negated = /\b(?:not|less|don'?t|no)\b/i;
  for (const [pattern, style] of STYLES) {
    const hit = pattern.exec(text);
    // "less blunt" asks for the opposite, which we cannot infer well: skip negated mentions.
    if (hit && !negated.test(text.slice(Math.max(0, hit.index - 12), hit.index))) return { preferredFeedbackStyle: style };
  }
  return undefined;
}

const TRAILING = /\s+(?:please|pls|now|today|thanks|thank you|right now|asap)\s*$/i;
const STOP = String.raw`(?=\s+(?:to|into|from|for|because|as|with|on|please|now|today)\b|[.!?,;]|$)`;

/** "send 50 dollars from checking to savings for rent" → amount, from, to, description. */
export function transferIntent(text: string): Extract<Intent, { kind: 'transfer' }> | undefined {
  const verb = /\b(?:send|transfer|move|pay|wire|put)\b/i.exec(text);
  if (!verb) return undefined;
  let rest = text.slice(verb.index + verb[0].length);
  const amount = findAmount(rest);
  if (amount) rest = rest.replace(amount.text, ' ');
  rest = rest.replace(/\b(?:money|funds|cash)\b/gi, ' ');
  while (TRAILING.test(rest)) rest = rest.replace(TRAILING, '');
  const name = (word: string) => new RegExp(String.raw`\b${word}\s+(?:(?:my|the)\s+)?(.+?)${STOP}`, 'i').exec(rest)?.[1]?.trim();
  const from = name('from');
  const to = name('(?:to|into)');
  const description = /\b(?:for|because of|as)\s+(.+?)[.!?]*$/i.exec(rest)?.[1]?.trim();
  if (!amount && !from && !to) return undefined;
  return {
    kind: 'transfer',
    ...(amount ? { amount } : {}),
    ...(from ? { from: stripAccount(from) } : {}),
    ...(to ? { to: stripAccount(to) } : {}),
    ...(description ? { description } : {}),
  };
}

function stripAccount(name: string): string {
  return name.replace(/\s+(?:account|acct)$/i, '').trim();
}

/** "what did I spend on dining last month?", "card spending this month", "how much did I pay at Blue Bottle?". */
function cardSpendingIntent(text: string): Extract<Intent, { kind: 'card_spending' }> | undefined {
  if (!SPEND.test(text) || !ASKING.test(text)) return undefined;
  const category = CATEGORY_PATTERNS.find(([pattern]) => pattern.test(text))?.[1];
  const named = category ? undefined : SPENT_AT.exec(text)?.[1];
  const merchant = named && !NOT_A_MERCHANT.test(named) ? named : undefined;
  if (!category && !merchant && !/\bcards?\b/i.test(text)) return undefined;
  const period = periodOf(text);
  return {
    kind: 'card_spending',
    ...(period ? { period } : {}),
    ...(category ? { category } : {}),
    ...(merchant ? { merchant } : {}),
    mentioned: text,
  };
}

export function transactionsIntent(text: string): Extract<Intent, { kind: 'transactions' }> {
  const count = /\b(?:last|recent|latest)\s+(\d{1,3})\b|\b(\d{1,3})\s+(?:recent|latest|last)?\s*(?:transactions|payments|purchases)\b/i.exec(text);
  const limit = count ? Math.min(50, Math.max(1, Number(count[1] ?? count[2]))) : 10;
  const subject =
    /\b(?:on|for|at)\s+(?!(?:my|the|last|this|that|it)\b)([a-z][\w'&-]*(?:\s+[a-z][\w'&-]*){0,2}?)(?=\s+(?:last|this|in|since|during|today|yesterday|from)\b|\s*[?.!]|\s*$)/i.exec(
      text,
    );
  const period = periodOf(text);
  return {
    kind: 'transactions',
    limit,
    ...(period ? { period } : {}),
    ...(subject?.[1] && !/^(?:average|total)$/i.test(subject[1]) ? { text: subject[1] } : {}),
    mentioned: text,
  };
}

export function periodOf(text: string): Period | undefined {
  if (/\btoday\b/i.test(text)) return 'today';
  if (/\byesterday\b/i.test(text)) return 'yesterday';
  if (/\bthis week\b/i.test(text)) return 'this_week';
  if (/\blast week\b/i.test(text)) return 'last_week';
  if (/\bthis month\b/i.test(text)) return 'this_month';
  if (/\blast month\b/i.test(text)) return 'last_month';
  const days = /\b(?:last|past)\s+(\d{1,3})\s+days?\b/i.exec(text);
  return days ? { lastDays: Math.min(366, Math.max(1, Number(days[1]))) } : undefined;
}

/** UTC bounds of a period as ISO date-times: `from` inclusive, `to` exclusive. */
export function periodRange(period: Period, now: Date): { from: string; to: string } {
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const DAY = 86_400_000;
  const weekStart = day - ((now.getUTCDay() + 6) % 7) * DAY;
  const monthStart = (offset: number) => Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1);
  const range = (from: number, to: number) => ({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });
  if (typeof period === 'object') return range(day - (period.lastDays - 1) * DAY, day + DAY);
  switch (period) {
    case 'today':
      return range(day, day + DAY);
    case 'yesterday':
      return range(day - DAY, day);
    case 'this_week':
      return range(weekStart, day + DAY);
    case 'last_week':
      return range(weekStart - 7 * DAY, weekStart);
    case 'this_month':
      return range(monthStart(0), day + DAY);
    case 'last_month':
      return range(monthStart(-1), monthStart(0));
  }
}
