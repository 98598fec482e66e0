import pg from 'pg';
import type { TestServer } from './server.js';

/**
 * The number of SQL statements (round trips) the server sends to PostgreSQL while `work` runs,
 * on any of its pools: the ORM's (through knex) and the plain one the money path and the hottest
 * reads use. Counted at the driver, pg's Client#query, which every pool's connection goes
 * through; a round trip that carries several statements (the money path's commit) counts once.
 * The server must be started with `maintenance: false`, so no background timer sends statements
 * of its own. The session cache starts cold, so each request's session lookup is counted
 * whatever the timing: whether an entry had expired must not change the figure. Nor may the
 * session's once-a-minute last-seen touch, which lands in whichever request crosses the minute:
 * it is not counted.
 */
const LAST_SEEN_TOUCH = /^update "auth_session" set "last_seen_at" = \S+ where "id" = \S+$/;

export async function countStatements(server: TestServer, work: () => Promise<unknown>): Promise<number> {
  server.app.deps.sessionCache.clear();
  let count = 0;
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
    if (!LAST_SEEN_TOUCH.test(text ?? '')) count++;
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = query;
  }
  return count;
}
