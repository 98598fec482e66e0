import { DefaultLogger, type LogContext, type LoggerNamespace, type LoggerOptions } from '@mikro-orm/core';
import type { Tracing } from '../shared/tracing.js';
import { endStatement, statementSpan } from './statement-spans.js';

/**
 * MikroORM's logger (its public `loggerFactory` option) when tracing is on: the ORM reports every
 * statement it ran, with its duration, to `logQuery`, and each becomes a span. With query logging
 * off (`debug: false`) the ORM hands over the text with its `?` placeholders, never the values it
 * formats into what it sends; `query-params` stays off here so that cannot change.
 */
export class StatementSpanLogger extends DefaultLogger {
  constructor(
    options: LoggerOptions,
    readonly tracing: Tracing,
  ) {
    super(options);
  }

  override isEnabled(namespace: LoggerNamespace, context?: LogContext): boolean {
    return namespace === 'query-params' ? false : super.isEnabled(namespace, context);
  }

  override logQuery(context: { query: string } & LogContext): void {
    // BEGIN and COMMIT come without a duration: the statements between them carry the time.
    if (context.took !== undefined) {
      const end = Date.now();
      endStatement(statementSpan(this.tracing, context.query, end - context.took), context.level === 'error' ? new Error('statement failed') : undefined, end);
    }
    super.logQuery(context);
  }
}
