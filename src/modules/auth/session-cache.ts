import type { PubSub } from '../../pubsub/pubsub.js';
import type { Logger } from '../../shared/logger.js';
import { Topic } from '../../pubsub/topics.js';
import type { Role, User } from './user.entity.js';

/** What `me` answers: the user's public fields as a plain object, never managed by the ORM. */
export type UserView = Pick<User, 'id' | 'createdAt' | 'username' | 'email' | 'role'>;

/** What authenticate needs of a session row it has read. */
export interface CachedSession {
  userId: string;
  /** The user's role as stored when the row was read, not the one in the token. */
  role: Role;
  expiresAtMs: number;
  lastSeenAtMs: number | null;
  /** When the row was read from the database. */
  checkedAtMs: number;
  /** The user as read with the session (username and email never change; a role change ends the sessions), so `me` needs no read. */
  user: UserView;
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
  /** Reads in flight: a burst of requests of one session (a page opening 50 sockets) reads its row once. */
  private readonly loading = new Map<string, Promise<CachedSession | null>>();

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

  /**
   * The entry if it is fresh; otherwise `load` reads the row (null: no such live session),
   * shared with every caller asking for the same session meanwhile. A read that a
   * revocation overtook is handed to its callers but not kept. With caching off (ttl 0)
   * every call reads.
   */
  async getOrLoad(sessionId: string, nowMs: number, load: () => Promise<CachedSession | null>): Promise<CachedSession | null> {
    if (this.ttlMs <= 0) return load();
    const cached = this.get(sessionId, nowMs);
    if (cached) return cached;
    let pending = this.loading.get(sessionId);
    if (!pending) {
      const reading = load().then((entry) => {
        if (entry && this.loading.get(sessionId) === reading) this.set(sessionId, entry);
        return entry;
      });
      const forget = () => {
        if (this.loading.get(sessionId) === reading) this.loading.delete(sessionId);
      };
      reading.then(forget, forget);
      this.loading.set(sessionId, (pending = reading));
    }
    return pending;
  }

  evict(sessionIds: Iterable<string>): void {
    for (const id of sessionIds) {
      this.entries.delete(id);
      this.loading.delete(id);
    }
  }

  /** Forgets every session: the next request of each reads its row again. */
  clear(): void {
    this.entries.clear();
    this.loading.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Evicts sessions revoked on any instance (SESSION_REVOKED comes through Redis in a fleet), and
 * drops the whole cache when the pub/sub may have lost messages (a Redis reconnect): a revocation
 * of that gap would otherwise go unheard for up to the TTL. Returns the function that stops listening.
 */
export function evictOnRevocation(cache: SessionCache, pubsub: PubSub, logger: Logger): () => Promise<void> {
  const revocations = pubsub.subscribe(Topic.SESSION_REVOKED, 'all');
  const stopDropping = pubsub.onGap(() => {
    logger.warn({ sessions: cache.size }, 'session cache dropped: revocations published during the pub/sub gap may be lost');
    cache.clear();
  });
  const done = (async () => {
    for await (const { sessionIds } of revocations) cache.evict(sessionIds);
  })();
  return async () => {
    stopDropping();
    await revocations.return?.();
    await done;
  };
}
