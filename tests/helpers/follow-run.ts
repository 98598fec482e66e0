import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { AgentEventsDocument, type EventFieldsFragment } from '../generated/graphql.js';
import { MULTIPART } from './multipart.js';

export type Transport = 'ws' | 'sse' | 'multipart';

/** What a client following one run saw, across its reconnects. */
export interface Followed {
  transport: Transport;
  events: EventFieldsFragment[];
  /** Why each connection but the last ended early: "ws 1001", "sse UNAVAILABLE", "multipart cut", ... */
  disconnects: string[];
  /** The longest wait between two events, reconnects included. */
  longestGapMs: number;
}

/** A disconnect the server announced, which a client answers by resubscribing with afterSeq. */
export const TOLD_TO_RECONNECT = /^(ws 1001|sse UNAVAILABLE|multipart UNAVAILABLE)$/;

type Attempt = { finished: true } | { finished: false; reason: string };
type OnEvent = (event: EventFieldsFragment) => void;

export interface FollowOptions {
  /** Where the first connection goes (an instance itself); reconnects go to `url` (the balancer). Default: `url`. */
  firstUrl?: string;
  maxConnections?: number;
}

/**
 * Follows a run's agentEvents over one transport until RunFinished, as a client does: whenever
 * the stream ends early it subscribes again (through the balancer: to whichever instance is up)
 * with afterSeq, the last seq it saw. Events are kept as they arrive, repeats included;
 * `followed` fills as they do, `done` resolves at RunFinished.
 */
export function startFollowing(
  transport: Transport,
  url: string,
  token: string,
  runId: string,
  options: FollowOptions = {},
): { followed: Followed; done: Promise<Followed> } {
  const { firstUrl = url, maxConnections = 10 } = options;
  const followed: Followed = { transport, events: [], disconnects: [], longestGapMs: 0 };
  let lastAt = Date.now();
  const onEvent: OnEvent = (event) => {
    followed.longestGapMs = Math.max(followed.longestGapMs, Date.now() - lastAt);
    lastAt = Date.now();
    followed.events.push(event);
  };
  const done = (async () => {
    for (let i = 0; i < maxConnections; i++) {
      const afterSeq = followed.events.at(-1)?.seq ?? null;
      const attempt = await (transport === 'ws' ? overWebSocket : overHttp)(transport, i === 0 ? firstUrl : url, token, { runId, afterSeq }, onEvent);
      if (attempt.finished) return followed;
      followed.disconnects.push(attempt.reason);
    }
    throw new Error(`run ${runId} over ${transport}: no RunFinished after ${maxConnections} connections (${followed.disconnects.join(', ')})`);
  })();
  return { followed, done };
}

/** The events of one connection, each also handed to the follower. */
function connectionEvents(onEvent: OnEvent) {
  const events: EventFieldsFragment[] = [];
  return {
    add(event: EventFieldsFragment) {
      events.push(event);
      onEvent(event);
    },
    finished: () => events.at(-1)?.__typename === 'RunFinished',
  };
}
const QUERY = print(AgentEventsDocument);

function overWebSocket(_transport: Transport, url: string, token: string, variables: object, onEvent: OnEvent): Promise<Attempt> {
  const seen = connectionEvents(onEvent);
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
  });
  return new Promise<Attempt>((resolve) => {
    client.subscribe<{ agentEvents: EventFieldsFragment }>(
      { query: QUERY, variables: variables as Record<string, unknown> },
      {
        next: (result) => {
          if (result.errors) resolve({ finished: false, reason: `ws ${String(result.errors[0]?.extensions?.code)}` });
          if (result.data) seen.add(result.data.agentEvents);
        },
        error: (error) => {
          const code = (error as { code?: unknown }).code;
          resolve({ finished: false, reason: typeof code === 'number' ? `ws ${code}` : `ws ${String(error)}` });
        },
        complete: () => resolve(seen.finished() ? { finished: true } : { finished: false, reason: 'ws completed early' }),
      },
    );
  }).finally(() => void client.dispose());
}

/** SSE (graphql-sse, distinct connections) or Apollo multipart: one request per subscription, results as they arrive. */
async function overHttp(transport: Transport, url: string, token: string, variables: object, onEvent: OnEvent): Promise<Attempt> {
  const seen = connectionEvents(onEvent);
  let response: Response;
  try {
    response = await fetch(transport === 'sse' ? `${url}/stream` : url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: transport === 'sse' ? 'text/event-stream' : MULTIPART, authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: QUERY, variables }),
    });
  } catch (error) {
    return { finished: false, reason: `${transport} ${(error as Error).message}` };
  }
  if (!response.ok || !response.body) return { finished: false, reason: `${transport} HTTP ${response.status}` };
  // SSE messages end with a blank line; multipart parts are separated by the boundary.
  const separator = transport === 'sse' ? '\n\n' : '\r\n--graphql';
  let buffer = '';
  let ending: string | undefined;
  const take = (piece: string) => {
    const json = transport === 'sse' ? /^data: (.*)$/m.exec(piece)?.[1] : piece.includes('{') ? piece.slice(piece.indexOf('\r\n\r\n') + 4) : undefined;
    if (!json) return;
    const parsed = JSON.parse(json) as { payload?: Result | null; errors?: Result['errors'] } & Result;
    const result: Result | undefined = transport === 'sse' ? parsed : parsed.payload === null ? { errors: parsed.errors } : (parsed.payload ?? undefined);
    const event = result?.data?.agentEvents;
    if (event) seen.add(event);
    else if (result?.errors) ending = `${transport} ${String(result.errors[0]?.extensions?.code)}`;
  };
  try {
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      buffer += decoder.decode(chunk.value, { stream: true });
      const pieces = buffer.split(separator);
      buffer = pieces.pop()!;
      pieces.forEach(take);
    }
  } catch {
    return { finished: false, reason: ending ?? `${transport} cut` };
  }
  if (ending) return { finished: false, reason: ending };
  return seen.finished() ? { finished: true } : { finished: false, reason: `${transport} cut` };
}

interface Result {
  data?: { agentEvents?: EventFieldsFragment } | null;
  errors?: Array<{ extensions?: { code?: unknown } }>;
}
