import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import type { RequestHandler, Response } from 'express';
import { activeSpan, withSpan, type Tracing } from '../shared/tracing.js';

/*
 * The HTTP request's span and the GraphQL operation's, as express middleware (mounted only when
 * tracing is on). A W3C `traceparent` from the client makes the request's span a child of the
 * caller's. What runs after each stays in its context: body parsing, Apollo, the resolvers.
 */

export interface HttpTracing {
  /** First of all middleware: the request's SERVER span, ended when the answer is sent or the client goes. */
  request: RequestHandler;
  /** Before Apollo: the operation's span, active for the resolvers and their statements; the GraphQL plugin names it. */
  operation: RequestHandler;
}

export function httpTracing(tracing: Tracing): HttpTracing {
  return {
    request(req, res, next) {
      // Named by method only until a route is known (operation): a path would let any client mint span names.
      const span = tracing.start(
        req.method,
        {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': req.method, 'url.path': req.path, 'url.scheme': req.protocol, 'user_agent.original': req.get('user-agent') },
        },
        tracing.extract(req.headers),
      );
      endWith(res, span, (status) => {
        span.setAttribute('http.response.status_code', status);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      });
      tracing.within(withSpan(tracing.active(), span), next);
    },
    operation(req, res, next) {
      const route = req.baseUrl || req.path;
      activeSpan(tracing)?.updateName(`${req.method} ${route}`).setAttribute('http.route', route);
      const span = tracing.start('graphql', { attributes: { 'graphql.transport': 'http' } });
      endWith(res, span);
      tracing.within(withSpan(tracing.active(), span), next);
    },
  };
}

/** Ends `span` when the answer is sent (or the client left first: an aborted request). */
function endWith(res: Response, span: Span, sent?: (status: number) => void): void {
  let ended = false;
  const end = (finished: boolean) => {
    if (ended) return;
    ended = true;
    if (finished) sent?.(res.statusCode);
    else span.setAttribute('error.type', 'aborted');
    span.end();
  };
  res.once('finish', () => end(true));
  res.once('close', () => end(res.writableFinished));
}
