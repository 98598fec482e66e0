/** The rule-based assistant's answers, written from tool results and the context. */
import { TOOL_LABELS, isToolName } from '../tools/tool-labels.js';
import { categoryWords } from './local.categories.js';
import { soundsDifficult, topicOf } from './local.journal.js';
import { balanceMinorOf, formatMinor, type AccountRef } from './local.money.js';
import { monthName } from './local.period.js';
import { isObject, list, money, str, text, type Json } from './local.results.js';
import type { AgentContext, FeedbackStyle } from './provider.js';

export interface ToolFailure {
  code: string;
  message: string;
}

/** `{ error: { code, message } }` as tools report failures; anything else is a success. */
export function failureOf(result: unknown): ToolFailure | undefined {
  if (!isObject(result) || !('error' in result)) return undefined;
  const error = result.error;
  if (isObject(error)) return { code: str(error.code) ?? 'ERROR', message: str(error.message) ?? 'the tool failed' };
  return { code: 'ERROR', message: str(error) ?? 'the tool failed' };
}

export function listOf(items: string[]): string {
  const quoted = items.map((i) => `"${i}"`);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
}

// ---------- journaling ----------

export function journalAdded(written: Array<{ name: string; content: string }>, result: unknown, context: AgentContext): string {
  const style = context.preferences.preferredFeedbackStyle;
  const names = written.map((s) => s.name);
  const text = written.map((s) => s.content).join(' ');
  const empty = emptySectionsOf(result) ?? context.emptySections.filter((name) => !names.includes(name));
  const opener =
    style === 'DIRECT'
      ? ''
      : soundsDifficult(text)
        ? style === 'SUPPORTIVE'
          ? "I'm sorry you're going through this. Thank you for sharing it. "
          : 'That sounds hard, and writing it down is a good step. '
        : style === 'SUPPORTIVE'
          ? 'Thank you for sharing that. '
          : 'Great, that is a good start. ';
  const added = style === 'DIRECT' ? `Added to ${listOf(names)}.` : `I've added it to ${listOf(names)} in your journal draft.`;

  const wroteFeelings = written.some((s) => topicOf(s.content) === 'feelings');
  const eventsSection = empty.find((name) => /event|happen|today|activit/i.test(name));
  let ask: string;
  if (wroteFeelings && eventsSection) ask = `What happened today that made you feel this way? I can add it to "${eventsSection}".`;
  else if (empty.length > 0) ask = `Is there anything you'd like to add to ${listOf(empty)}?`;
  else ask = 'Is there anything else you would like to add?';
  return `${opener}${added} ${ask} When you are done, say "save the journal" and I will save the entry.`;
}

export function journalNeedsText(context: AgentContext): string {
  const sections = context.templateSections.map((s) => s.name);
  const where = sections.length > 0 ? ` I will sort it into your template's sections: ${listOf(sections)}.` : '';
  return `Sure. What would you like to write about? Tell me how you feel or what happened, in your own words.${where}`;
}

export function noTemplate(): string {
  return 'Your active journal template has no sections, so there is nowhere to put this yet. Add sections to your template and try again.';
}

export function journalSaved(result: unknown): string {
  const title = isObject(result) ? str(result.title) : undefined;
  const named = title ? ` as "${title}"` : '';
  return `Done: I saved your journal entry${named}. Your draft is empty again, ready for the next one.`;
}

export function saveDeclined(context: AgentContext): string {
  const has = context.draftSections.some((s) => s.content.trim() !== '');
  const tail = has ? ' Your draft stays as it is.' : '';
  return `Okay, I won't save it yet.${tail} Add anything else you'd like, and say "save the journal" when you are ready.`;
}

function emptySectionsOf(result: unknown): string[] | undefined {
  const source = isObject(result) && isObject(result.draft) && !Array.isArray(result.emptySections) ? result.draft : result;
  if (!isObject(source) || !Array.isArray(source.emptySections)) return undefined;
  return source.emptySections.filter((s): s is string => typeof s === 'string');
}

// ---------- preferences ----------

const STYLE_WORDS: Record<FeedbackStyle, string> = { DIRECT: 'direct', SUPPORTIVE: 'supportive', ENCOURAGING: 'encouraging' };

export function preferencesUpdated(update: { preferredFeedbackStyle?: FeedbackStyle; purposeStatement?: string }): string {
  if (update.preferredFeedbackStyle) {
    return `Got it. I've updated your preferences: my feedback will be ${STYLE_WORDS[update.preferredFeedbackStyle]} from now on.`;
  }
  return `Got it. I've saved your purpose statement: "${update.purposeStatement ?? ''}".`;
}

// ---------- money ----------

export function accountsOf(result: unknown): AccountRef[] | undefined {
  if (!isObject(result) || !Array.isArray(result.accounts)) return undefined;
  return result.accounts.filter(isObject).flatMap((a): AccountRef[] => {
    const id = str(a.id);
    const name = str(a.name);
    const currency = str(a.currency);
    if (!id || !name || !currency) return [];
    const balanceMinor = typeof a.balanceMinor === 'string' || typeof a.balanceMinor === 'number' ? a.balanceMinor : undefined;
    return [
      {
        id,
        name,
        currency,
        ...(str(a.number) ? { number: str(a.number)! } : {}),
        ...(typeof a.balance === 'string' ? { balance: a.balance } : {}),
        ...(balanceMinor !== undefined ? { balanceMinor } : {}),
      },
    ];
  });
}

export function balances(accounts: AccountRef[]): string {
  if (accounts.length === 0) return "You don't have any accounts yet, so there is no balance to show.";
  const lines = accounts.map((a) => {
    const minor = balanceMinorOf(a);
    const amount = minor === undefined ? (a.balance ?? 'unknown') : formatMinor(minor, a.currency);
    return `- ${a.name}: ${amount} ${a.currency}`;
  });
  const totals = new Map<string, bigint>();
  for (const a of accounts) {
    const minor = balanceMinorOf(a);
    if (minor !== undefined) totals.set(a.currency, (totals.get(a.currency) ?? 0n) + minor);
  }
  const totalLines = [...totals].map(([currency, minor]) => `Total in ${currency}: ${formatMinor(minor, currency)} ${currency}`);
  const intro = accounts.length === 1 ? 'Here is your account:' : `Here are your ${accounts.length} accounts:`;
  return `${intro}\n${lines.join('\n')}\n${totalLines.join('\n')}`;
}

export function transferProposed(result: unknown, fallback: { amount: string; currency: string; from: string; to: string; available?: string }): string {
  const r = isObject(result) ? result : {};
  const currency = str(r.currency) ?? fallback.currency;
  const amount = amountText(r.amount, currency) ?? fallback.amount;
  const from = accountLabel(r.from) ?? fallback.from;
  const to = accountLabel(r.to) ?? fallback.to;
  const expires = str(r.expiresAt);
  const until = expires && !Number.isNaN(Date.parse(expires)) ? ` until ${new Date(expires).toISOString().slice(0, 16).replace('T', ' ')} UTC` : '';
  return (
    `I've prepared a transfer of ${amount} ${currency} from ${from} to ${to}. ` +
    `It is waiting for your confirmation${until}: confirm it to send the money. Nothing moves until you do.` +
    (fallback.available
      ? ` Heads up: ${from} holds only ${fallback.available}, less than this transfer, so confirming will fail unless more money arrives there first.`
      : '')
  );
}

function amountText(value: unknown, currency: string): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (isObject(value)) {
    if (typeof value.decimal === 'string') return value.decimal;
    if (typeof value.minor === 'string' && /^-?\d+$/.test(value.minor)) return formatMinor(BigInt(value.minor), currency);
  }
  return undefined;
}

function accountLabel(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (isObject(value)) return str(value.name) ?? str(value.accountName) ?? str(value.number);
  return undefined;
}

export function askWhichAccount(role: 'from' | 'to', named: string | undefined, accounts: AccountRef[], candidates?: AccountRef[]): string {
  const options = listOf((candidates ?? accounts).map((a) => `${a.name} (${a.currency})`));
  const which = role === 'from' ? 'send the money from' : 'send the money to';
  if (named && candidates) return `More than one account matches "${named}": ${options}. Which one should I ${which}?`;
  if (named) return `I couldn't find an account called "${named}". Which account should I ${which}? Your accounts are ${options}.`;
  return `Which account should I ${which}? Your accounts are ${options}.`;
}

export function transactions(result: unknown, filter: { text?: string }): string {
  const entries = isObject(result) && Array.isArray(result.entries) ? result.entries.filter(isObject) : [];
  const matching = filter.text ? ` matching "${filter.text}"` : '';
  if (entries.length === 0) return `I found no transactions${matching}.`;
  const lines = entries.map((e) => {
    const currency = str(e.currency) ?? '';
    const amount = amountText(e.amount, currency) ?? '?';
    // DEBIT takes money out of the account, CREDIT brings it in.
    const sign = e.direction === 'DEBIT' ? '-' : '+';
    const date = str(e.postedAt)?.slice(0, 10) ?? '';
    const account = str(e.accountName);
    const description = str(e.description);
    return `- ${date}${account ? `, ${account}` : ''}: ${sign}${amount} ${currency}${description ? ` (${description})` : ''}`;
  });
  const intro =
    entries.length === 1 ? `Here is your most recent transaction${matching}:` : `Here are your ${entries.length} most recent transactions${matching}:`;
  return `${intro}\n${lines.join('\n')}`;
}

/**
 * Names what it counts: "In October 2026 you spent 525.00 USD from Checking, mostly on
 * dining with your cards (…), and received 3200.00 USD into Checking." Accounts with
 * nothing moved are left out.
 */
export function monthlySummary(result: unknown, focusMonth: string | undefined, mainCategory?: { category: string; spent: string }): string {
  const months = isObject(result) && Array.isArray(result.months) ? result.months.filter(isObject) : [];
  if (months.length === 0) return 'There is no activity in your accounts for those months yet.';
  const line = (m: Json) => {
    const currency = str(m.currency) ?? '';
    const account = str(m.accountName) ? ` ${str(m.accountName)}` : '';
    return `- ${str(m.month) ?? '?'}${account}: ${amountText(m.credits, currency) ?? '0'} ${currency} in, ${amountText(m.debits, currency) ?? '0'} ${currency} out`;
  };
  const focused = focusMonth ? months.filter((m) => m.month === focusMonth) : [];
  const moved = (m: Json, key: 'debits' | 'credits') => {
    const currency = str(m.currency) ?? '';
    const amount = amountText(m[key], currency) ?? '0';
    return /^[0.]+$/.test(amount) ? undefined : `${amount} ${currency} ${key === 'debits' ? 'from' : 'into'} ${str(m.accountName) ?? 'an account'}`;
  };
  const spent = focused.flatMap((m) => moved(m, 'debits') ?? []);
  const received = focused.flatMap((m) => moved(m, 'credits') ?? []);
  const mostly = mainCategory && spent.length ? `, mostly on ${mainCategory.category} with your cards (${mainCategory.spent})` : '';
  // A question about one month gets a sentence about it, not the table of every month.
  if (focused.length > 0) {
    return `In ${monthName(focusMonth!)} you spent ${spent.length ? joinAnd(spent) : 'nothing'}${mostly}, and received ${received.length ? joinAnd(received) : 'nothing'}.`;
  }
  const lead = focusMonth ? `There is no activity in ${monthName(focusMonth)}.\n` : '';
  return `${lead}Here is your monthly summary (money in and out of each account):\n${months.map(line).join('\n')}`;
}

function joinAnd(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

// ---------- cards ----------

export interface CardRef {
  id: string;
  label: string | null;
  last4: string;
  kind: string;
  status: string;
  accountName: string | null;
}

export function cardsOf(result: unknown): CardRef[] | undefined {
  if (!isObject(result) || !Array.isArray(result.cards)) return undefined;
  return result.cards.filter(isObject).flatMap((c): CardRef[] => {
    const id = str(c.id);
    const last4 = str(c.last4);
    if (!id || !last4) return [];
    return [
      { id, last4, label: str(c.label) ?? null, kind: str(c.kind) ?? 'card', status: str(c.status) ?? 'UNKNOWN', accountName: str(c.accountName) ?? null },
    ];
  });
}

function cardName(card: CardRef): string {
  const label = card.label ? ` "${card.label}"` : '';
  const account = card.accountName ? ` on ${card.accountName}` : '';
  return `your ${card.kind.toLowerCase()} card${label} ending ${card.last4}${account}`;
}

/** The agent never freezes a card: it names the one meant and the user confirms with freezeCard. */
export function freezeProposal(cards: CardRef[], mentioned: string): string {
  const open = cards.filter((c) => c.status !== 'CANCELLED');
  if (open.length === 0) return "You don't have a card that could be frozen (no active cards).";
  const words = mentioned.toLowerCase();
  const named = open.filter(
    (c) =>
      words.includes(c.last4) ||
      (c.label !== null && words.includes(c.label.toLowerCase())) ||
      (c.accountName !== null && hasWord(words, c.accountName.toLowerCase())),
  );
  const candidates = named.length > 0 ? named : open;
  if (candidates.length > 1) {
    const lines = candidates.map((c) => `- ${cardName(c)} (${c.status.toLowerCase()}), id ${c.id}`);
    return `You have ${candidates.length} cards:\n${lines.join('\n')}\nWhich one should be frozen? Tell me its last four digits or its label.`;
  }
  const card = candidates[0]!;
  if (card.status === 'FROZEN') return `${capitalize(cardName(card))} is already frozen: its payments are declined until you unfreeze it with unfreezeCard.`;
  return (
    `I can't freeze a card myself, but here is the one to freeze: ${cardName(card)} (id ${card.id}), now ${card.status.toLowerCase()}. ` +
    `To freeze it, confirm with freezeCard (id ${card.id}) in your app. While it is frozen every payment on it is declined; unfreezeCard turns it back on.`
  );
}

/** "Last month (2026-10) you spent 86.40 USD on dining in 5 card payments. The most at …". */
export function cardSpending(result: unknown, asked: { category?: string; merchant?: string; when: string }): string {
  const r = isObject(result) ? result : {};
  const totals = Array.isArray(r.totals) ? r.totals.filter(isObject) : [];
  const groups = Array.isArray(r.groups) ? r.groups.filter(isObject) : [];
  const declined = typeof r.declined === 'number' ? r.declined : 0;
  const what = asked.category ? ` on ${categoryWords(asked.category)}` : asked.merchant ? ` at ${asked.merchant}` : ' with your cards';
  const declinedNote =
    declined === 1
      ? ' (1 declined payment moved no money and is not counted.)'
      : declined > 1
        ? ` (${declined} declined payments moved no money and are not counted.)`
        : '';
  if (totals.length === 0) return `You had no approved card payments${what} ${asked.when}.${declinedNote}`;
  const amounts = totals.map((t) => `${str(t.spent) ?? '0'} ${str(t.currency) ?? ''}`).join(' and ');
  const count = totals.reduce((n, t) => n + (typeof t.payments === 'number' ? t.payments : 0), 0);
  const lead = `${capitalize(asked.when)} you spent ${amounts}${what} in ${count} card ${count === 1 ? 'payment' : 'payments'}.`;
  const key = asked.category || asked.merchant ? 'merchant' : 'category';
  const top = groups.slice(0, 5).map((g) => {
    const name = key === 'category' ? categoryWords(str(g.category) ?? 'OTHER') : (str(g.merchant) ?? '?');
    return `- ${name}: ${str(g.spent) ?? '0'} ${str(g.currency) ?? ''} (${typeof g.payments === 'number' ? g.payments : 0})`;
  });
  const breakdown = top.length > 1 || key === 'category' ? `\nBy ${key}:\n${top.join('\n')}` : '';
  return `${lead}${breakdown}${declinedNote}`;
}

function hasWord(text: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`\\b${escaped}\\b`).test(text);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---------- failures and the rest ----------

/** "read your accounts": what the assistant names when it could not use the tool. */
function taskOf(tool: string): string {
  return isToolName(tool) ? TOOL_LABELS[tool].task : `use ${tool}`;
}

export function toolFailed(tool: string, failure: ToolFailure): string {
  if (failure.code === 'DRAFT_EMPTY') {
    return "There is nothing in your journal draft to save yet. Tell me what's on your mind first, and I'll add it to your draft.";
  }
  const doing = taskOf(tool);
  const message = failure.message.replace(/\s+$/, '');
  const hint =
    failure.code === 'INSUFFICIENT_FUNDS'
      ? ' Try a smaller amount or another account.'
      : failure.code === 'CURRENCY_MISMATCH'
        ? ' Both accounts and the amount must be in the same currency.'
        : '';
  return `I couldn't ${doing}: ${message}${/[.!?]$/.test(message) ? '' : '.'}${hint}`;
}

export const OFFLINE = "I'm the offline rule-based assistant (no language model is configured), so I only understand a fixed set of requests.";

export function fallback(capabilities: string): string {
  return `${OFFLINE} ${capabilities}`;
}

export function greeting(capabilities: string, context: AgentContext): string {
  const name = context.conversationType === 'JOURNALING' ? ' What is on your mind today?' : '';
  return `Hello! ${OFFLINE} ${capabilities}${name}`;
}

export function journalQuestion(context: AgentContext): string {
  const empty = context.emptySections.length > 0 ? ` You could write about ${listOf(context.emptySections)}.` : '';
  return `${OFFLINE} I can't answer open questions, but everything you tell me goes into your journal draft.${empty}`;
}

export function toolUnavailable(tool: string): string {
  return `I can't ${taskOf(tool)} in this conversation: that tool is not available here.`;
}

/** The category that took the most of the month's card spending, from spending_insights. */
export function topCategory(insights: unknown): { category: string; spent: string } | undefined {
  const top = list(isObject(insights) ? insights.byCategory : undefined)[0];
  return top ? { category: categoryWords(text(top.category)), spent: money(top.spent) } : undefined;
}
