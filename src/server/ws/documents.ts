import type { DocumentNode, GraphQLError } from 'graphql';
import { LRUCache } from 'lru-cache';

/** Clients send the same few operations over and over. */
export const DOCUMENTS_KEPT = 500;
export const DOCUMENT_KEPT_MAX_CHARS = 20_000;

export interface DocumentCacheOptions {
  /** Parse and validate (limits and rules included): a document, or the errors to answer with. */
  validate: (query: unknown) => DocumentNode | GraphQLError[];
  max?: number;
  maxChars?: number;
}

/** One parsed and validated document per distinct query text, shared by every operation sending it. */
export function createDocumentCache({ validate, max = DOCUMENTS_KEPT, maxChars = DOCUMENT_KEPT_MAX_CHARS }: DocumentCacheOptions) {
  const documents = new LRUCache<string, DocumentNode>({ max });
  return {
    validated(query: unknown): DocumentNode | GraphQLError[] {
      const kept = typeof query === 'string' ? documents.get(query) : undefined;
      if (kept) return kept;
      const result = validate(query);
      if (!Array.isArray(result) && typeof query === 'string' && query.length <= maxChars) documents.set(query, result);
      return result;
    },

    get size(): number {
      return documents.size;
    },
  };
}
