import type { PubSub } from '../../pubsub/pubsub.js';
import { Topic } from '../../pubsub/topics.js';

/** What authenticate needs of a session row it has read. */
export interface CachedSession {
  userId: string;
  expiresAtMs: number;
  lastSeenAtMs: number | null;
  /** When the row was read from the database. */
  checkedAtMs: number;
}

/**
 * Session rows this process checked recently, so a request with a bearer token usually
 * costs no database round trip. Entries are trusted for `ttlMs`; revocation evicts them at
 * once here (the revoking instance) and through SESSION_REVOKED on every other instance,
 * so the TTL only bounds how long a lost pub/sub message could keep a revoked session alive.
 * Bounded: past `maxEntries` the entries read longest ago go first.
 */
export class SessionCache {
  private readonly entries = new Map<string, CachedSession>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 100_000,
  ) {}

  /** The entry for this session if it was checked less than ttlMs before `nowMs`. */
  get(sessionId: string, nowMs: number): CachedSession | undefined {
    const entry = this.entries.get(sessionId);
    if (!entry) return undefined;
    if (nowMs - entry.checkedAtMs >= this.ttlMs || nowMs < entry.checkedAtMs) {
      this.entries.delete(sessionId);
      return undefined;
    }
    return entry;
  }

  set(sessionId: string, entry: CachedSession): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(sessionId);
    this.entries.set(sessionId, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  evict(sessionIds: Iterable<string>): void {
    for (const id of sessionIds) this.entries.delete(id);
  }

  /** Forgets every session: the next request of each reads its row again. */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Evicts sessions revoked on any instance (SESSION_REVOKED comes through Redis in a fleet).
 * Returns the function that stops listening.
 */
export function evictOnRevocation(cache: SessionCache, pubsub: PubSub): () => Promise<void> {
  const revocations = pubsub.subscribe(Topic.SESSION_REVOKED, 'all');
  const done = (async () => {
    for await (const { sessionIds } of revocations) cache.evict(sessionIds);
  })();
  return async () => {
    await revocations.return?.();
    await done;
  };
}
