import type { WebSocket } from 'ws';
import type { PubSub } from '../../pubsub/pubsub.js';
import { Topic } from '../../pubsub/topics.js';
import { LeanMultimap } from '../../shared/lean-multimap.js';
import type { Logger } from '../../shared/logger.js';
import type { SessionAuthority } from './auth.js';
import { CLOSE_UNAUTHORIZED } from './close-codes.js';

export const SESSION_SWEEP_MS = 3_000;

export interface SessionIndexOptions {
  authority: Pick<SessionAuthority, 'activeSessionIds'>;
  pubsub: Pick<PubSub, 'subscribe'>;
  logger: Pick<Logger, 'warn'>;
  sweepMs?: number;
}

type Socket = Pick<WebSocket, 'close'>;

/**
 * The sockets of each auth session, so a session that ends closes its sockets (4401): at once
 * on a SESSION_REVOKED event, and within a sweep for expiry or a revocation this instance missed.
 */
export function createSessionIndex({ authority, pubsub, logger, sweepMs = SESSION_SWEEP_MS }: SessionIndexOptions) {
  // A session's one socket as it is (the usual case: no Set per socket), a Set once it has more.
  const bySession = new LeanMultimap<string, Socket>();

  const closeSession = (sessionId: string, reason: string) => {
    for (const socket of bySession.take(sessionId)) socket.close(CLOSE_UNAUTHORIZED, reason);
  };

  const revocations = pubsub.subscribe(Topic.SESSION_REVOKED, 'all');
  void (async () => {
    for await (const event of revocations) for (const id of event.sessionIds) closeSession(id, 'Session revoked');
  })();

  // Catches expiry, and revocations published while this instance was not listening.
  const sweep = setInterval(() => {
    const ids = [...bySession.keys()];
    if (ids.length === 0) return;
    authority
      .activeSessionIds(ids)
      .then((active) => {
        for (const id of ids) if (!active.has(id)) closeSession(id, 'Session ended');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'session sweep failed'));
  }, sweepMs);
  sweep.unref();

  return {
    add(sessionId: string, socket: Socket): void {
      bySession.add(sessionId, socket);
    },

    remove(sessionId: string, socket: Socket): void {
      bySession.remove(sessionId, socket);
    },

    /** Sessions with at least one open socket. */
    get size(): number {
      return bySession.size;
    },

    async dispose(): Promise<void> {
      clearInterval(sweep);
      await revocations.return?.();
    },
  };
}
