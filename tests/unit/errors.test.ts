import { Writable } from 'node:stream';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createErrorFormatter } from '../../src/graphql/errors.js';
import { DomainError } from '../../src/shared/errors.js';
import { createLogger } from '../../src/shared/logger.js';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger('info', sink) };
}

function resolverError(original: Error): GraphQLError {
  return new GraphQLError(original.message, { path: ['me'], originalError: original });
}

describe('the error formatter', () => {
  it('masks an unexpected error for the client and logs it in full', () => {
    const { lines, logger } = capture();
    const format = createErrorFormatter(logger, false);
    const original = new Error('relation "app_user" does not exist: select * from app_user where password_hash = $1');
    const error = resolverError(original);
    const out = format(error.toJSON(), error);
    expect(out).toEqual({ message: 'Internal server error', path: ['me'], locations: undefined, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(lines.join('')).toContain('relation \\"app_user\\" does not exist');
    expect(lines.join('')).toContain('"stack"');
  });

  it('shows message and stack only when explicitly enabled for local debugging', () => {
    const format = createErrorFormatter(capture().logger, true);
    const error = resolverError(new Error('boom'));
    const out = format(error.toJSON(), error);
    expect(out.message).toBe('boom');
    expect(String(out.extensions?.stack)).toContain('Error: boom');
  });

  it('passes a domain error through with its code and extensions', () => {
    const format = createErrorFormatter(capture().logger, false);
    const error = resolverError(new DomainError('RATE_LIMITED', 'Too many', { retryAfter: 30 }));
    expect(format(error.toJSON(), error)).toMatchObject({ message: 'Too many', extensions: { code: 'RATE_LIMITED', retryAfter: 30 } });
  });

  it('drops stack traces that graphql-js or Apollo attached to request errors', () => {
    const format = createErrorFormatter(capture().logger, false);
    const error = new GraphQLError('Syntax Error: Expected Name', { extensions: { code: 'GRAPHQL_PARSE_FAILED', stacktrace: ['at x'] } });
    expect(format(error.toJSON(), error)).toEqual({
      message: 'Syntax Error: Expected Name',
      locations: undefined,
      path: undefined,
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
  });
});
