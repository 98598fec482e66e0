import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from '@mikro-orm/postgresql';

const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 8;

/** Serialization failures and deadlocks: PostgreSQL asks the client to run the transaction again. */
export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

/**
 * The one retry loop for every transaction: `work` (a whole transaction) runs again on
 * 40001/40P01 with jittered backoff, so callers never see them; any other error at once.
 */
export async function withRetry<T>(work: () => Promise<T>, options: { attempts?: number } = {}): Promise<T> {
  const attempts = options.attempts ?? MAX_ATTEMPTS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error;
      await sleep(Math.random() * 5 * 2 ** attempt);
    }
  }
}

/**
 * One transaction on a clean fork (fresh reads, nothing half-done leaks into the caller's
 * identity map), retried by withRetry.
 */
export function inTransaction<T>(em: EntityManager, work: (em: EntityManager) => Promise<T>): Promise<T> {
  return withRetry(() => em.transactional(work, { clear: true }));
}
