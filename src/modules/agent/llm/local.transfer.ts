/** The transfer row: "send 50 dollars from checking to savings" becomes a proposal the user confirms, never a guess. */
import { answer, call, exchangesAfter, type Action } from './local.action.js';
import { balanceMinorOf, findAmount, formatMinor, isDollarCurrency, matchAccount, toMinorUnits, type AccountRef, type AmountMention } from './local.money.js';
import * as reply from './local.replies.js';
import type { Row, Turn } from './local.row.js';

interface TransferAsked {
  amount?: AmountMention;
  from?: string;
  to?: string;
  description?: string;
}

const TRANSFER =
  /^(?:(?:please|pls|ok(?:ay)?|now|can you|could you|would you|will you|i want to|i'd like to|i would like to|let's|lets|go ahead and)[,]?\s+)*(?:send|transfer|move|pay|wire|put)\b/i;
const TRAILING = /\s+(?:please|pls|now|today|thanks|thank you|right now|asap)\s*$/i;
const STOP = String.raw`(?=\s+(?:to|into|from|for|because|as|with|on|please|now|today)\b|[.!?,;]|$)`;
const EXAMPLE = 'For example: "send 50 dollars from checking to savings".';

/** "send 50 dollars from checking to savings for rent" → amount, from, to, description. */
function transferAsked(text: string): TransferAsked | undefined {
  if (!TRANSFER.test(text)) return undefined;
  const verb = /\b(?:send|transfer|move|pay|wire|put)\b/i.exec(text)!;
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
    ...(amount ? { amount } : {}),
    ...(from ? { from: stripAccount(from) } : {}),
    ...(to ? { to: stripAccount(to) } : {}),
    ...(description ? { description } : {}),
  };
}

function stripAccount(name: string): string {
  return name.replace(/\s+(?:account|acct)$/i, '').trim();
}

export const transfer: Row<TransferAsked> = {
  kind: 'transfer',
  tool: 'propose_transfer',
  example: `prepare a transfer for you to confirm ("send 50 dollars from checking to savings")`,
  match: ({ text }) => transferAsked(text),
  arguments: transferArguments,
  reply: (asked, turn, proposed) => {
    const args = turn.done.findLast((e) => e.name === 'propose_transfer')!.args as Record<string, unknown>;
    const accounts = knownAccounts(turn);
    const name = (id: unknown) => accounts.find((a) => a.id === id)?.name ?? 'your account';
    const fallback = { amount: asked.amount?.value ?? '', currency: String(args.currency ?? ''), from: name(args.fromAccountId), to: name(args.toAccountId) };
    // The proposal does not check the balance (confirmation does): say so now rather than at confirmation.
    const source = accounts.find((a) => a.id === args.fromAccountId);
    const balance = source && balanceMinorOf(source);
    const amount = /^\d+$/.test(String(args.amountMinor)) ? BigInt(String(args.amountMinor)) : undefined;
    if (source && balance !== undefined && amount !== undefined && amount > balance)
      Object.assign(fallback, { available: `${formatMinor(balance, source.currency)} ${source.currency}` });
    return reply.transferProposed(proposed, fallback);
  },
};

function transferArguments(asked: TransferAsked, turn: Turn): Record<string, unknown> | Action {
  if (!asked.amount) return answer(`How much should I send? ${EXAMPLE}`, 'Rule: a transfer without an amount.');
  // Money is never guessed: a sign or a currency we do not know is a question back.
  if (asked.amount.negative) {
    return answer(`I can only send a positive amount, and that one has a minus sign. How much should I send? ${EXAMPLE}`, 'Rule: a negative amount.');
  }
  if (asked.amount.unknownCurrency) {
    return answer(
      `I don't know a currency called "${asked.amount.unknownCurrency}", so I won't guess one. Which currency did you mean? For example: "send 50 USD from checking to savings".`,
      'Rule: an unknown currency.',
    );
  }

  const accounts = knownAccounts(turn);
  if (accounts.length === 0) {
    if (!turn.done.some((e) => e.name === 'list_accounts')) return call('list_accounts', {}, 'Rule: a transfer needs account ids; read the accounts first.');
    return answer("You don't have any accounts yet, so there is nothing to send money from.", 'Rule: no accounts.');
  }

  const resolve = (role: 'from' | 'to', named: string | undefined): AccountRef | Action => {
    if (!named) return answer(reply.askWhichAccount(role, undefined, accounts), `Rule: the ${role} account is missing.`);
    const match = matchAccount(named, accounts);
    if ('account' in match) return match.account;
    if ('ambiguous' in match) return answer(reply.askWhichAccount(role, named, accounts, match.ambiguous), `Rule: "${named}" matches several accounts.`);
    return answer(reply.askWhichAccount(role, named, accounts), `Rule: "${named}" matches no account.`);
  };
  let to = asked.to ? resolve('to', asked.to) : undefined;
  if (to && 'type' in to) return to;
  let from = asked.from ? resolve('from', asked.from) : undefined;
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

  const named = asked.amount.currency;
  const dollarFits = asked.amount.anyDollar && isDollarCurrency(source.currency);
  if (named && named !== source.currency && !dollarFits) {
    return answer(
      `Your ${source.name} account is in ${source.currency}, but you asked to send ${named}. I can only move money in the account's own currency; how much ${source.currency} should I send?`,
      'Rule: the amount currency differs from the account currency.',
    );
  }
  const currency = source.currency;
  const minor = toMinorUnits(asked.amount.value, currency);
  if ('error' in minor) return answer(`I can't send ${asked.amount.value} ${currency}: ${minor.error}.`, 'Rule: the amount does not fit the currency.');
  if (/^0+$/.test(minor.minor)) return answer('The amount must be more than zero. How much should I send?', 'Rule: zero amount.');

  const args: Record<string, unknown> = { fromAccountId: source.id, toAccountId: target.id, amountMinor: minor.minor, currency };
  if (asked.description) args.description = asked.description.slice(0, 200);
  return args;
}

/** Accounts from the newest list_accounts result in the conversation, else from the context. */
export function knownAccounts(turn: Pick<Turn, 'done' | 'messages' | 'context'>): AccountRef[] {
  const listed = turn.done.findLast((e) => e.name === 'list_accounts');
  const fromTool = listed ? reply.accountsOf(listed.result) : undefined;
  if (fromTool) return fromTool;
  const earlier = exchangesAfter(turn.messages, -1).findLast((e) => e.name === 'list_accounts');
  const fromHistory = earlier ? reply.accountsOf(earlier.result) : undefined;
  return fromHistory ?? turn.context.accounts;
}
