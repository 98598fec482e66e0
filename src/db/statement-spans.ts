import { SpanKind, type Span } from '@opentelemetry/api';
import { failed } from '../shared/tracing.js';
import type { Tracing } from '../shared/tracing.js';

/** Statements sent as one (oneStatement's CTE batches, the unlocked path's checked write: 4,694 characters with the posting hooks) can be long; a span keeps their head. */
const MAX_TEXT = 8_000;

/**
 * A CLIENT span for one SQL statement under the active span. The text is as sent, with its
 * placeholders ($1 or ?): the values travel as bound parameters and never reach a span.
 */
export function statementSpan(tracing: Tracing, text: string, startTime?: number): Span {
  const operation = /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase() ?? 'query';
  return tracing.start(operation, {
    kind: SpanKind.CLIENT,
    startTime,
    attributes: { 'db.system.name': 'postgresql', 'db.operation.name': operation, 'db.query.text': text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text },
  });
}

/** Ends a statement's span; an error marks it failed with the SQLSTATE (never the driver's message: it may quote a value). */
export function endStatement(span: Span, error?: unknown, endTime?: number): void {
  if (error) failed(span, error);
  span.end(endTime);
}
