import type { NextFunction, Request, Response } from 'express';
import { getOperationAST, parse, type GraphQLFormattedError } from 'graphql';
import { MULTIPART_BOUNDARY as BOUNDARY, multipartPart } from '../subscriptions/frames.js';
import { STREAM_CONNECTION, type HttpStreams, type StreamPart } from './streams.js';

/** Apollo's multipart subscription protocol: https://www.apollographql.com/docs/graphos/routing/operations/subscriptions/multipart-protocol */
export const MULTIPART_HEARTBEAT_MS = 5_000;
const ACCEPTS_MULTIPART_SUBSCRIPTIONS = /multipart\/mixed\s*;[^,]*subscriptionSpec\s*=\s*"?1\.0"?/i;
const MENTIONS_SUBSCRIPTION = /\bsubscription\b/;

export const HTTP_SUBSCRIPTION_PROTOCOLS =
  'Subscriptions stream over graphql-ws (WebSocket, subprotocol graphql-transport-ws) at /graphql, ' +
  'Apollo multipart HTTP (POST /graphql with Accept: multipart/mixed;subscriptionSpec="1.0", application/json) ' +
  'or GraphQL over SSE (graphql-sse, distinct connections) at /graphql/stream';

export interface MultipartOptions {
  streams: HttpStreams;
  heartbeatMs?: number;
}

/**
 * In front of Apollo on /graphql: a subscription is streamed as multipart when the client
 * accepts it, refused (406, naming the protocols) when not; anything else goes on to Apollo.
 */
export function multipartSubscriptions({ streams, heartbeatMs = MULTIPART_HEARTBEAT_MS }: MultipartOptions) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const params = (req.method === 'GET' ? req.query : req.body) as Record<string, unknown> | undefined;
    if (!isSubscription(params?.query, params?.operationName)) return next();
    if (req.method !== 'POST' || !acceptsMultipartSubscriptions(req.get('accept'))) return answer(res, 406, NEEDS_A_STREAM);
    const opened = await streams.open({
      transport: 'multipart',
      authorization: req.get('authorization'),
      client: { ipAddress: req.ip ?? null, userAgent: req.get('user-agent')?.slice(0, 500) ?? null },
      payload: {
        query: params!.query,
        operationName: params!.operationName as string | null | undefined,
        variables: params!.variables as Record<string, unknown> | null | undefined,
      },
      response: res,
    });
    if ('errors' in opened) return answer(res, opened.status, opened.errors);

    const { parts } = opened;
    // The client may have gone while the stream was being set up: its 'close' has already fired.
    if (res.closed) {
      await parts.return?.();
      return;
    }
    res.writeHead(200, {
      'content-type': 'multipart/mixed; boundary="graphql"; subscriptionSpec="1.0"',
      'cache-control': 'no-cache, no-store',
      ...STREAM_CONNECTION,
    });
    // Each part is written with the boundary after it, so a client parses it on arrival, not on the next one.
    res.write(BOUNDARY);
    // Not waiting for the reader: a reader that stops is cut by the streams' slow-consumer checks.
    const write = (json: string) => res.write(multipartPart(json));
    write('{}');
    const heartbeat = setInterval(() => write('{}'), heartbeatMs);
    heartbeat.unref();
    res.once('close', () => {
      clearInterval(heartbeat);
      void parts.return?.();
    });
    try {
      for await (const part of parts) {
        if (res.destroyed) break;
        // A result's part is the same bytes for every stream of its rendering; the error that ends a stream is its own.
        if (part.payload) res.write(streams.frames.multipart(part.payload));
        else write(JSON.stringify(part satisfies StreamPart));
      }
    } finally {
      clearInterval(heartbeat);
      if (!res.destroyed) res.end('--\r\n');
    }
  };
}

export const acceptsMultipartSubscriptions = (accept: string | undefined): boolean => accept !== undefined && ACCEPTS_MULTIPART_SUBSCRIPTIONS.test(accept);

/** The answer (406) to a subscription asked for without a streaming protocol. */
export const NEEDS_A_STREAM: readonly GraphQLFormattedError[] = [
  { message: `A subscription over HTTP needs a streaming protocol. ${HTTP_SUBSCRIPTION_PROTOCOLS}`, extensions: { code: 'BAD_REQUEST' } },
];

/** Cheap text check first: most requests never get parsed twice. */
export function isSubscription(query: unknown, operationName: unknown): boolean {
  if (typeof query !== 'string' || !MENTIONS_SUBSCRIPTION.test(query)) return false;
  try {
    return getOperationAST(parse(query), typeof operationName === 'string' ? operationName : undefined)?.operation === 'subscription';
  } catch {
    // Apollo answers a document that does not parse.
    return false;
  }
}

function answer(res: Response, status: number, errors: readonly GraphQLFormattedError[]): void {
  res.status(status).type('application/graphql-response+json; charset=utf-8').send(JSON.stringify({ errors }));
}
