import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/config.js';
import { capFields, serializeError } from './log-safety.js';

export type { Logger };

/** Paths that may carry secrets; pino replaces them before anything is written. */
const REDACT = [
  'password',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  'token',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'variables',
  '*.variables',
];

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'coach-gateway' },
    redact: { paths: REDACT, censor: '[redacted]' },
    // Every line: strings cut to a bounded size; errors without SQL values (see log-safety.ts).
    serializers: { err: serializeError },
    formatters: { log: capFields, bindings: capFields },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  // Stdout without a write syscall per line: lines logged while a write is in flight go out with the next one (flushed on exit).
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}

/**
 * The same logger whose every line carries the active span's `trace_id` and `span_id` (tracing on
 * only): the lines of a request or an agent run are found from its trace, and the trace from them.
 */
export function withTraceIds(logger: Logger, fields: () => Record<string, string> | undefined): Logger {
  return logger.child(
    {},
    {
      formatters: {
        log(object) {
          const ids = fields();
          return capFields(ids ? { ...(object as Record<string, unknown>), ...ids } : (object as Record<string, unknown>));
        },
      },
    },
  );
}
