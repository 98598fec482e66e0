/** The rule-based assistant's next move: call a tool or answer. */
import type { ChatMessage } from './provider.js';

export type Action = { type: 'call'; name: string; args: Record<string, unknown>; reasoning: string } | { type: 'answer'; text: string; reasoning: string };

/** A tool call of this run, with its result once the runner fed it back. */
export interface Exchange {
  id: string;
  name: string;
  args: unknown;
  result: unknown;
}

/** What the rules read of a call already made for this message. */
export type Done = Pick<Exchange, 'name' | 'args' | 'result'>;

export function call(name: string, args: Record<string, unknown>, reasoning: string): Action {
  return { type: 'call', name, args, reasoning };
}

export function answer(text: string, reasoning: string): Action {
  return { type: 'answer', text, reasoning };
}

/** Tool arguments never carry `reasoning`: a value with it and a move type is a move. */
export function isAction(value: object): value is Action {
  return 'reasoning' in value && ((value as Action).type === 'call' || (value as Action).type === 'answer');
}

/** Tool calls made after message `index`, each paired with its result (parsed JSON when it is JSON). */
export function exchangesAfter(messages: ChatMessage[], index: number): Exchange[] {
  const exchanges: Exchange[] = [];
  const byId = new Map<string, Exchange>();
  for (const message of messages.slice(index + 1)) {
    if (message.role === 'assistant') {
      for (const toolCall of message.toolCalls ?? []) {
        const exchange = { id: toolCall.id, name: toolCall.name, args: parse(toolCall.arguments), result: undefined };
        exchanges.push(exchange);
        byId.set(toolCall.id, exchange);
      }
    } else if (message.role === 'tool') {
      const exchange = byId.get(message.toolCallId);
      if (exchange) exchange.result = parse(message.content);
    }
  }
  return exchanges;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
