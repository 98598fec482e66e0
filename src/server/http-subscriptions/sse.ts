import type { Request, Response } from 'express';
import type { ExecutionResult } from 'graphql';
import { createHandler } from 'graphql-sse';
import { HTTP_SUBSCRIPTION_PROTOCOLS } from './multipart.js';
import { mapEvents } from '../ws-events.js';
import { STREAM_CONNECTION, type HttpStreams } from './streams.js';

const EVENT_STREAM = 'text/event-stream';

/**
 * GraphQL over SSE (graphql-sse's protocol, distinct connections mode: one request per
 * subscription) at /graphql/stream. Refusals are streamed as a result with errors, then
 * complete, as graphql-sse does for validation errors, except the per-address cap and the rate
 * limit, which answer 429 so a client backs off; the error that ended a stream is its last result.
 */
export function sseSubscriptions(streams: HttpStreams) {
  const handler = createHandler<Request, { res: Response }>({
    // Reservations (single connection mode) are not offered: no stream token is handed out.
    authenticate: () => null,
    onSubscribe: async (req, params) => {
      const { raw, context } = req;
      const opened = await streams.open({
        transport: 'sse',
        authorization: raw.get('authorization'),
        client: { ipAddress: raw.ip ?? null, userAgent: raw.get('user-agent')?.slice(0, 500) ?? null },
        payload: params,
        response: context.res,
      });
      if ('errors' in opened) {
        if (opened.status === 429) {
          return [
            JSON.stringify({ errors: opened.errors }),
            { status: 429, statusText: 'Too Many Requests', headers: { 'content-type': 'application/graphql-response+json; charset=utf-8' } },
          ];
        }
        return { data: null, errors: opened.errors } as unknown as ExecutionResult;
      }
      // graphql-sse returns the stream when the client goes; this also covers a close before its first write.
      if (context.res.closed) void opened.parts.return?.();
      else context.res.once('close', () => void opened.parts.return?.());
      return mapEvents(opened.parts, (part) => (part.payload ?? { data: null, errors: 'errors' in part ? part.errors : [] }) as ExecutionResult);
    },
  });
  return async (req: Request, res: Response): Promise<void> => {
    if (req.get('accept') !== EVENT_STREAM) {
      res.status(406).json({
        errors: [{ message: `This endpoint streams with Accept: ${EVENT_STREAM}. ${HTTP_SUBSCRIPTION_PROTOCOLS}`, extensions: { code: 'BAD_REQUEST' } }],
      });
      return;
    }
    const [body, init] = await handler({
      method: req.method,
      url: req.url,
      headers: { get: (key) => req.get(key) },
      // express.json parsed a JSON body; anything else is graphql-sse's to refuse.
      body: (req.body as Record<string, unknown> | undefined) ?? null,
      raw: req,
      context: { res },
    });
    if (!body || typeof body === 'string') {
      res.writeHead(init.status, init.statusText, init.headers);
      res.end(body ?? undefined);
      return;
    }
    res.writeHead(init.status, init.statusText, { ...init.headers, ...STREAM_CONNECTION });
    // Each event is handed over at once, not after the last write completed (graphql-sse's own
    // adapter): a reader that stops leaves its bytes in the response, where the slow-consumer
    // checks see them, not in a queue of graphql-sse's that nothing bounds.
    const stop = () => void body.return(undefined);
    res.once('close', stop);
    try {
      for await (const event of body) {
        if (res.destroyed) break;
        res.write(event);
      }
    } finally {
      res.off('close', stop);
      if (!res.destroyed) res.end();
    }
  };
}
