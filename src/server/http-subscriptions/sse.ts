import type { Request, Response } from 'express';
import type { ExecutionResult } from 'graphql';
import { createHandler } from 'graphql-sse';
import { HTTP_SUBSCRIPTION_PROTOCOLS } from './multipart.js';
import { mapEvents } from '../ws-events.js';
import { STREAM_CONNECTION, type HttpStreams } from './streams.js';

const EVENT_STREAM = 'text/event-stream';
/** Stands for a shared event in graphql-sse's queue; printed as PLACEHOLDER_EVENT, which no result prints as (its keys are data, errors, extensions). */
const PLACEHOLDER = Object.freeze({ 'shared-event': true }) as unknown as ExecutionResult;
const PLACEHOLDER_EVENT = `event: next\ndata: ${JSON.stringify(PLACEHOLDER)}\n\n`;
/** Per stream: the shared events its placeholders stand for, in order. */
const queued = new WeakMap<Response, Buffer[]>();
function sharedEvents(res: Response): Buffer[] {
  let events = queued.get(res);
  if (!events) queued.set(res, (events = []));
  return events;
}

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
      // A result goes out as its rendering's shared event (subscriptions/frames.ts): graphql-sse prints
      // a placeholder in its place, in order, which the writer below swaps for the next shared event.
      return mapEvents(opened.parts, (part) => {
        if (!part.payload) return { data: null, errors: 'errors' in part ? part.errors : [] } as unknown as ExecutionResult;
        sharedEvents(context.res).push(streams.frames.sse(part.payload));
        return PLACEHOLDER;
      });
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
        res.write(event === PLACEHOLDER_EVENT ? sharedEvents(res).shift()! : event);
      }
    } finally {
      res.off('close', stop);
      if (!res.destroyed) res.end();
    }
  };
}
