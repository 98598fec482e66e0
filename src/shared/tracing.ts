import { SpanStatusCode, trace, type Attributes, type Context, type Link, type Span, type SpanKind } from '@opentelemetry/api';

/*
 * The tracing port: what instrumented code calls. Built in app.ts only when OTEL_* asks for it
 * (shared/otel.ts); everywhere else it is `undefined`, and the one check `if (tracing)` is all a
 * request pays when tracing is off.
 */

export interface SpanStart {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Milliseconds since the epoch (a statement reported after it ran). */
  startTime?: number;
  /** Spans this one also serves (a batch: the requests it commits besides its parent's). */
  links?: Link[];
}

export interface Tracing {
  /** A span under `parent`, or under the active span (a new trace when there is none). */
  start(name: string, options?: SpanStart, parent?: Context): Span;
  /** Runs `fn` with `context` active: the spans it starts (also after awaits) are its children. */
  within<T>(context: Context, fn: () => T): T;
  /** The active context (the request's, the run's), or the root context. */
  active(): Context;
  /** The context a W3C `traceparent` (and `tracestate`) header names; the root context without one. */
  extract(headers: Readonly<Record<string, string | string[] | undefined>>): Context;
  /** trace_id and span_id of the active span, for log lines; undefined outside any span. */
  logFields(): { trace_id: string; span_id: string } | undefined;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

/** `context` with `span` as its active span. */
export const withSpan = (context: Context, span: Span): Context => trace.setSpan(context, span);

/** The span of the active context (the request's, the run's), if any. */
export const activeSpan = (tracing: Tracing): Span | undefined => trace.getSpan(tracing.active());

/** Runs `fn` in a span of its own under the active one; a throw marks the span failed. Without tracing, just `fn`. */
export async function inSpan<T>(tracing: Tracing | undefined, name: string, options: SpanStart, fn: (span: Span | undefined) => Promise<T>): Promise<T> {
  if (!tracing) return fn(undefined);
  const span = tracing.start(name, options);
  try {
    return await tracing.within(withSpan(tracing.active(), span), () => fn(span));
  } catch (error) {
    failed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Marks a span failed with the error's code or class, never its message (a driver's message may quote a value). */
export function failed(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.setAttribute('error.type', error instanceof Error ? ((error as { code?: unknown }).code?.toString() ?? error.name) : 'unknown');
}
