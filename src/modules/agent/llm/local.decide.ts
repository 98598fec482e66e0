/** The rule-based assistant's next move, from the whole conversation: call a tool or answer. */
import { detectIntent, periodRange, transactionsIntent, type Intent, type Period } from './local.intents.js';
import { planBudget } from './local.budget.js';
import { chooseSections } from './local.journal.js';
import { balanceMinorOf, formatMinor, isDollarCurrency, matchAccount, toMinorUnits, type AccountRef } from './local.money.js';
import type { Action, Exchange } from './local.action.js';
import { planningMove } from './local.planning.js';
import * as reply from './local.replies.js';
import type { AgentContext, ChatMessage, ProviderRequest } from './provider.js';

export type { Action, Exchange } from './local.action.js';

/** More tool calls than any rule needs means something is off: answer instead of looping. */
const MAX_CALLS_PER_MESSAGE = 4;

export function decide(request: ProviderRequest, now: Date): Action {
  const { messages, context } = request;
  const tools = new Set(request.tools.map((t) => t.name));
  const lastUserIndex = messages.findLastIndex((m) => m.role === 'user');
  if (lastUserIndex === -1) return answer(reply.fallback(tools, context), 'No user message: introduce myself.');
  const userText = (messages[lastUserIndex] as { content: string }).content;
  const done = exchangesAfter(messages, lastUserIndex);
  const intent = detectIntent(userText, context.conversationType);

  const last = done.at(-1);
  const failure = last && reply.failureOf(last.result);
  if (last && failure) {
    return answer(reply.toolFailed(last.name, failure), `Rule: ${last.name} reported ${failure.code}, so explain it instead of retrying.`);
  }
  if (done.length >= MAX_CALLS_PER_MESSAGE) {
    return answer(`${reply.OFFLINE} I could not finish this request; please rephrase it.`, 'Rule: too many tool calls for one message.');
  }

  const state = { done, context, tools, now, messages };
  const action = planningMove(userText, state, callIfOffered(tools)) ?? planBudget(userText, intent.kind, state) ?? plan(intent, state);
  // Never repeat a call already made for this message: its result is what it is.
  if (action.type === 'call' && done.some((e) => e.name === action.name && stable(e.args) === stable(action.args))) {
    return answer(`${reply.OFFLINE} I already tried that and could not get further; please rephrase your request.`, 'Rule: refuse to repeat a call.');
  }
  return action;
}

interface State {
  done: Exchange[];
  context: AgentContext;
  tools: Set<string>;
  now: Date;
  messages: ChatMessage[];
}

function callIfOffered(tools: Set<string>) {
  return (name: string, args: Record<string, unknown>, why: string): Action =>
    tools.has(name) ? { type: 'call', name, args, reasoning: why } : answer(reply.toolUnavailable(name), `Rule: ${name} is not offered here.`);
}

function plan(intent: Intent, state: State): Action {
  const { done, context, tools } = state;
  const result = (name: string) => done.findLast((e) => e.name === name);
  const call = callIfOffered(tools);

  switch (intent.kind) {
    case 'journal': {
      const made = result('structure_journal');
      if (made) {
        const written = sectionsOf(made.args) ?? chooseSections(intent.text, context.templateSections);
        return answer(reply.journalAdded(written, made.result, context), 'Rule: the draft was updated; acknowledge and ask for more.');
      }
      if (intent.text === '') return answer(reply.journalNeedsText(context), 'Rule: a journal request without content; ask for it.');
      if (context.templateSections.length === 0) return answer(reply.noTemplate(), 'Rule: no template sections to write into.');
      const sections = chooseSections(intent.text, context.templateSections);
      const where = sections.map((s) => s.name).join(', ');
      return call('structure_journal', { sections }, `Rule: journal content; keywords place it in ${where}.`);
    }
    case 'save_journal': {
      const saved = result('save_journal');
      if (saved) return answer(reply.journalSaved(saved.result), 'Rule: the entry was saved; name its title.');
      return call('save_journal', {}, 'Rule: the user asked to save the journal.');
    }
    case 'decline_save':
      return answer(reply.saveDeclined(context), 'Rule: the user does not want to save yet; no tool.');
    case 'preferences': {
      if (result('update_preferences')) return answer(reply.preferencesUpdated(intent.update), 'Rule: preferences updated; confirm.');
      return call('update_preferences', { ...intent.update }, 'Rule: the user stated a preference.');
    }
    case 'balance': {
      const listed = result('list_accounts');
      if (listed) return answer(reply.balances(reply.accountsOf(listed.result) ?? []), 'Rule: list each balance and the totals.');
      return call('list_accounts', {}, 'Rule: a balance question needs the accounts.');
    }
    case 'transfer':
      return planTransfer(intent, state, call);
    case 'transactions': {
      const read = result('recent_transactions');
      if (read) return answer(reply.transactions(read.result, intent), 'Rule: summarise the transactions found.');
      const args: Record<string, unknown> = { limit: intent.limit };
      const account = knownAccounts(state).find((a) => wordIn(intent.mentioned, a.name));
      if (account) args.accountId = account.id;
      if (intent.period) Object.assign(args, periodRange(intent.period, state.now));
      if (intent.text && !(account && wordIn(intent.text, account.name))) args.text = intent.text;
      return call('recent_transactions', args, 'Rule: a question about transactions.');
    }
    case 'monthly_summary': {
      const summary = result('monthly_summary');
      const focus = intent.lastMonth ? previousMonth(state.now) : undefined;
      if (summary) return answer(reply.monthlySummary(summary.result, focus), 'Rule: report money in and out per month.');
      return call('monthly_summary', { months: intent.months }, 'Rule: a question about spending by month.');
    }
    case 'card_spending': {
      if (!tools.has('card_spending')) return plan(transactionsIntent(intent.mentioned), state);
      const when = periodWords(intent.period, state.now);
      const read = result('card_spending');
      if (read) {
        return answer(
          reply.cardSpending(read.result, { category: intent.category, merchant: intent.merchant, when }),
          'Rule: report the card spending from the payments.',
        );
      }
      const args: Record<string, unknown> = { groupBy: intent.category || intent.merchant ? 'merchant' : 'category' };
      if (intent.period) Object.assign(args, periodRange(intent.period, state.now));
      if (intent.category) args.category = intent.category;
      if (intent.merchant) args.merchant = intent.merchant;
      return call('card_spending', args, `Rule: a question about card spending ${when}.`);
    }
    case 'freeze_card': {
      const listed = result('list_cards');
      if (listed) {
        return answer(
          reply.freezeProposal(reply.cardsOf(listed.result) ?? [], intent.mentioned),
          'Rule: the agent never freezes a card itself; name the card and let the user confirm with freezeCard.',
        );
      }
      return call('list_cards', {}, 'Rule: "freeze my card" needs to know which card; read the cards.');
    }
    case 'greeting':
      return answer(reply.greeting(tools, context), 'Rule: a greeting.');
    case 'question':
      if (context.conversationType === 'JOURNALING') return answer(reply.journalQuestion(context), 'Rule: an open question while journaling.');
      return answer(reply.fallback(tools, context), 'Rule: an open question no rule covers.');
    case 'help':
    case 'unknown':
      return answer(reply.fallback(tools, context), 'Rule: nothing matched; say what I can do.');
  }
}

function planTransfer(
  intent: Extract<Intent, { kind: 'transfer' }>,
  state: State,
  call: (name: string, args: Record<string, unknown>, why: string) => Action,
): Action {
  const proposed = state.done.findLast((e) => e.name === 'propose_transfer');
  if (proposed) {
    const args = proposed.args as Record<string, unknown>;
    const accounts = knownAccounts(state);
    const name = (id: unknown) => accounts.find((a) => a.id === id)?.name ?? 'your account';
    const fallback = { amount: intent.amount?.value ?? '', currency: String(args.currency ?? ''), from: name(args.fromAccountId), to: name(args.toAccountId) };
    // The proposal does not check the balance (confirmation does): say so now rather than at confirmation.
    const source = accounts.find((a) => a.id === args.fromAccountId);
    const balance = source && balanceMinorOf(source);
    const amount = /^\d+$/.test(String(args.amountMinor)) ? BigInt(String(args.amountMinor)) : undefined;
    if (source && balance !== undefined && amount !== undefined && amount > balance)
      Object.assign(fallback, { available: `${formatMinor(balance, source.currency)} ${source.currency}` });
    return answer(reply.transferProposed(proposed.result, fallback), 'Rule: a transfer was proposed; ask the user to confirm it.');
  }
  if (!intent.amount) return answer('How much should I send? For example: "send 50 dollars from checking to savings".', 'Rule: a transfer without an amount.');
  // Money is never guessed: a sign or a currency we do not know is a question back.
  if (intent.amount.negative) {
    return answer(
      'I can only send a positive amount, and that one has a minus sign. How much should I send? For example: "send 50 dollars from checking to savings".',
      'Rule: a negative amount.',
    );
  }
  if (intent.amount.unknownCurrency) {
    return answer(
      `I don't know a currency called "${intent.amount.unknownCurrency}", so I won't guess one. Which currency did you mean? For example: "send 50 USD from checking to savings".`,
      'Rule: an unknown currency.',
    );
  }

  const accounts = knownAccounts(state);
  if (accounts.length === 0) {
    if (!state.done.some((e) => e.name === 'list_accounts')) return call('list_accounts', {}, 'Rule: a transfer needs account ids; read the accounts first.');
    return answer("You don't have any accounts yet, so there is nothing to send money from.", 'Rule: no accounts.');
  }

  const resolve = (role: 'from' | 'to', named: string | undefined): AccountRef | Action => {
    if (!named) return answer(reply.askWhichAccount(role, undefined, accounts), `Rule: the ${role} account is missing.`);
    const match = matchAccount(named, accounts);
    if ('account' in match) return match.account;
    if ('ambiguous' in match) return answer(reply.askWhichAccount(role, named, accounts, match.ambiguous), `Rule: "${named}" matches several accounts.`);
    return answer(reply.askWhichAccount(role, named, accounts), `Rule: "${named}" matches no account.`);
  };
  let to = intent.to ? resolve('to', intent.to) : undefined;
  if (to && 'type' in to) return to;
  let from = intent.from ? resolve('from', intent.from) : undefined;
  if (from && 'type' in from) return from;
  // With two accounts, the one not named is the other side.
  if (!from && to && accounts.length === 2) from = accounts.find((a) => a.id !== (to as AccountRef).id);
  if (!to && from && accounts.length === 2) to = accounts.find((a) => a.id !== (from as AccountRef).id);
  if (!from) return answer(reply.askWhichAccount('from', undefined, accounts), 'Rule: the from account is missing.');
  if (!to) return answer(reply.askWhichAccount('to', undefined, accounts), 'Rule: the to account is missing.');
  const source = from as AccountRef;
  const target = to as AccountRef;
  if (source.id === target.id)
    return answer('The from and to accounts are the same account; which other account should receive the money?', 'Rule: same account.');

  const named = intent.amount.currency;
  const dollarFits = intent.amount.anyDollar && isDollarCurrency(source.currency);
  if (named && named !== source.currency && !dollarFits) {
    return answer(
      `Your ${source.name} account is in ${source.currency}, but you asked to send ${named}. I can only move money in the account's own currency; how much ${source.currency} should I send?`,
      'Rule: the amount currency differs from the account currency.',
    );
  }
  const currency = source.currency;
  const minor = toMinorUnits(intent.amount.value, currency);
  if ('error' in minor) return answer(`I can't send ${intent.amount.value} ${currency}: ${minor.error}.`, 'Rule: the amount does not fit the currency.');
  if (/^0+$/.test(minor.minor)) return answer('The amount must be more than zero. How much should I send?', 'Rule: zero amount.');

  const args: Record<string, unknown> = { fromAccountId: source.id, toAccountId: target.id, amountMinor: minor.minor, currency };
  if (intent.description) args.description = intent.description.slice(0, 200);
  return call('propose_transfer', args, `Rule: a transfer request; ${source.name} → ${target.name}, ${minor.minor} minor units of ${currency}.`);
}

/** Accounts from the newest list_accounts result in the conversation, else from the context. */
function knownAccounts(state: State): AccountRef[] {
  const listed = state.done.findLast((e) => e.name === 'list_accounts');
  const fromTool = listed ? reply.accountsOf(listed.result) : undefined;
  if (fromTool) return fromTool;
  const earlier = exchangesAfter(state.messages, -1).findLast((e) => e.name === 'list_accounts');
  const fromHistory = earlier ? reply.accountsOf(earlier.result) : undefined;
  return fromHistory ?? state.context.accounts;
}

/** Tool calls made after message `index`, each paired with its result (parsed JSON when it is JSON). */
export function exchangesAfter(messages: ChatMessage[], index: number): Exchange[] {
  const exchanges: Exchange[] = [];
  const byId = new Map<string, Exchange>();
  for (const message of messages.slice(index + 1)) {
    if (message.role === 'assistant') {
      for (const call of message.toolCalls ?? []) {
        const exchange = { id: call.id, name: call.name, args: parse(call.arguments), result: undefined };
        exchanges.push(exchange);
        byId.set(call.id, exchange);
      }
    } else if (message.role === 'tool') {
      const exchange = byId.get(message.toolCallId);
      if (exchange) exchange.result = parse(message.content);
    }
  }
  return exchanges;
}

function sectionsOf(args: unknown): Array<{ name: string; content: string }> | undefined {
  const sections = (args as { sections?: unknown } | null)?.sections;
  if (!Array.isArray(sections)) return undefined;
  return sections.filter((s): s is { name: string; content: string } => typeof s?.name === 'string' && typeof s?.content === 'string');
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function wordIn(text: string, name: string): boolean {
  const escaped = name.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return escaped !== '' && new RegExp(`\\b${escaped}\\b`, 'i').test(text);
}

/** "last month (2026-10)", "this month (2026-11)", "in the last 7 days". */
function periodWords(period: Period | undefined, now: Date): string {
  const month = (offset: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 7);
  if (period === undefined || period === 'this_month') return `this month (${month(0)})`;
  if (period === 'last_month') return `last month (${month(-1)})`;
  if (typeof period === 'object') return `in the last ${period.lastDays} days`;
  return period.replace('_', ' ');
}

function previousMonth(now: Date): string {
  const date = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return date.toISOString().slice(0, 7);
}

function answer(text: string, reasoning: string): Action {
  return { type: 'answer', text, reasoning };
}
