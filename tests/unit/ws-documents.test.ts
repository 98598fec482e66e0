import { parse, GraphQLError, type DocumentNode } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { createDocumentCache } from '../../src/server/ws/documents.js';

const validator = () =>
  vi.fn((query: unknown): DocumentNode | GraphQLError[] =>
    typeof query === 'string' && query.startsWith('{') ? parse(query) : [new GraphQLError('bad', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })],
  );

describe('the WebSocket document cache', () => {
  it('validates a query text once and hands every later sender the same document', () => {
    const validate = validator();
    const cache = createDocumentCache({ validate });
    const first = cache.validated('{ me { id } }');
    expect(cache.validated('{ me { id } }')).toBe(first);
    expect(validate).toHaveBeenCalledTimes(1);
  });

  it('evicts the least recently used document once it holds max of them', () => {
    const validate = validator();
    const cache = createDocumentCache({ validate, max: 2 });
    const a = cache.validated('{ a }');
    const b = cache.validated('{ b }');
    expect(cache.validated('{ a }')).toBe(a); // a is now the most recent
    cache.validated('{ c }'); // evicts b
    expect(cache.size).toBe(2);
    expect(cache.validated('{ a }')).toBe(a);
    expect(cache.validated('{ b }')).not.toBe(b);
    expect(validate).toHaveBeenCalledTimes(4);
  });

  it('keeps neither refusals nor query texts over maxChars', () => {
    const validate = validator();
    const cache = createDocumentCache({ validate, maxChars: 10 });
    expect(Array.isArray(cache.validated('nonsense'))).toBe(true);
    cache.validated('nonsense');
    cache.validated('{ aVeryLongFieldName }');
    cache.validated('{ aVeryLongFieldName }');
    cache.validated(42);
    expect(validate).toHaveBeenCalledTimes(5);
    expect(cache.size).toBe(0);
  });
});
