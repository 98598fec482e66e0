import type { Request, Response } from 'express';
import type { ExecutionResult } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/express';
import { HTTP_SUBSCRIPTION_PROTOCOLS } from './multipart.js';
import { mapEvents } from '../ws-events.js';
import type { HttpStreams } from './streams.js';

const EVENT_STREAM = 'text/event-stream';

/**
 * GraphQL over SSE (graphql-sse's protocol, distinct connections mode: one request per
 * subscription) at /graphql/stream. Refusals are streamed as a result with errors, then
 * complete, as graphql-sse does for validation errors; the error that ended a stream is its last result.
 */
export function sseSubscriptions(streams: HttpStreams) {
  const handler = createHandler({
    // Reservations (single connection mode) are not offered: no stream token is handed out.
    authenticate: () => null,
    onSubscribe: async (req, params) => {
      const raw = req.raw;
      const opened = await streams.open({
        transport: 'sse',
        authorization: raw.get('authorization'),
        client: { ipAddress: raw.ip ?? null, userAgent: raw.get('user-agent')?.slice(0, 500) ?? null },
        payload: params,
      });
      if ('errors' in opened) return { data: null, errors: opened.errors } as unknown as ExecutionResult;
      // graphql-sse returns the stream when the client goes; this also covers a close before its first write.
      if (raw.res?.closed) void opened.parts.return?.();
      else raw.res?.once('close', () => void opened.parts.return?.());
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
    await handler(req, res);
  };
}
