import type { ApolloClient } from '@apollo/client';
import { ChatRunEventsDocument, ChatSessionEventsDocument, type ChatEventFragment, type ChatSessionEventsSubscription } from './generated/graphql.js';

export interface Following {
  stop(): void;
}

type Retry = (error: unknown) => Promise<void>;

/**
 * One subscription that survives dropped connections: on any error it waits (backing off up
 * to 5 s), lets `beforeRetry` refresh the token if that was the problem, and subscribes again.
 */
function resilient(
  subscribe: (handlers: { next(result: { data?: unknown; error?: unknown }): void; error(e: unknown): void; complete(): void }) => { unsubscribe(): void },
  beforeRetry: Retry,
  isDone: () => boolean,
): Following {
  let stopped = false;
  let attempt = 0;
  let current: { unsubscribe(): void } | undefined;
  const retry = (error: unknown) => {
    current?.unsubscribe();
    if (stopped || isDone()) return;
    const wait = Math.min(5_000, 250 * 2 ** attempt++);
    setTimeout(() => void beforeRetry(error).finally(start), wait);
  };
  const start = () => {
    if (stopped) return;
    current = subscribe({
      next: (result) => {
        if (result.error) retry(result.error);
        else attempt = 0;
      },
      error: retry,
      complete: () => retry(undefined),
    });
  };
  start();
  return {
    stop() {
      stopped = true;
      current?.unsubscribe();
    },
  };
}

/** A run's events from seq afterSeq + 1 on, each once and in order, until RunFinished; a reconnect resumes with afterSeq. */
export function followRun(client: ApolloClient, runId: string, afterSeq: number, onEvent: (event: ChatEventFragment) => void, beforeRetry: Retry): Following {
  let lastSeq = afterSeq;
  let finished = false;
  return resilient(
    (handlers) =>
      client.subscribe({ query: ChatRunEventsDocument, variables: { runId, afterSeq: lastSeq }, fetchPolicy: 'no-cache' }).subscribe({
        next: (result) => {
          const event = result.data?.agentEvents;
          // A replay after a reconnect may repeat what was already shown.
          if (event && event.seq > lastSeq) {
            lastSeq = event.seq;
            if (event.__typename === 'RunFinished') finished = true;
            onEvent(event);
          }
          handlers.next(result);
        },
        error: handlers.error,
        complete: () => (finished ? undefined : handlers.complete()),
      }),
    beforeRetry,
    () => finished,
  );
}

/** Runs started in this chat session elsewhere (another tab, another device). */
export function followSession(
  client: ApolloClient,
  sessionId: string,
  onEvent: (event: ChatSessionEventsSubscription['chatSessionEvents']) => void,
  beforeRetry: Retry,
): Following {
  return resilient(
    (handlers) =>
      client.subscribe({ query: ChatSessionEventsDocument, variables: { sessionId }, fetchPolicy: 'no-cache' }).subscribe({
        next: (result) => {
          if (result.data) onEvent(result.data.chatSessionEvents);
          handlers.next(result);
        },
        error: handlers.error,
        complete: handlers.complete,
      }),
    beforeRetry,
    () => false,
  );
}
