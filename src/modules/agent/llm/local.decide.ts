/** The rule-based assistant's next move, from the whole conversation: call a tool or answer. */
import { answer, exchangesAfter, type Action } from './local.action.js';
import { capabilities } from './local.capabilities.js';
import { INTENTS } from './local.intents.js';
import { move, pick } from './local.loop.js';
import * as reply from './local.replies.js';
import { hear, type Turn } from './local.row.js';
import type { ProviderRequest } from './provider.js';

export type { Action, Exchange } from './local.action.js';

/** More tool calls than any rule needs means something is off: answer instead of looping. */
const MAX_CALLS_PER_MESSAGE = 4;

export function decide(request: ProviderRequest, now: Date): Action {
  const { messages, context } = request;
  const tools = new Set(request.tools.map((t) => t.name));
  const can = capabilities(tools, context.conversationType);
  const lastUserIndex = messages.findLastIndex((m) => m.role === 'user');
  if (lastUserIndex === -1) return answer(reply.fallback(can), 'No user message: introduce myself.');
  const userText = (messages[lastUserIndex] as { content: string }).content;
  const done = exchangesAfter(messages, lastUserIndex);

  const last = done.at(-1);
  const failure = last && reply.failureOf(last.result);
  if (last && failure) {
    return answer(reply.toolFailed(last.name, failure), `Rule: ${last.name} reported ${failure.code}, so explain it instead of retrying.`);
  }
  if (done.length >= MAX_CALLS_PER_MESSAGE) {
    return answer(`${reply.OFFLINE} I could not finish this request; please rephrase it.`, 'Rule: too many tool calls for one message.');
  }

  const turn: Turn = { done, context, tools, now, messages, capabilities: can };
  const found = pick(INTENTS, hear(userText, context.conversationType), tools)!;
  const action = move(found.row, found.data, turn);
  // Never repeat a call already made for this message: its result is what it is.
  if (action.type === 'call' && done.some((e) => e.name === action.name && stable(e.args) === stable(action.args))) {
    return answer(`${reply.OFFLINE} I already tried that and could not get further; please rephrase your request.`, 'Rule: refuse to repeat a call.');
  }
  return action;
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
