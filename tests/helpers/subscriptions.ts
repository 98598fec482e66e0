import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLFormattedError } from 'graphql';
import type { Client } from 'graphql-ws';

/** A running subscription whose events the test can wait for. */
export interface Collected<R> {
  events: R[];
  errors: GraphQLFormattedError[];
  /** Set when the server completed the operation or the socket closed. */
  ended: Promise<{ error?: unknown }>;
  /** Resolves once `count` events arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<R[]>;
  stop(): void;
}

export function collect<R, V extends Record<string, unknown>>(client: Client, doc: TypedDocumentNode<R, V>, variables?: V): Collected<R> {
  const events: R[] = [];
  const errors: GraphQLFormattedError[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let endedResolve!: (v: { error?: unknown }) => void;
  const ended = new Promise<{ error?: unknown }>((r) => (endedResolve = r));
  const notify = () => {
    for (const w of waiters.filter((w) => events.length >= w.count)) w.resolve();
  };
  const stop = client.subscribe<R>(
    { query: print(doc), variables: variables as Record<string, unknown> | undefined },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        if (result.data) events.push(result.data as R);
        notify();
      },
      error: (error) => endedResolve({ error }),
      complete: () => endedResolve({}),
    },
  );
  return {
    events,
    errors,
    ended,
    stop,
    waitFor(count, timeoutMs = 10_000) {
      if (events.length >= count) return Promise.resolve(events);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${count} events; got ${events.length}: ${JSON.stringify(events)} errors ${JSON.stringify(errors)}`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(events);
          },
        });
      });
    },
  };
}
