import type { Config } from '../../config/config.js';
import type { PlainSql } from '../../db/pg.js';
import type { CoreDeps } from '../../deps.js';
import { DomainError } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import type { AuthInfo } from './auth.types.js';
import { verifyAccessToken } from './tokens.js';
import type { Role } from './user.entity.js';

/*
 * The session check of every request and socket, with plain statements and no EntityManager:
 * the sockets sign in with it, and it shares nothing with the service's ORM work.
 */

const LAST_SEEN_RESOLUTION_MS = 60_000;
/** The one answer to a token whose session is gone, expired or revoked. */
export const sessionEnded = (): DomainError => new DomainError('UNAUTHENTICATED', 'Session has ended: sign in again');

/**
 * AuthService.authenticate with statements alone: the sockets sign in with it, so a burst of
 * thousands of connection_inits builds no EntityManager fork, no query builder and no trip
 * through the ORM's execute (their garbage outlived the session read and was promoted). Both
 * statements are one plain row each.
 */
export async function authenticateBearer(
  deps: Pick<CoreDeps, 'clock' | 'sessionCache' | 'plainSql'> & { config: Pick<Config, 'jwt'> },
  accessToken: string,
): Promise<AuthInfo> {
  const sql = deps.plainSql;
  const now = deps.clock.now();
  const nowMs = now.getTime();
  const claims = verifyAccessToken(deps.config.jwt, accessToken, now);
  const session = await deps.sessionCache.getOrLoad(claims.sessionId, nowMs, async () => {
    // The role as stored now, not the one in the token: a demoted user loses it at once.
    const [row] = await sql.execute<SessionRow>(
      'select s.user_id, s.expires_at, s.last_seen_at, s.revoked_at, u.role, u.username, u.email, u.created_at as user_created_at from auth_session s join app_user u on u.id = s.user_id where s.id = ?',
      [claims.sessionId],
    );
    if (!row || row.revoked_at !== null || new Date(row.expires_at) <= now) return null;
    return {
      userId: row.user_id,
      role: row.role,
      expiresAtMs: new Date(row.expires_at).getTime(),
      lastSeenAtMs: row.last_seen_at === null ? null : new Date(row.last_seen_at).getTime(),
      checkedAtMs: nowMs,
      user: { id: row.user_id, createdAt: new Date(row.user_created_at), username: row.username, email: row.email, role: row.role },
    };
  });
  if (!session) throw sessionEnded();
  if (session.userId !== claims.userId || session.expiresAtMs <= nowMs) throw sessionEnded();
  if (session.lastSeenAtMs === null || nowMs - session.lastSeenAtMs > LAST_SEEN_RESOLUTION_MS) {
    session.lastSeenAtMs = nowMs;
    await sql.execute('update "auth_session" set "last_seen_at" = ? where "id" = ?', [now, claims.sessionId]);
  }
  return { ...claims, role: session.role };
}

/**
 * Which of these sessions are still live, with a statement alone. The sockets' sweep asks for
 * every session with an open socket every few seconds: one array parameter, ids back as plain
 * rows (through the ORM, thousands of ids were quoted into the text one by one and came back
 * as as many partial entities, each sweep).
 */
export async function activeSessionIdsOn(sql: PlainSql, now: Date, sessionIds: string[]): Promise<Set<string>> {
  // Not a uuid: no such session (and not one bad id failing the whole statement).
  const ids = sessionIds.filter(isUuid);
  if (ids.length === 0) return new Set();
  const rows = await sql.execute<{ id: string }>('select "id" from "auth_session" where "id" = any(?::uuid[]) and "revoked_at" is null and "expires_at" > ?', [
    ids,
    now,
  ]);
  return new Set(rows.map((r: { id: string }) => r.id));
}

interface SessionRow {
  user_id: string;
  role: Role;
  expires_at: Date | string;
  last_seen_at: Date | string | null;
  revoked_at: Date | string | null;
  username: string;
  email: string | null;
  user_created_at: Date | string;
}
