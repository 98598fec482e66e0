import { InMemoryCache } from '@apollo/client';
import { expect } from 'vitest';
import { AgentEventsDocument, AgentRunDocument, SendMessageDocument, type EventFieldsFragment, type RunFieldsFragment } from '../generated/graphql.js';
import type { Gateway } from './server.js';
import { collect } from './subscriptions.js';

export type AgentEventOf<T extends EventFieldsFragment['__typename']> = Extract<EventFieldsFragment, { __typename: T }>;

export interface FinishedRun {
  run: RunFieldsFragment;
  events: EventFieldsFragment[];
  /** The streamed answer: every TokenDelta joined. */
  text: string;
  of<T extends EventFieldsFragment['__typename']>(type: T): Array<AgentEventOf<T>>;
}

/** Sends a message and follows its run over graphql-ws until RunFinished; then reads the run. */
export async function converse(server: Gateway, token: string, sessionId: string, text: string): Promise<FinishedRun> {
  const sent = await server.ok(SendMessageDocument, { input: { sessionId, text } }, { token });
  return follow(server, token, sent.sendMessage.id);
}

export async function follow(server: Gateway, token: string, runId: string): Promise<FinishedRun> {
  const sub = collect(server.ws(token), AgentEventsDocument, { runId });
  const { error } = await sub.ended;
  expect(error, JSON.stringify(sub.errors)).toBeUndefined();
  const events = sub.events.map((e) => e.agentEvents);
  expectGaplessSeq(events);
  expect(events.at(-1)?.__typename).toBe('RunFinished');
  const run = (await server.ok(AgentRunDocument, { id: runId }, { token })).agentRun;
  const of = <T extends EventFieldsFragment['__typename']>(type: T) => events.filter((e): e is AgentEventOf<T> => e.__typename === type);
  return {
    run,
    events,
    text: of('TokenDelta')
      .map((e) => e.delta)
      .join(''),
    of,
  };
}

export function expectGaplessSeq(events: Array<{ seq: number }>, from = 1): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + from));
}

/** Apollo Client's cache, as a frontend must build it: fragments on the AgentEvent interface need its implementations. */
export function agentEventsCache(): InMemoryCache {
  return new InMemoryCache({
    possibleTypes: {
      AgentEvent: [
        'RunStarted',
        'MessageAdded',
        'ThinkingStep',
        'ReasoningDelta',
        'ToolCallStarted',
        'ToolCallFinished',
        'TokenDelta',
        'DraftUpdated',
        'TransferProposed',
        'ProviderFallback',
        'ActiveLeafChanged',
        'RunFinished',
      ],
    },
  });
}
